"""Kubernetes resource quantities (``500m``, ``2``, ``512Mi``, ``1.5G``) as exact numbers."""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal, InvalidOperation

_SUFFIX = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
    "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
}
_QUANTITY = re.compile(
    r"^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$"
)


def parse_quantity(text: str | int | float) -> Decimal:
    """The value of a quantity in base units (cores, bytes); raises ValueError if malformed."""
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is not a quantity")
    if isinstance(text, int | float):
        return Decimal(str(text))
    match = _QUANTITY.fullmatch(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{text!r} is not a Kubernetes quantity such as 500m, 2, 512Mi or 1Gi")
    number, exponent, suffix = match.groups()
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a Kubernetes quantity") from None
    if exponent is not None:
        return value * (Decimal(10) ** int(exponent))
    return value * _SUFFIX[suffix or ""]


_BYTE_UNIT_TYPO = re.compile(r"^(\d+(?:\.\d+)?)\s*([kKMGTPE])(i?)[bB]$")
_BYTE_RESOURCES = ("memory", "ephemeral-storage", "storage")


def quantity_problem(resource: str, value: object) -> str | None:
    """Why ``value`` is not a usable quantity for ``resource`` (``cpu``, ``memory``, ...),
    phrased to follow the value's name in a message; None when it is fine."""
    try:
        if not isinstance(value, str | int | float):
            raise ValueError(value)
        amount = parse_quantity(value)
    except ValueError:
        typo = _BYTE_UNIT_TYPO.match(value) if isinstance(value, str) else None
        if not typo:
            return f"{value!r} is not a Kubernetes quantity (such as 500m, 2, 512Mi or 1Gi)"
        number, unit, binary = typo.groups()
        unit = unit.upper()
        hint = f"{number}{unit}i (binary)"
        if not binary:
            hint += f" or {number}{'k' if unit == 'K' else unit} (decimal)"
        return f"{value!r} is not a Kubernetes quantity; write {hint}"
    if not amount.is_finite():
        return f"{value!r} is not a finite quantity"
    if amount < 0:
        return f"{value!r} is negative"
    is_bytes = resource in _BYTE_RESOURCES or resource.startswith("hugepages-")
    if is_bytes and isinstance(value, str) and value.strip().endswith("m"):
        number = value.strip()[:-1]
        return f"{value!r} means {amount.normalize():f} bytes (m is milli); write {number}Mi"
    return None


def scale_cpu(text: str, factor: float) -> str:
    """CPU quantity times ``factor``, rounded up to whole millicores (``500m * 0.25 = 125m``)."""
    millis = (parse_quantity(text) * 1000 * Decimal(str(factor))).to_integral_value(ROUND_CEILING)
    millis = max(millis, Decimal(1))
    return f"{millis // 1000}" if millis % 1000 == 0 else f"{millis}m"


def scale_memory(text: str, factor: float) -> str:
    """Memory quantity times ``factor``, rounded up to whole MiB (e.g. ``512Mi * 0.25 = 128Mi``)."""
    mib = (parse_quantity(text) * Decimal(str(factor)) / _SUFFIX["Mi"]).to_integral_value(
        ROUND_CEILING
    )
    mib = max(mib, Decimal(1))
    return f"{mib // 1024}Gi" if mib % 1024 == 0 else f"{mib}Mi"


def is_quantity(text: str) -> bool:
    """Whether ``text`` parses as a Kubernetes quantity exactly as the API server reads it
    (no surrounding whitespace, one known suffix or a decimal exponent)."""
    return _QUANTITY.fullmatch(text) is not None
