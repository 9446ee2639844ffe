"""Load Kubernetes YAML safely, once, with the file and line of every object.

Parse path (chosen by measurement, see tests/bench/bench_lint_scale.py): each document is
composed by libyaml's C composer, which keeps line and column marks, and turned into plain
JSON data by our own constructor (``gitops.k8s.yaml_data``), which also records where each key
and item starts, so a finding's line needs no second parse. That lets the loader reject what
PyYAML accepts silently: duplicate keys, and alias "bombs" that expand to millions of nodes.

Nothing is dropped silently: a document that cannot be read (syntax error, duplicate key,
not UTF-8, alias bomb, not a Kubernetes object) becomes a ``LoadProblem`` with file and line,
and loading continues with the next document. Documents are split on ``---`` lines before
parsing, so a syntax error costs only its own document.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar, cast

import yaml

from gitops.k8s.kinds import api_group, is_cluster_scoped
from gitops.k8s.yaml_data import (
    BadScalar,
    Document,
    DuplicateKey,
    build_plain,
    build_shared,
    compose,
    expanded_size,
)

T = TypeVar("T")
YAML_SUFFIXES = (".yaml", ".yml", ".json")
STDIN = "-"
MAX_EXPANDED_NODES = 1_000_000
"""Nodes a document may expand to through aliases before it counts as an alias bomb."""
_PLAIN_MAX_CHARS = MAX_EXPANDED_NODES // 4
"""A document without anchors has no more nodes than this many characters could spell out
(at most about 1.5 per character, e.g. ``[?,?]``), so it cannot be an alias bomb."""

_DOC_START = re.compile(r"^(?:---|\.\.\.)(?:[ \t].*)?\r?$", re.MULTILINE)
_SKIP_DIRS = {"node_modules", "__pycache__", "venv"}


class ProblemKind:
    """Why an input document could not become an object (stable identifiers)."""

    SYNTAX = "yaml-syntax-error"
    DUPLICATE_KEY = "duplicate-key"
    NOT_OBJECT = "not-a-kubernetes-object"
    ENCODING = "not-utf8"
    ALIAS_BOMB = "alias-bomb"
    UNREADABLE = "unreadable-file"


@dataclass(frozen=True)
class LoadProblem:
    kind: str
    path: str
    line: int
    column: int
    message: str


def mapping_at(parent: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """``parent[key]`` when it is a mapping, else an empty one (malformed input is reported by
    the validator, not by a crash here)."""
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


class Manifest:
    """One Kubernetes object and where it came from."""

    __slots__ = (
        "_derived",
        "_document",
        "_namespace",
        "_prefix",
        "body",
        "column",
        "document_index",
        "line",
        "path",
    )

    def __init__(
        self,
        body: dict[str, Any],
        path: str,
        line: int,
        column: int,
        document_index: int,
        document: Document | None = None,
        prefix: tuple[str | int, ...] = (),
    ) -> None:
        self.body = body
        self.path = path
        self.line = line
        self.column = column
        self.document_index = document_index
        self._document = document
        self._prefix = prefix
        self._derived: dict[str, Any] | None = None
        self._namespace: str | None = ""  # "": not worked out yet (never a namespace)

    @property
    def api_version(self) -> str:
        return str(self.body.get("apiVersion", ""))

    @property
    def kind(self) -> str:
        return str(self.body.get("kind", ""))

    @property
    def group(self) -> str:
        return api_group(self.api_version)

    @property
    def metadata(self) -> Mapping[str, Any]:
        meta = self.body.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def name(self) -> str:
        return str(self.metadata.get("name") or "")

    @property
    def cluster_scoped(self) -> bool:
        return is_cluster_scoped(self.api_version, self.kind)

    @property
    def namespace(self) -> str | None:
        """The object's namespace; ``default`` when a namespaced object names none (what
        ``kubectl apply`` would do), None for cluster-scoped objects."""
        # Asked for every finding and every graph lookup; objects never change after loading.
        namespace = self._namespace
        if namespace == "":
            if self.cluster_scoped:
                namespace = None
            else:
                namespace = str(self.metadata.get("namespace") or "default")
            self._namespace = namespace
        return namespace

    @property
    def labels(self) -> Mapping[str, str]:
        return mapping_at(self.metadata, "labels")

    @property
    def annotations(self) -> Mapping[str, str]:
        return mapping_at(self.metadata, "annotations")

    @property
    def identity(self) -> tuple[str, str, str | None, str]:
        """(group, kind, namespace, name): what the API server treats as the same object."""
        return (self.group, self.kind, self.namespace, self.name)

    def locate(self, path: Sequence[str | int] = ()) -> tuple[int, int]:
        """Line and column of the deepest existing node along ``path`` (the key's line)."""
        if not path or self._document is None:
            return self.line, self.column
        return self._document.locate((*self._prefix, *path))

    @property
    def has_aliases(self) -> bool:
        """Whether its document uses anchors, aliases or merge keys, so its data may share
        values and expand, once written out, far past the size of its text."""
        return self._document is not None and self._document.text is not None

    def cached(self, key: str, build: Callable[[Manifest], T]) -> T:
        """``build(self)``, computed once per object: for what many rules ask of every object
        (its pod template). ``key`` names the value; objects are never changed after loading,
        and ``build`` must return something its callers do not change either."""
        derived = self._derived
        if derived is None:
            derived = self._derived = {}
        elif key in derived:
            return cast(T, derived[key])
        value = derived[key] = build(self)
        return value

    def at(self, path: str) -> Manifest:
        """This object as if loaded from ``path``: the same parse, shared (e.g. a file equal at
        two revisions, linted at both)."""
        return Manifest(
            self.body,
            path,
            self.line,
            self.column,
            self.document_index,
            self._document,
            self._prefix,
        )

    def describe(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}"


@dataclass
class LoadResult:
    manifests: list[Manifest]
    problems: list[LoadProblem]
    files: int


def discover(paths: Sequence[str]) -> list[str]:
    """Files to read: explicit files as given, directories recursively (YAML/JSON only,
    skipping hidden and tool directories), ``-`` for stdin; sorted for deterministic runs."""
    found: list[str] = []
    for raw in paths:
        if raw == STDIN:
            found.append(STDIN)
            continue
        if not os.path.isdir(raw):
            found.append(raw)
            continue
        for dirpath, dirnames, filenames in os.walk(raw):
            dirnames[:] = sorted(
                d for d in dirnames if not d.startswith(".") and d not in _SKIP_DIRS
            )
            found += [
                os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith(YAML_SUFFIXES)
            ]
    return found


def load(paths: Sequence[str], stdin: IO[bytes] | None = None) -> LoadResult:
    manifests: list[Manifest] = []
    problems: list[LoadProblem] = []
    files = discover(paths)
    for path in files:
        try:
            data = (stdin or sys.stdin.buffer).read() if path == STDIN else Path(path).read_bytes()
        except OSError as exc:
            problems.append(
                LoadProblem(ProblemKind.UNREADABLE, path, 1, 1, f"cannot read: {exc.strerror}")
            )
            continue
        load_text(data, path, manifests, problems)
    return LoadResult(manifests=manifests, problems=problems, files=len(files))


def load_text(
    data: bytes | str, path: str, manifests: list[Manifest], problems: list[LoadProblem]
) -> None:
    """Append the objects in ``data`` (one file) to ``manifests``, its problems to ``problems``."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            problems.append(
                LoadProblem(
                    ProblemKind.ENCODING,
                    path,
                    line,
                    1,
                    f"byte 0x{data[exc.start]:02x} at offset {exc.start} is not UTF-8; "
                    "Kubernetes manifests must be UTF-8 text",
                )
            )
            return
    else:
        text = data
    for index, (offset, chunk) in enumerate(_split_documents(text)):
        _load_document(chunk, offset, index, path, manifests, problems)


def _split_documents(text: str) -> Iterator[tuple[int, str]]:
    """(line offset, text) of each document between ``---`` / ``...`` lines."""
    start, line = 0, 0
    for match in _DOC_START.finditer(text):
        chunk = text[start : match.start()]
        yield line, chunk
        line += chunk.count("\n")
        # A "--- value" line keeps its content (after the marker) in the next document.
        rest = match.group(0)[3:]
        start = match.end() - len(rest) if match.group(0).startswith("---") else match.end()
    yield line, text[start:]


def _load_document(
    chunk: str,
    offset: int,
    index: int,
    path: str,
    manifests: list[Manifest],
    problems: list[LoadProblem],
) -> None:
    try:
        node = compose(chunk)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = offset + (mark.line + 1 if mark else 1)
        column = mark.column + 1 if mark else 1
        problems.append(
            LoadProblem(ProblemKind.SYNTAX, path, line, column, f"YAML syntax error: {exc.problem}")
        )
        return
    except yaml.YAMLError as exc:
        problems.append(LoadProblem(ProblemKind.SYNTAX, path, offset + 1, 1, f"YAML error: {exc}"))
        return
    if node is None:
        return  # an empty document (e.g. after a trailing ---) holds nothing to drop
    root_line, root_column = node.start_mark.line, node.start_mark.column
    line, column = offset + root_line + 1, root_column + 1
    # Without an anchor (&) there is no alias, so no alias bomb: most documents skip the count.
    plain = "&" not in chunk and len(chunk) <= _PLAIN_MAX_CHARS
    try:
        built = build_plain(node) if plain else None
        if built is not None:
            body, table = built
            document = Document(offset, root_line, root_column, data=body, table=table)
        else:
            if not plain and expanded_size(node, {}) > MAX_EXPANDED_NODES:
                problems.append(
                    LoadProblem(
                        ProblemKind.ALIAS_BOMB,
                        path,
                        line,
                        column,
                        f"YAML aliases expand this document to more than "
                        f"{MAX_EXPANDED_NODES:,} nodes (an alias bomb); it was not read",
                    )
                )
                return
            body = build_shared(node, {})
            document = Document(offset, root_line, root_column, text=chunk)
    except DuplicateKey as dup:
        problems.append(
            LoadProblem(
                ProblemKind.DUPLICATE_KEY,
                path,
                offset + dup.line,
                dup.column,
                f"key {dup.key!r} appears twice in one mapping (first on line "
                f"{offset + dup.first}); YAML readers disagree on which value wins",
            )
        )
        return
    except BadScalar as bad:
        problems.append(
            LoadProblem(
                ProblemKind.SYNTAX,
                path,
                offset + bad.line,
                bad.column,
                f"YAML error: {bad.message}",
            )
        )
        return
    if not _is_object(body):
        problems.append(
            LoadProblem(
                ProblemKind.NOT_OBJECT,
                path,
                line,
                column,
                "document is not a Kubernetes object (a mapping with apiVersion and kind)",
            )
        )
        return
    if body["kind"].endswith("List") and isinstance(body.get("items"), list):
        for position, item in enumerate(body["items"]):
            prefix = ("items", position)
            item_line, item_column = document.locate(prefix)
            if _is_object(item):
                manifests.append(
                    Manifest(item, path, item_line, item_column, index, document, prefix)
                )
            else:
                problems.append(
                    LoadProblem(
                        ProblemKind.NOT_OBJECT,
                        path,
                        item_line,
                        item_column,
                        f"item {position} of {body['kind']} is not a Kubernetes object",
                    )
                )
        return
    manifests.append(Manifest(body, path, line, column, index, document))


def _is_object(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("apiVersion"), str)
        and isinstance(value.get("kind"), str)
        and bool(value["kind"])
    )


def manifests_by_path(manifests: Iterable[Manifest]) -> dict[str, list[Manifest]]:
    grouped: dict[str, list[Manifest]] = {}
    for manifest in manifests:
        grouped.setdefault(manifest.path, []).append(manifest)
    return grouped
