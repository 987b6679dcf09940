"""Reading Belgian street addresses."""

from __future__ import annotations

import re

# "Rue de Grammont 12, 7860 Lessines", "12 rue de Grammont", "Grand-Place 3 bte 2"
_NUMBER_FIRST = re.compile(r"^\s*(\d+[a-zA-Z]?)\s*[,]?\s+(?P<street>[^,\d][^,]*?)\s*(,|$)")
_NUMBER_AFTER = re.compile(r"^\s*(?P<street>[^,]*?[^\d\s,][^,]*?)\s+\d+[a-zA-Z]?(\s*(/|bte|bus|boîte)\s*\w+)?\s*(,|$)")


def street_of(address: str) -> str | None:
    """The street of an address, without number, box, postcode or town.

    Belgian addresses write the street then the number ("Rue de Grammont 12");
    the French habit "12, rue de Grammont" is read too. None when no street
    can be told apart.
    """
    text = " ".join(address.split())
    if not text:
        return None
    for pattern in (_NUMBER_AFTER, _NUMBER_FIRST):
        match = pattern.match(text)
        if match:
            street = match.group("street").strip(" ,")
            return street[:1].upper() + street[1:] if street else None
    first = text.split(",")[0].strip()
    if first and not any(ch.isdigit() for ch in first):
        return first[:1].upper() + first[1:]
    return None
