"""The lint baseline file: finding identities accepted as they are, each with an optional
reason. Sorted JSON, one entry per identity occurrence, so a change is a small diff.

    {"version": 1,
     "findings": [{"rule", "env", "app", "group", "kind", "namespace", "name", "container",
                   "path", "reason"?}]}
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from gitops.errors import ConfigError
from gitops.review.identity import FIELDS, Identity

VERSION = 1


def read(path: Path) -> list[tuple[Identity, str | None]]:
    """(identity, reason) of every entry; a clear error for a missing or malformed file."""
    try:
        document = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise ConfigError(
            f"baseline {path} does not exist",
            fix="create it with --update-baseline (it records today's findings)",
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"baseline {path}: not readable JSON ({exc})") from None
    entries = document.get("findings") if isinstance(document, dict) else None
    if document.get("version") != VERSION or not isinstance(entries, list):
        raise ConfigError(
            f'baseline {path}: expected {{"version": {VERSION}, "findings": [...]}}',
            fix="regenerate it with --update-baseline",
        )
    found: list[tuple[Identity, str | None]] = []
    for position, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("rule"), str):
            raise ConfigError(f"baseline {path}: entry {position} is not a finding identity")
        ident = tuple(str(entry.get(key) or "") for key in FIELDS)
        reason = entry.get("reason")
        found.append((ident, str(reason) if reason else None))  # type: ignore[arg-type]
    return found


def dumps(entries: Sequence[tuple[Identity, str | None]]) -> str:
    records = []
    for ident, reason in sorted(entries, key=lambda e: (e[0], e[1] or "")):
        record: dict[str, str] = dict(zip(FIELDS, ident, strict=True))
        if reason:
            record["reason"] = reason
        records.append(record)
    document = {"version": VERSION, "findings": records}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def describe(ident: Identity) -> str:
    record: Mapping[str, str] = dict(zip(FIELDS, ident, strict=True))
    where = "/".join(v for v in (record["env"], record["app"]) if v)
    obj = "/".join(v for v in (record["namespace"], record["name"]) if v)
    extra = "".join(f" {key}={record[key]}" for key in ("container", "path") if record[key])
    return f"{record['rule']} {where} {record['kind']} {obj}{extra}".replace("  ", " ")
