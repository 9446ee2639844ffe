"""A diff :class:`Result` as text, markdown (PR comment parts) or versioned json.

Markdown is meant for a pull-request comment: a summary table (per environment and app:
objects added, removed, changed, and risk tags), then one collapsible ``<details>`` per app
with a fenced ``diff`` block per object change, each shown once for every environment it
applies to. It is split into parts of at most ``max_chars`` characters, cut only between
object changes; each part starts with a hidden marker (``<!-- gitops-diff:part=N -->``) so a
workflow can update its earlier comments, and a ``part N/M`` heading.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from gitops.review.diff import ADDED, NO_APP, REMOVED, RENAMED, Block, Change, FieldChange, Result

JSON_VERSION = 1
MARKER = "<!-- gitops-diff:part="
GITHUB_COMMENT_LIMIT = 65_536
NO_APP_LABEL = "(no app)"
_SIGN = {ADDED: "+", REMOVED: "-", RENAMED: "~", "changed": "~"}


@dataclass(frozen=True)
class Meta:
    """Which revisions were compared (shown in every format)."""

    base: str
    base_commit: str
    head: str
    head_commit: str | None
    """None for the working tree."""

    def range(self) -> str:
        head = self.head_commit[:12] if self.head_commit else "working tree"
        return f"{self.base_commit[:12]}..{head}"


def app_label(app: str) -> str:
    return app if app != NO_APP else NO_APP_LABEL


def headline(result: Result) -> str:
    changes = result.changes
    if not changes:
        return "no changes to rendered objects"
    tally = {kind: 0 for kind in (ADDED, REMOVED, "changed", RENAMED)}
    for c in changes:
        tally[c.change] += 1
    apps = {c.app for c in changes if c.app != NO_APP}
    envs = sorted({c.env for c in changes})
    counts = ", ".join(f"{n} {kind}" for kind, n in tally.items() if n)
    return (
        f"{counts} ({_plural(len(changes), 'object change')} in {_plural(len(apps), 'app')}; "
        f"{', '.join(envs)})"
    )


# ---------------------------------------------------------------------------- text


def text(result: Result, meta: Meta) -> str:
    lines = [f"gitops diff {meta.range()}: {headline(result)}"]
    if not result.changes:
        return lines[0] + "\n"
    lines += ["", *_table_text(result)]
    app = None
    for block in result.blocks:
        change = block.change
        if change.app != app:
            app = change.app
            lines += ["", f"== {app_label(app)}"]
        risk = f"  [{', '.join(change.risk)}]" if change.risk else ""
        lines.append(
            f"{_SIGN[change.change]} {', '.join(block.envs)}: {change.change} "
            f"{change.api_kind} {_where(change)}{risk}"
        )
        lines += ["    " + line for line in _body_lines(change)]
    return "\n".join(lines) + "\n"


def _table_text(result: Result) -> list[str]:
    header = ("ENV", "APP", "ADDED", "REMOVED", "CHANGED", "RISK")
    rows = [
        (r.env, app_label(r.app), str(r.added), str(r.removed), str(r.changed), ", ".join(r.risk))
        for r in result.rows
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]


# ---------------------------------------------------------------------------- json


def to_json(result: Result, meta: Meta) -> str:
    """Versioned and stable: keys are only ever added."""
    tally = {kind: 0 for kind in (ADDED, REMOVED, "changed", RENAMED)}
    for c in result.changes:
        tally[c.change] += 1
    document = {
        "version": JSON_VERSION,
        "base": {"rev": meta.base, "commit": meta.base_commit},
        "head": {"rev": meta.head, "commit": meta.head_commit},
        "summary": {
            **tally,
            "rows": [
                {
                    "env": r.env,
                    "app": r.app or None,
                    "added": r.added,
                    "removed": r.removed,
                    "changed": r.changed,
                    "risk": list(r.risk),
                }
                for r in result.rows
            ],
        },
        "changes": [_change_json(c) for c in result.changes],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _change_json(c: Change) -> dict[str, Any]:
    fields = []
    for f in c.fields:
        entry: dict[str, Any] = {"path": f.path}
        if f.has_old:
            entry["old"] = f.old
        if f.has_new:
            entry["new"] = f.new
        fields.append(entry)
    return {
        "env": c.env,
        "app": c.app or None,
        "group": c.group,
        "kind": c.kind,
        "namespace": c.namespace,
        "name": c.name,
        "change": c.change,
        "renamedFrom": c.old_name,
        "file": c.path,
        "fields": fields,
        "risk": list(c.risk),
    }


# ---------------------------------------------------------------------------- markdown


def markdown(result: Result, meta: Meta, max_chars: int = GITHUB_COMMENT_LIMIT) -> list[str]:
    """The PR comment, in parts that each fit ``max_chars`` characters."""
    title = f"`{meta.range()}`: {headline(result)}"
    units = [(block.change.app, _unit(block)) for block in result.blocks]
    summary = _summary(result, max_chars // 3)
    return _split(title, summary, units, max_chars)


def _split(title: str, summary: str, units: Sequence[tuple[str, str]], max_chars: int) -> list[str]:
    reserve = len(_heading(999, 999, title)) + len(_CLOSE) + 16
    if max_chars < reserve + 400:
        raise ValueError(f"--max-comment-chars {max_chars} is too small for a comment part")
    budget = max_chars - reserve
    parts: list[list[str]] = [[summary]] if summary else [[]]
    size = len(summary)
    open_app: str | None = None
    seen: set[str] = set()
    for app, unit in units:
        opener = _app_open(app, continued=app in seen and app != open_app)
        extra = (0 if app == open_app else len(opener)) + len(_CLOSE)
        if size + extra + len(unit) > budget and size > 0 and any(parts[-1]):
            if open_app is not None:
                parts[-1].append(_CLOSE)
            parts.append([])
            size, open_app = 0, None
            opener = _app_open(app, continued=app in seen)
        if app != open_app:
            if open_app is not None:
                parts[-1].append(_CLOSE)
                size += len(_CLOSE)
            parts[-1].append(opener)
            size += len(opener)
            open_app = app
            seen.add(app)
        if size + len(unit) + len(_CLOSE) > budget:
            unit = _truncated(unit, budget - size - len(_CLOSE))
        parts[-1].append(unit)
        size += len(unit)
    if open_app is not None:
        parts[-1].append(_CLOSE)
    total = len(parts)
    return [_heading(n, total, title) + "".join(body) for n, body in enumerate(parts, 1)]


_CLOSE = "\n</details>\n"


def _heading(n: int, total: int, title: str) -> str:
    part = f" (part {n}/{total})" if total > 1 else ""
    return f"{MARKER}{n} -->\n### gitops diff{part}\n\n{title}\n\n"


def _app_open(app: str, *, continued: bool) -> str:
    label = html.escape(app_label(app))
    more = " (continued)" if continued else ""
    return f"\n<details><summary><b>{label}</b>{more}</summary>\n"


def _summary(result: Result, limit: int) -> str:
    if not result.changes:
        return "No rendered object changes.\n"
    lines = [
        "| Environment | App | Added | Removed | Changed | Risk |",
        "|---|---|--:|--:|--:|---|",
    ]
    size = sum(len(line) + 1 for line in lines)
    rows = result.rows
    for shown, r in enumerate(rows):
        risk = " ".join(f"`{tag}`" for tag in r.risk)
        line = (
            f"| {_cell(r.env)} | {_cell(app_label(r.app))} | {r.added} | {r.removed} | "
            f"{r.changed} | {risk} |"
        )
        if size + len(line) > limit:
            lines.append(f"\n… and {len(rows) - shown} more rows (see `gitops diff --format json`)")
            break
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines) + "\n"


def _cell(value: str) -> str:
    return html.escape(value).replace("|", "\\|")


def _unit(block: Block) -> str:
    c = block.change
    risk = " · risk: " + " ".join(f"`{t}`" for t in c.risk) if c.risk else ""
    envs = ", ".join(block.envs)
    head = f"\n**{html.escape(envs)}**: {c.change} `{c.api_kind}` `{_where(c)}`{risk}\n"
    body = _body_lines(c)
    if not body:
        return head
    text_body = "\n".join(body)
    fence = "`" * max(3, _longest_backticks(text_body) + 1)
    return f"{head}\n{fence}diff\n{text_body}\n{fence}\n"


def _truncated(unit: str, room: int) -> str:
    lines = unit.split("\n")
    fence_line = next((line for line in lines if line.startswith("```")), "```")
    fence = re.match(r"`+", fence_line)
    close = fence.group(0) if fence else "```"
    kept: list[str] = []
    size = 0
    note_room = 120 + len(close)
    for line in lines:
        if size + len(line) + 1 + note_room > room:
            break
        kept.append(line)
        size += len(line) + 1
    dropped = len(lines) - len(kept)
    fences = sum(1 for line in kept if line.startswith(close) and line.strip("`") in ("", "diff"))
    end = f"\n{close}\n" if fences % 2 else "\n"
    note = f"\n_(truncated: {dropped} more lines; run `gitops diff` locally)_\n"
    return "\n".join(kept) + end + note


def _longest_backticks(text_: str) -> int:
    runs = re.findall(r"`+", text_)
    return max((len(r) for r in runs), default=0)


# ---------------------------------------------------------------------------- shared


def _where(c: Change) -> str:
    ns = f"{c.namespace}/" if c.namespace else ""
    if c.change == RENAMED:
        return f"{ns}{c.old_name} -> {c.name}"
    return f"{ns}{c.name}"


def _body_lines(c: Change) -> list[str]:
    """Diff lines: the fields of a change, or the whole object added or removed."""
    if c.body is not None:
        sign = "+ " if c.change == ADDED else "- "
        return [sign + line for line in _yaml(c.body).splitlines()]
    lines: list[str] = []
    for f in c.fields:
        lines += _field_lines(f)
    return lines


def _field_lines(f: FieldChange) -> list[str]:
    lines = [f"@@ {f.path} @@"]
    if f.has_old:
        lines += ["- " + line for line in _value(f.old)]
    if f.has_new:
        lines += ["+ " + line for line in _value(f.new)]
    return lines


def _value(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.split("\n") if value else ['""']
    if isinstance(value, (dict, list)):
        return _yaml(value).splitlines() or [json.dumps(value)]
    return [json.dumps(value)]


def _yaml(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=True, default_flow_style=False, allow_unicode=True)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def parts_as_mapping(parts: Sequence[str]) -> Mapping[str, str]:
    """File name -> content for ``--output-dir``."""
    return {f"part-{n:03d}.md": part for n, part in enumerate(parts, 1)}
