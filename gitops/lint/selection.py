"""Which rules run for one environment, at what severity, with what options, and what fails
the run: decided here, in ``resolve`` alone, from the parsed settings and the flags."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gitops.findings import Severity
from gitops.lint.config import Layer, LintSettings, specificity
from gitops.lint.engine import ActiveRule
from gitops.rules.options import with_options
from gitops.rules.registry import Registry


@dataclass(frozen=True)
class Resolved:
    """What one environment runs: the active rules and the severity that fails the run."""

    active: tuple[ActiveRule, ...]
    fail_threshold: Severity | None
    """Unsuppressed findings at or above this fail the run; None for ``fail_on = "never"``."""


def resolve(
    settings: LintSettings,
    registry: Registry,
    env: str | None,
    flags: Layer | None = None,
    required: Layer | None = None,
) -> Resolved:
    """The one place precedence is decided. Lowest to highest:

    1. the preset (``flags`` > ``env.<env>`` > top level > ``recommended``): ``recommended``
       runs rules with ``enabled=True`` at their default severity; ``strict`` runs every rule,
       at its ``strict_severity`` where one is set;
    2. ``enable`` / ``disable``, ``severity`` and ``options`` of the top level, then of
       ``env.<env>``, then the command-line flags; within a layer a family reference applies
       first and a rule code or name after it, so ``disable = ["images"]`` with
       ``enable = ["IM001"]`` keeps IM001 on;
    3. ``fail_on``: flags > ``env.<env>`` > top level > ``error``.

    ``required`` is what the environment itself demands (``require_digests=True`` turns IM002
    on as an error): it sits above the config and below the command-line flags.
    """
    layers = [settings.base]
    if env is not None and env in settings.envs:
        layers.append(settings.envs[env])
    if required is not None:
        layers.append(required)
    if flags is not None:
        layers.append(flags)
    preset = next((x.preset for x in reversed(layers) if x.preset), "recommended")
    strict = preset == "strict"
    enabled = {r.code: r.enabled or strict for r in registry.rules}
    severity = {
        r.code: r.strict_severity if strict and r.strict_severity else r.severity
        for r in registry.rules
    }
    options: dict[str, dict[str, Any]] = {}
    for layer in layers:
        switches = [(ref, False) for ref in layer.disable] + [(ref, True) for ref in layer.enable]
        for ref, on in sorted(switches, key=lambda item: specificity(registry, item[0])):
            for rule in registry.lookup(ref):
                enabled[rule.code] = on
        for ref in sorted(layer.severity, key=lambda ref: specificity(registry, ref)):
            for rule in registry.lookup(ref):
                severity[rule.code] = layer.severity[ref]
        for code, values in layer.options.items():
            options.setdefault(code, {}).update(values)
    fail_on = next((x.fail_on for x in reversed(layers) if x.fail_on), "error")
    active = tuple(
        ActiveRule(r, severity[r.code], with_options(r, options.get(r.code, {})))
        for r in registry.rules
        if enabled[r.code]
    )
    threshold = None if fail_on == "never" else Severity.parse(fail_on)
    return Resolved(active=active, fail_threshold=threshold)
