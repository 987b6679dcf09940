"""A user's personal data: export it all, or erase the account (GDPR art. 15, 17, 20).

Each module registers, in its own ``popup/<module>/gdpr.py``, one section:

    from popup import gdpr

    def export(user):               # what this module holds about the user
        return gdpr.Export({"leases": [...]}, files={"contract-3.pdf": b"..."})

    def erase(user):                # delete or anonymise it; flush, never commit
        ...

    gdpr.register("leases", export, erase, tables=("leases", "lease_tenants"))

``tables`` names the tables of the module that point at ``users.id`` and that
this section deals with; ``tests/test_gdpr.py`` fails on a table pointing at
users that no section claims (and that is not on its short list of histories
kept as they are). Sections are found by looking for a ``gdpr`` module in every
package of ``popup``: nothing to add to a central list.

Erasure keeps the ``users`` row (applications, scores, status histories and
later leases and payments keep pointing at it) but strips it of everything
that identifies the person; the ``auth`` section does that last.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import json
import pkgutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from popup.types import utcnow

ARCHIVE_VERSION = 1


@dataclass
class Export:
    """What a section returns: JSON-able ``data`` and the user's ``files`` (name -> bytes)."""

    data: Any
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    name: str
    export: Callable[[Any], Export | Any]
    erase: Callable[[Any], None]
    tables: tuple[str, ...] = ()
    order: int = 100  # erasers run by increasing order; the account itself (auth) last


_sections: dict[str, Section] = {}
_discovered = False


def register(
    name: str,
    export_fn: Callable[[Any], Export | Any],
    erase_fn: Callable[[Any], None],
    *,
    tables: tuple[str, ...] | list[str] = (),
    order: int = 100,
) -> None:
    """Register a module's exporter and eraser (registering a name again replaces it)."""
    _sections[name] = Section(name, export_fn, erase_fn, tuple(tables), order)


def discover() -> None:
    """Import ``popup.<package>.gdpr`` for every package that has one (once)."""
    global _discovered
    if _discovered:
        return
    import popup

    for module in pkgutil.iter_modules(popup.__path__):
        if module.ispkg and importlib.util.find_spec(f"popup.{module.name}.gdpr") is not None:
            importlib.import_module(f"popup.{module.name}.gdpr")
    _discovered = True


def sections() -> list[Section]:
    discover()
    return sorted(_sections.values(), key=lambda s: (s.order, s.name))


def covered_tables() -> set[str]:
    return {table for section in sections() for table in section.tables}


# -- export -----------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot export {type(value).__name__}")


def to_json(data: Any) -> str:
    return json.dumps(data, default=_json_default, ensure_ascii=False, indent=2)


def export_archive(user) -> bytes:
    """A zip: one ``<section>.json`` per section, the user's files under ``files/<section>/``."""
    buffer = io.BytesIO()
    manifest: dict[str, Any] = {
        "format": ARCHIVE_VERSION,
        "user_id": user.id,
        "exported_at": utcnow(),
        "sections": {},
    }
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for section in sections():
            result = section.export(user)
            if not isinstance(result, Export):
                result = Export(result)
            archive.writestr(f"{section.name}.json", to_json(result.data))
            names = []
            for filename, content in sorted(result.files.items()):
                path = f"files/{section.name}/{_safe_name(filename)}"
                archive.writestr(path, content)
                names.append(path)
            manifest["sections"][section.name] = {"data": f"{section.name}.json", "files": names}
        archive.writestr("manifest.json", to_json(manifest))
    return buffer.getvalue()


def _safe_name(filename: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in filename).strip("._")
    return cleaned or "file"


def row(obj, *columns: str) -> dict[str, Any]:
    """The named attributes of a model instance as a dict (a helper for exporters)."""
    return {name: getattr(obj, name) for name in columns}


# -- erasure ----------------------------------------------------------------------


def erase_account(user) -> None:
    """Run every section's eraser (the account itself last). Flushes; the caller commits."""
    for section in sections():
        section.erase(user)
