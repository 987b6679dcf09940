"""Every string of the UI is translated into French and Dutch."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory):
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l"]
    subprocess.run(
        [*command, "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as fh:
        messages = {m.id for m in read_po(fh) if m.id}
    # babel.cfg's patterns are relative to the folder given: a wrong one extracts nothing.
    assert len(messages) > 100, "the extraction found almost no strings: check babel.cfg"
    return messages


def test_the_extraction_reads_every_template():
    """Babel skips a template it cannot parse without a word: its strings would stay in English."""
    import configparser

    from babel.util import pathmatch
    from jinja2 import Environment

    config = configparser.ConfigParser()
    config.read(ROOT / "babel.cfg")
    for section in config.sections():
        method, pattern = (part.strip() for part in section.split(":", 1))
        if method != "jinja2":
            continue
        extensions = ["jinja2.ext.i18n", *filter(None, config[section].get("extensions", "").split(","))]
        env = Environment(extensions=[e.strip() for e in extensions], autoescape=True)
        templates = [p for p in (ROOT / "templates").rglob("*") if pathmatch(pattern, p.relative_to(ROOT).as_posix())]
        assert templates, f"babel.cfg's {pattern} matches no file"
        for template in templates:
            env.parse(template.read_text(encoding="utf-8"), filename=str(template))  # raises on a tag babel lacks


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_every_ui_string_is_translated(source_messages, lang):
    with (ROOT / "popup" / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(str(m) for m in source_messages - translated)
    assert missing == [], f"{len(missing)} untranslated in {lang}; run pybabel update (docs/architecture.md)"


def test_placeholders_survive_translation():
    import re

    for lang in ("fr", "nl"):
        with (ROOT / "popup" / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            for message in read_po(fh):
                if not message.id or not message.string:
                    continue
                source = message.id if isinstance(message.id, str) else message.id[0]
                target = message.string if isinstance(message.string, str) else message.string[0]
                assert sorted(re.findall(r"%\(\w+\)s", source)) == sorted(re.findall(r"%\(\w+\)s", target)), (
                    lang,
                    source,
                )
