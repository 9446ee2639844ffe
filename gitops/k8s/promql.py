"""PromQL through the real parser (``promql-parser``, a binding of the Rust parser Prometheus
tooling uses): the one place expressions are parsed, by the SLO construct at synth and by the
PromQL lint rules. Also where PrometheusRule and AnalysisTemplate bodies are walked for their
expressions, so both engines agree on what an expression is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import promql_parser

RECORD_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_]+$")
"""``level:metric:operations`` (https://prometheus.io/docs/practices/rules/)."""
_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_OPS = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~"}


@lru_cache(maxsize=8192)
def parse_error(expr: str) -> str | None:
    """The parser's message when ``expr`` is not valid PromQL, else None."""
    try:
        promql_parser.parse(expr)
    except ValueError as exc:
        return str(exc) or "invalid expression"
    return None


def without_templates(query: str) -> str:
    """``query`` with Argo Rollouts ``{{args.x}}`` placeholders replaced by a plain word, so
    it parses as the query the controller will run."""
    return _TEMPLATE.sub("placeholder", query)


@dataclass(frozen=True)
class Selector:
    """An instant vector selector, split into its metric name and label matchers."""

    metric: str
    matchers: tuple[tuple[str, str, str], ...]
    """``(label, operator, value)``, operator one of ``=``, ``!=``, ``=~``, ``!~``."""

    def render(self, first: tuple[tuple[str, str, str], ...] = ()) -> str:
        """The selector as PromQL, with ``first`` matchers before its own."""
        parts = [f"{name}{op}{quote(value)}" for name, op, value in (*first, *self.matchers)]
        return f"{self.metric}{{{', '.join(parts)}}}" if parts else self.metric

    def labels(self) -> frozenset[str]:
        return frozenset(name for name, _, _ in self.matchers)


@lru_cache(maxsize=1024)
def parse_selector(text: str) -> Selector:
    """``text`` as a plain instant vector selector (``metric{label="v"}``), or ValueError with
    the parser's message or what else it is."""
    try:
        node = promql_parser.parse(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not valid PromQL: {exc}") from None
    if not isinstance(node, promql_parser.VectorSelector):
        raise ValueError(f'{text!r} must be a metric selector like name{{label="value"}}')
    if node.offset is not None or node.at is not None or not node.name:
        raise ValueError(f"{text!r} must be a metric name with label matchers, no offset or @")
    if node.matchers.or_matchers:
        raise ValueError(f"{text!r} must not use 'or' between matchers")
    matchers = tuple(
        (m.name, _OPS[str(m.op)], m.value) for m in node.matchers.matchers if m.name != "__name__"
    )
    return Selector(metric=node.name, matchers=matchers)


def quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@dataclass(frozen=True)
class RuleEntry:
    """One rule of a PrometheusRule, and where it is in the object."""

    rule: Mapping[str, Any]
    path: tuple[str | int, ...]


def prometheus_rules(body: Mapping[str, Any]) -> Iterator[RuleEntry]:
    """Every rule mapping under ``spec.groups[].rules[]``, with its JSON path."""
    spec = body.get("spec")
    groups = spec.get("groups") if isinstance(spec, Mapping) else None
    for g, group in enumerate(groups if isinstance(groups, list) else []):
        rules = group.get("rules") if isinstance(group, Mapping) else None
        for r, entry in enumerate(rules if isinstance(rules, list) else []):
            if isinstance(entry, Mapping):
                yield RuleEntry(rule=entry, path=("spec", "groups", g, "rules", r))


def analysis_queries(body: Mapping[str, Any]) -> Iterator[tuple[str, tuple[str | int, ...]]]:
    """Every Prometheus query of an AnalysisTemplate (or ClusterAnalysisTemplate), with its
    JSON path."""
    spec = body.get("spec")
    metrics = spec.get("metrics") if isinstance(spec, Mapping) else None
    for i, metric in enumerate(metrics if isinstance(metrics, list) else []):
        provider = metric.get("provider") if isinstance(metric, Mapping) else None
        prometheus = provider.get("prometheus") if isinstance(provider, Mapping) else None
        if isinstance(prometheus, Mapping) and isinstance(prometheus.get("query"), str):
            yield prometheus["query"], ("spec", "metrics", i, "provider", "prometheus", "query")
