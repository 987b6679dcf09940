"""bench/RESULTS.md holds every benchmark's runs, one top-level section per benchmark.

Each script adds its dated run at the end of its own section (``# Runs`` for
bench/bench.py, ``# Matching (issue 5)``, ``# Rotation (issue 7)``), so the
sections stay whole whichever script runs last.
"""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def add_run(heading: str, text: str, intro: str = "", path: Path = RESULTS) -> None:
    """Insert ``text`` at the end of the top-level section ``# heading`` (created at the end with ``intro``)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True) if path.exists() else []
    title = f"# {heading}\n"
    block = text.rstrip("\n") + "\n\n"
    if title not in lines:
        start = "".join(lines).rstrip("\n") + ("\n\n" if lines else "")
        path.write_text(start + title + "\n" + (intro.rstrip("\n") + "\n\n" if intro else "") + block, encoding="utf-8")
        return
    at = lines.index(title) + 1
    end = next((i for i in range(at, len(lines)) if lines[i].startswith("# ")), len(lines))
    head = "".join(lines[:end]).rstrip("\n") + "\n\n"
    path.write_text(head + block + "".join(lines[end:]), encoding="utf-8")
