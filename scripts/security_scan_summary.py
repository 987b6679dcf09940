"""Short text summary of wapiti's JSON reports, for scripts/security_scan.sh.

``python scripts/security_scan_summary.py anonymous.json staff.json`` prints,
per report, the counts per category (vulnerabilities, anomalies, additional
findings) and every finding: module category, method, path, parameter, info.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SECTIONS = ("vulnerabilities", "anomalies", "additionals")
MAX_LISTED = 12  # findings listed per category


def summarise(path: Path) -> list[str]:
    if not path.exists():
        return [f"== {path.name}: no report (the scan did not finish)"]
    report = json.loads(path.read_text())
    info = report.get("infos", {})
    lines = [
        f"== {path.name}: {info.get('target', '?')} wapiti {info.get('version', '?')} "
        f"scope {info.get('scope', '?')} crawled {info.get('crawled_pages_nbr', '?')} pages, "
        f"date {info.get('date', '?')}"
    ]
    if info.get("auth"):
        auth = info["auth"]
        lines.append(f"   auth: {auth.get('method', '?')} {auth.get('url', '')} logged_in={auth.get('logged_in')}")
    for section in SECTIONS:
        categories = report.get(section, {})
        found = {name: items for name, items in categories.items() if items}
        total = sum(len(items) for items in found.values())
        lines.append(f"-- {section}: {total}")
        for name, items in sorted(found.items()):
            lines.append(f"   {name}: {len(items)}")
            for item in items[:MAX_LISTED]:
                parameter = f" [{item['parameter']}]" if item.get("parameter") else ""
                text = " ".join(str(item.get("info", "")).split())
                lines.append(f"     - {item.get('method', '')} {item.get('path', '')}{parameter}: {text[:300]}")
            if len(items) > MAX_LISTED:
                lines.append(f"     ... and {len(items) - MAX_LISTED} more (see the JSON report)")
    return lines


def main(argv: list[str]) -> int:
    for name in argv:
        print("\n".join(summarise(Path(name))))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
