"""Money is kept in fen (integers) everywhere; this is the one way it is written for people, in yuan."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def yuan(fen: int, grouped: bool = True) -> str:
    """``12345678`` → ``"123,456.78"`` (``grouped=False``: ``"123456.78"``, for tab-separated output)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}" if grouped else f"{sign}{whole}.{cents:02d}"


def fen_half_up(value: Decimal) -> int:
    """An amount in fen computed with fractions (a share, a ratio) as whole fen, half up: 0.5 fen is 1 fen."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
