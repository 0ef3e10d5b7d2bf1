"""Numbers for people: model outputs rounded for reading and input values as written,
with thousands separators and millions or billions in words ("81 million USD",
"1,290 t"). Tables, notebook displays and reports all format numbers here."""

from __future__ import annotations

import math
from typing import Any

_LARGE = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))


def _finite(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _strip(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def _sig(x: float, sig: int) -> str:
    """x with `sig` significant digits (at least all its integer digits), no exponent."""
    a = abs(x)
    if a == 0:
        return "0"
    decimals = max(sig - 1 - math.floor(math.log10(a)), 0)
    text = _strip(f"{x:,.{decimals}f}")
    return "0" if text in ("-0", "") else text


def _with_unit(text: str, unit: str | None) -> str:
    if not unit:
        return text
    if unit in ("%",):
        return f"{text}{unit}"
    return f"{text} {unit}"


def human(x: Any, unit: str | None = None, *, sig: int = 3, signed: bool = False) -> str:
    """A model output for reading: about `sig` significant digits, thousands separated,
    millions and billions in words: 1290.4 -> '1,290', 8.1e7 -> '81 million',
    0.01234 -> '0.0123'. NaN and None give '–'."""
    if not _finite(x):
        return "–"
    a = abs(x)
    sign = "+" if signed and x > 0 else ""
    for size, word in _LARGE:
        if a >= size:
            return _with_unit(f"{sign}{_sig(x / size, sig)} {word}", unit)
    if a >= 10 ** (sig - 1):
        return _with_unit(f"{sign}{x:,.0f}", unit)
    return _with_unit(sign + _sig(x, sig), unit)


def exact(x: Any, unit: str | None = None) -> str:
    """An input value as written, thousands separated; whole millions and billions in
    words when that loses nothing: 1125 -> '1,125', 25.5 -> '25.5', 8.1e7 -> '81 million',
    81234567 -> '81,234,567'. NaN and None give '–'."""
    if not _finite(x):
        return "–"
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        x = int(x)
    for size, word in _LARGE:
        if abs(x) >= size:
            scaled = repr(float(x) / size)
            if "e" not in scaled and len(scaled.replace("-", "").replace(".", "")) <= 5:
                return _with_unit(f"{_strip(scaled)} {word}", unit)
            break
    if isinstance(x, int):
        return _with_unit(f"{x:,}", unit)
    text = repr(float(x))
    if "e" in text:  # very small or large: no exponent for readers
        text = _strip(f"{x:.{max(0, -math.floor(math.log10(abs(x))) + 6)}f}")
    whole, _, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = f"{int(whole.lstrip('-')):,}"
    return _with_unit(f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}", unit)
