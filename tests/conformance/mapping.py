"""The mapping table (``mapping.yaml``): which peer check corresponds to which of our rules,
under which preset and options; the peer checks we do not map, and why; and every case where
we disagree with a peer on purpose.

Loaded once and checked against the rule registry: an unknown rule, option or preset, or a
rule the stated preset would not run, is an error naming the entry.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gitops.lint.config import parse_lint_settings
from gitops.lint.rules import REGISTRY
from gitops.lint.selection import resolve

MAPPING_PATH = Path(__file__).with_name("mapping.yaml")
PEERS = ("kube-linter", "kube-score", "polaris", "checkov", "kubescape-regolibrary")
_CHECK_KEYS = frozenset({"rules", "note", "preset", "options"})


class MappingError(ValueError):
    """An entry of mapping.yaml that names something that does not exist or cannot run."""


@dataclass(frozen=True)
class Mapped:
    """A peer check that corresponds to one or more of our rules."""

    peer: str
    check: str
    rules: frozenset[str]
    note: str
    preset: str = "recommended"
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Rule code -> option values, for rules whose default options are not the peer's
    semantics (e.g. PR003 numeric_ports_must_be_declared for kube-linter)."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Peer-specific keys (e.g. the kinds kube-score scores), read by the peer's adapter."""

    @property
    def options_key(self) -> str:
        return json.dumps(self.options, sort_keys=True)


@dataclass(frozen=True)
class Difference:
    """A case where our verdict differs from the peer's on purpose."""

    case: str
    ours: str
    theirs: str
    reason: str


@dataclass(frozen=True)
class BelowTarget:
    """A peer whose agreement cannot reach the target without giving up deliberate
    differences: the agreement asserted instead, and why."""

    agreement: float
    why: str


@dataclass(frozen=True)
class PeerMapping:
    peer: str
    title: str
    how: str
    """How the peer states expectations, and how the harness turns our findings into them."""
    mapped: Mapping[str, Mapped]
    unmapped: Mapping[str, str]
    """Peer check -> why no rule of ours is compared with it."""
    differences: Mapping[str, Difference]
    """Case id -> documented difference."""
    target: float
    below_target: BelowTarget | None = None

    @property
    def required_agreement(self) -> float:
        return self.below_target.agreement if self.below_target else self.target


@functools.cache
def load_mapping(path: Path = MAPPING_PATH) -> dict[str, PeerMapping]:
    raw = yaml.safe_load(path.read_text())
    if set(raw) != {"target", *PEERS}:
        raise MappingError(f"mapping.yaml must have target and exactly the peers {PEERS}")
    target = float(raw["target"])
    return {peer: _peer(peer, raw[peer], target) for peer in PEERS}


def _peer(peer: str, raw: Mapping[str, Any], target: float) -> PeerMapping:
    mapped = {check: _mapped(peer, check, entry) for check, entry in raw["mapped"].items()}
    unmapped = {str(check): str(reason).strip() for check, reason in raw["unmapped"].items()}
    both = sorted(set(mapped) & set(unmapped))
    if both:
        raise MappingError(f"{peer}: {', '.join(both)} both mapped and unmapped")
    empty = sorted(check for check, reason in unmapped.items() if not reason)
    if empty:
        raise MappingError(f"{peer}: unmapped {', '.join(empty)} needs a reason")
    differences: dict[str, Difference] = {}
    for entry in raw.get("differences") or []:
        difference = Difference(
            case=str(entry["case"]),
            ours=str(entry["ours"]),
            theirs=str(entry["theirs"]),
            reason=" ".join(str(entry["reason"]).split()),
        )
        if difference.case in differences:
            raise MappingError(f"{peer}: difference {difference.case} listed twice")
        if not difference.reason:
            raise MappingError(f"{peer}: difference {difference.case} needs a reason")
        differences[difference.case] = difference
    below = raw.get("below_target")
    below_target = None
    if below is not None:
        why = " ".join(str(below.get("why", "")).split())
        if not why or float(below["agreement"]) >= target:
            raise MappingError(f"{peer}: below_target needs an agreement under {target} and why")
        below_target = BelowTarget(agreement=float(below["agreement"]), why=why)
    return PeerMapping(
        peer=peer,
        title=str(raw["title"]),
        how=" ".join(str(raw["how"]).split()),
        mapped=mapped,
        unmapped=unmapped,
        differences=differences,
        target=target,
        below_target=below_target,
    )


def _mapped(peer: str, check: str, entry: Mapping[str, Any]) -> Mapped:
    where = f"{peer} {check}"
    rules = frozenset(str(code) for code in entry["rules"])
    unknown = sorted(rules - set(REGISTRY.by_code))
    if unknown:
        raise MappingError(f"{where}: unknown rules {', '.join(unknown)}")
    not_lint = sorted(code for code in rules if REGISTRY.by_code[code].engine != "lint")
    if not_lint:
        raise MappingError(f"{where}: {', '.join(not_lint)} are not lint rules")
    mapped = Mapped(
        peer=peer,
        check=check,
        rules=rules,
        note=" ".join(str(entry.get("note", "")).split()),
        preset=str(entry.get("preset", "recommended")),
        options={str(k): dict(v) for k, v in (entry.get("options") or {}).items()},
        extra={k: v for k, v in entry.items() if k not in _CHECK_KEYS},
    )
    if not mapped.note:
        raise MappingError(f"{where}: needs a note saying how the semantics correspond")
    inactive = sorted(rules - active_codes(mapped.preset, mapped.options_key))
    if inactive:
        raise MappingError(
            f"{where}: {', '.join(inactive)} do not run under preset {mapped.preset!r}"
        )
    return mapped


def lint_table(preset: str, options_key: str, rules: frozenset[str]) -> dict[str, Any]:
    """``[tool.gitops.lint]`` for a comparison: the preset and options of the mapping, every
    rule but ``rules`` disabled (so other rules' findings cannot interfere)."""
    return {
        "preset": preset,
        "disable": sorted(set(REGISTRY.by_code) - rules),
        "options": json.loads(options_key),
    }


@functools.cache
def active_codes(preset: str, options_key: str) -> frozenset[str]:
    """Rules the preset runs (options checked by the real config parser)."""
    table = {"preset": preset, "options": json.loads(options_key)}
    settings = parse_lint_settings(table, REGISTRY, where=str(MAPPING_PATH))
    return frozenset(a.rule.code for a in resolve(settings, REGISTRY, None).active)
