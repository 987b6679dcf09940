"""Money in integer cents: exact splits and parsing of euro amounts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

MAX_CENTS = 10**12  # ten billion euros: anything above is a typing mistake


def allocate(total_cents: int, weights: Sequence[int | Fraction]) -> list[int]:
    """Split total_cents by weights; the parts sum exactly to the total.

    Largest remainder: every part gets the floor of its exact share, the
    leftover cents go one by one to the largest remainders, ties to the earlier
    weight. A negative total (a credit) is split the same way, mirrored. All-zero
    or negative weights raise ValueError.
    """
    if not weights:
        raise ValueError("no weights to split by")
    fractions = [Fraction(w) for w in weights]
    if any(w < 0 for w in fractions):
        raise ValueError("weights must not be negative")
    weight_sum = sum(fractions)
    if weight_sum == 0:
        raise ValueError("at least one weight must be positive")
    if total_cents < 0:
        return [-part for part in allocate(-total_cents, weights)]
    shares = [total_cents * w / weight_sum for w in fractions]
    parts = [int(share) for share in shares]  # floor: shares are not negative
    leftover = total_cents - sum(parts)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - parts[i]), i))
    for i in order[:leftover]:
        parts[i] += 1
    return parts


_AMOUNT = re.compile(
    r"^[+-]?\d{1,3}([ .\u202f\xa0']\d{3})*(,\d{1,2})?$"  # 1.234,50 (Belgian), 1 234,50
    r"|^[+-]?\d{1,3}(,\d{3})+\.\d{1,2}$"  # 1,234.50 (English; without decimals "12,345" is ambiguous)
    r"|^[+-]?\d+([.,]\d{1,2})?$"  # 1234.5, 1234,50
)


def parse_euros(text: str, *, allow_negative: bool = False) -> int:
    """Read an amount typed in euros ("1 234,50", "1234.5", "€ 12") into cents.

    Accepts a comma or a dot for decimals, spaces, dots or apostrophes between
    thousands, and at most two decimals. Raises ValueError on anything else.
    """
    cleaned = text.strip().replace("€", "").replace("EUR", "").strip()
    if not cleaned or not _AMOUNT.match(cleaned):
        raise ValueError(f"not an amount in euros: {text!r}")
    sign = -1 if cleaned.startswith("-") else 1
    digits = cleaned.lstrip("+-")
    # The last separator followed by one or two digits is the decimal mark.
    decimal_match = re.search(r"[.,](\d{1,2})$", digits)
    if decimal_match:
        whole, fraction = digits[: decimal_match.start()], decimal_match.group(1)
    else:
        whole, fraction = digits, "0"
    whole = re.sub(r"[ .,\u202f\xa0']", "", whole)
    try:
        value = Decimal(f"{whole or '0'}.{fraction}")
    except InvalidOperation as exc:  # pragma: no cover - the pattern already refused it
        raise ValueError(f"not an amount in euros: {text!r}") from exc
    cents = sign * int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if cents < 0 and not allow_negative:
        raise ValueError("the amount must not be negative")
    if abs(cents) > MAX_CENTS:
        raise ValueError("the amount is too large")
    return cents
