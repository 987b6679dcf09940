"""iCalendar (RFC 5545) feeds of whole-day bookings, written by hand.

Bookings are whole days: each event has ``DTSTART;VALUE=DATE`` and an
exclusive ``DTEND;VALUE=DATE``, so no time zone applies and calendar apps show
them on the same days wherever they are (``X-WR-TIMEZONE`` names Brussels for
the apps that want one). Text values are escaped (backslash, semicolon, comma,
newline) and lines folded at 75 octets without cutting a UTF-8 character;
lines end in CRLF.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

TIME_ZONE = "Europe/Brussels"
MAX_OCTETS = 75


@dataclass(frozen=True)
class Event:
    uid: str  # stable: the same booking keeps it from one download to the next
    start: date
    end: date  # exclusive
    summary: str
    stamp: datetime  # aware; when the booking was made
    location: str = ""
    description: str = ""


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11)."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """A content line cut into lines of at most 75 octets, the next ones starting with a space."""
    parts: list[str] = []
    current, size, limit = [], 0, MAX_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, MAX_OCTETS - 1  # the leading space counts
        current.append(char)
        size += octets
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def feed(name: str, events: Iterable[Event], prodid: str = "-//popup//rotations//FR") -> str:
    """The VCALENDAR text of the events."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{prodid}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        f"X-WR-TIMEZONE:{TIME_ZONE}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{_utc(event.stamp)}",
            f"DTSTART;VALUE=DATE:{_day(event.start)}",
            f"DTEND;VALUE=DATE:{_day(event.end)}",
            f"SUMMARY:{escape(event.summary)}",
            "TRANSP:TRANSPARENT",
        ]
        if event.location:
            lines.append(f"LOCATION:{escape(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{escape(event.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
