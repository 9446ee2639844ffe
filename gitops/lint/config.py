"""``[tool.gitops.lint]``: parsed once into a typed, frozen ``LintSettings``.

Example::

    [tool.gitops.lint]
    preset = "recommended"            # or "strict"
    enable = ["IM002"]                # rule codes, names or families
    disable = ["images"]
    fail_on = "error"                 # or "warning", "never"
    severity = { mutable-image-tag = "warning" }
    options = { IM003 = { allowed_registries = ["ghcr.io/acme"] } }

    [tool.gitops.lint.env.prod]       # the same keys, for files rendered for prod
    enable = ["image-not-pinned-by-digest"]

    [[tool.gitops.lint.ignore]]       # also allowed under env.<env>
    rules = ["IM001"]
    paths = ["vendor/**"]             # globs on the repo-relative path; optional
    kinds = ["Job"]                   # optional, like namespaces and names (fnmatch patterns)
    reason = "upstream chart, pinned by the vendoring script"

Every unknown key, rule or option is a ``ConfigError`` that names it and lists what is valid.
Which rules run, at what severity and with what options is decided in
``gitops.lint.selection.resolve`` alone.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gitops.errors import ConfigError
from gitops.findings import Severity
from gitops.lint.choices import FAIL_ON, PRESETS
from gitops.rules.options import OptionError, check_options
from gitops.rules.registry import Registry

_LAYER_KEYS = ("disable", "enable", "fail_on", "ignore", "options", "preset", "severity")
_TOP_KEYS = (*_LAYER_KEYS, "env")
_IGNORE_KEYS = ("kinds", "names", "namespaces", "paths", "reason", "rules")


@dataclass(frozen=True)
class Layer:
    """One level of settings: the top-level table, one env's overrides, or the CLI flags.
    Rule references are kept as written (all validated) so precedence can tell a family
    from a single rule."""

    preset: str | None = None
    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Rule code -> checked option values."""
    fail_on: str | None = None


@dataclass(frozen=True)
class IgnoreEntry:
    """A config-level suppression: findings of ``codes`` on matching objects."""

    codes: frozenset[str]
    reason: str
    paths: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    env: str | None = None
    """Set for entries under ``env.<env>``: they apply to that env's files only."""


@dataclass(frozen=True)
class LintSettings:
    base: Layer = field(default_factory=Layer)
    envs: Mapping[str, Layer] = field(default_factory=dict)
    ignores: tuple[IgnoreEntry, ...] = ()


def specificity(registry: Registry, ref: str) -> int:
    """0 for a family reference, 1 for a rule code or name: the more specific applies later."""
    return 0 if ref in registry.families else 1


def parse_lint_settings(
    table: Mapping[str, Any],
    registry: Registry,
    *,
    where: str = "pyproject.toml",
    known_envs: Sequence[str] = (),
) -> LintSettings:
    """``[tool.gitops.lint]`` as ``LintSettings``; ``known_envs`` (when not empty) are the
    environments an ``env.<env>`` table may name."""
    parser = _Parser(registry, where)
    parser.keys(table, _TOP_KEYS, "[tool.gitops.lint]")
    envs: dict[str, Layer] = {}
    ignores = parser.ignores(table.get("ignore", []), "[[tool.gitops.lint.ignore]]", None)
    env_tables = parser.table(table.get("env", {}), "[tool.gitops.lint] env")
    for env, env_table in sorted(env_tables.items()):
        section = f"[tool.gitops.lint.env.{env}]"
        if known_envs and env not in known_envs:
            raise ConfigError(
                f"{where}: {section} names unknown environment {env!r}",
                fix=f"use one of: {', '.join(sorted(known_envs))}",
            )
        layer_table = parser.table(env_table, section)
        parser.keys(layer_table, _LAYER_KEYS, section)
        envs[env] = parser.layer(layer_table, section)
        ignores += parser.ignores(
            layer_table.get("ignore", []), f"[[tool.gitops.lint.env.{env}.ignore]]", env
        )
    return LintSettings(
        base=parser.layer(table, "[tool.gitops.lint]"), envs=envs, ignores=tuple(ignores)
    )


def flags_layer(
    registry: Registry,
    *,
    preset: str | None = None,
    fail_on: str | None = None,
    enable: Sequence[str] = (),
    disable: Sequence[str] = (),
) -> Layer:
    """Command-line flags as the highest layer (checked like config values)."""
    parser = _Parser(registry, "command line")
    on = parser.refs(list(enable), "--enable")
    off = parser.refs(list(disable), "--disable")
    both = parser.conflicts(on, off)
    if both:
        raise parser.fail(f"--enable and --disable both name {', '.join(both)}")
    return Layer(
        preset=None if preset is None else parser.choice(preset, PRESETS, "--preset"),
        enable=on,
        disable=off,
        fail_on=None if fail_on is None else parser.choice(fail_on, FAIL_ON, "--fail-on"),
    )


class _Parser:
    def __init__(self, registry: Registry, where: str) -> None:
        self.registry = registry
        self.where = where

    def fail(self, message: str, fix: str | None = None) -> ConfigError:
        return ConfigError(f"{self.where}: {message}", fix=fix)

    def keys(self, table: Mapping[str, Any], valid: Sequence[str], section: str) -> None:
        for key in table:
            if key not in valid:
                raise self.fail(
                    f"unknown key {key!r} in {section}", fix=f"use one of: {', '.join(valid)}"
                )

    def table(self, value: Any, what: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(f"{what} must be a table, got {value!r}")
        return value

    def choice(self, value: Any, valid: Sequence[str], what: str) -> str:
        if value not in valid:
            raise self.fail(f"{what} must be one of: {', '.join(valid)}; got {value!r}")
        return str(value)

    def strings(self, value: Any, what: str) -> tuple[str, ...]:
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{what} must be a list of strings, got {value!r}")
        return tuple(value)

    def ref(self, ref: str, what: str, *, family: bool = True) -> str:
        if self.registry.lookup(ref) and (family or ref not in self.registry.families):
            return ref
        names = [*self.registry.by_code, *self.registry.by_name]
        names += list(self.registry.families) if family else []
        close = difflib.get_close_matches(ref, names, n=3, cutoff=0.7)
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        kind = "rule code, name or family" if family else "rule code or name"
        raise self.fail(
            f"unknown {kind} {ref!r} in {what}{hint}", fix="run 'gitops rules' to list the rules"
        )

    def refs(self, value: Any, what: str) -> tuple[str, ...]:
        return tuple(self.ref(ref, what) for ref in self.strings(value, what))

    def codes(self, refs: Sequence[str]) -> set[str]:
        return {r.code for ref in refs for r in self.registry.lookup(ref)}

    def conflicts(self, enable: Sequence[str], disable: Sequence[str]) -> list[str]:
        """Rules both switched on and off at one level of specificity (a family switch and a
        rule switch may disagree: the rule's wins)."""
        both: set[str] = set()
        for level in (0, 1):
            on = self.codes([r for r in enable if specificity(self.registry, r) == level])
            off = self.codes([r for r in disable if specificity(self.registry, r) == level])
            both |= on & off
        return sorted(both)

    def layer(self, table: Mapping[str, Any], section: str) -> Layer:
        preset = table.get("preset")
        fail_on = table.get("fail_on")
        enable = self.refs(table.get("enable", []), f"{section} enable")
        disable = self.refs(table.get("disable", []), f"{section} disable")
        both = self.conflicts(enable, disable)
        if both:
            raise self.fail(f"{section} both enables and disables {', '.join(both)}")
        severity: dict[str, Severity] = {}
        seen: dict[str, Severity] = {}
        for ref, value in self.table(table.get("severity", {}), f"{section} severity").items():
            self.ref(ref, f"{section} severity")
            level = Severity.parse(
                self.choice(value, ("error", "warning", "info"), f"{section} severity.{ref}")
            )
            for code in self.codes([ref]) if ref not in self.registry.families else ():
                if seen.setdefault(code, level) != level:
                    raise self.fail(f"{section} severity sets {code} twice, differently")
            severity[ref] = level
        options: dict[str, dict[str, Any]] = {}
        for ref, values in self.table(table.get("options", {}), f"{section} options").items():
            self.ref(ref, f"{section} options", family=False)
            rule = self.registry.lookup(ref)[0]
            try:
                checked = check_options(rule, self.table(values, f"{section} options.{ref}"))
            except OptionError as exc:
                raise self.fail(f"{section} options: {exc}") from None
            options.setdefault(rule.code, {}).update(checked)
        return Layer(
            preset=None if preset is None else self.choice(preset, PRESETS, f"{section} preset"),
            enable=enable,
            disable=disable,
            severity=severity,
            options=options,
            fail_on=None
            if fail_on is None
            else self.choice(fail_on, FAIL_ON, f"{section} fail_on"),
        )

    def ignores(self, value: Any, section: str, env: str | None) -> list[IgnoreEntry]:
        if not isinstance(value, list):
            raise self.fail(f"{section} must be an array of tables (use [[...]])")
        entries = []
        for index, raw in enumerate(value):
            what = f"{section} entry {index + 1}"
            entry = self.table(raw, what)
            self.keys(entry, _IGNORE_KEYS, what)
            if "rules" not in entry or "reason" not in entry:
                raise self.fail(
                    f"{what} needs 'rules' and 'reason'",
                    fix='add rules = ["CODE"] and reason = "why it does not apply here"',
                )
            reason = entry["reason"]
            if not isinstance(reason, str) or not reason.strip():
                raise self.fail(f"{what} reason must be a non-empty string")
            refs = self.strings(entry["rules"], f"{what} rules")
            if not refs:
                raise self.fail(f"{what} rules must name at least one rule")
            for pattern in self.strings(entry.get("paths", []), f"{what} paths"):
                try:
                    glob_regex(pattern)
                except re.error as exc:
                    raise self.fail(f"{what} paths: bad glob {pattern!r} ({exc})") from None
            entries.append(
                IgnoreEntry(
                    codes=frozenset(self.codes([self.ref(r, f"{what} rules") for r in refs])),
                    reason=reason.strip(),
                    paths=self.strings(entry.get("paths", []), f"{what} paths"),
                    kinds=self.strings(entry.get("kinds", []), f"{what} kinds"),
                    namespaces=self.strings(entry.get("namespaces", []), f"{what} namespaces"),
                    names=self.strings(entry.get("names", []), f"{what} names"),
                    env=env,
                )
            )
        return entries


@functools.lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A path glob as a regex: ``**`` spans directories, ``*`` and ``?`` stay within one."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")
