"""The ``format`` values the validator checks, and how, as the API server would.

Only formats whose meaning in Kubernetes is unambiguous are checked: ``date-time`` (RFC 3339,
how ``metav1.Time`` is read), ``byte`` (standard base64 with padding, how ``[]byte`` fields such
as Secret ``data`` are decoded) and ``quantity`` (resource quantities such as ``500m`` or
``1Gi``; the core schemas' Quantity type is rewritten to carry it). Other formats are dropped
from the schemas: ``int32``/``int64`` are annotations, and CRD formats such as ``duration``
mean Go durations (``5m``), not the ISO 8601 durations a JSON Schema library checks.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from gitops.k8s.quantity import is_quantity

QUANTITY = "quantity"
BYTE = "byte"
DATE_TIME = "date-time"
CHECKED_FORMATS = frozenset({QUANTITY, BYTE, DATE_TIME})


def is_base64(text: str) -> bool:
    """Go's ``encoding/json`` decodes ``[]byte`` with standard, padded base64; it skips
    newlines, which YAML block scalars often leave in."""
    try:
        base64.b64decode(text.replace("\n", "").replace("\r", ""), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


FORMAT_CHECKS: dict[str, Callable[[str], bool]] = {QUANTITY: is_quantity, BYTE: is_base64}
"""Checks the schema library does not know; ``date-time`` is its own (RFC 3339)."""

FORMAT_HINTS = {
    QUANTITY: "a quantity such as 500m, 2, 1.5, 512Mi or 1Gi",
    BYTE: "base64-encoded data (standard alphabet, padded with '=')",
    DATE_TIME: "an RFC 3339 date-time such as 2024-01-31T12:00:00Z",
}
