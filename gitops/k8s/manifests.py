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
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, TypeVar, cast

import yaml

from gitops.k8s.fields import string_keyed
from gitops.k8s.kinds import api_group, is_cluster_scoped
from gitops.k8s.parallel import Shared, default_jobs
from gitops.k8s.prefetch import PARALLEL_MIN_FILES, started
from gitops.k8s.prefetch import STDIN as STDIN
from gitops.k8s.yaml_data import (
    MAX_DEPTH,
    BadMerge,
    BadScalar,
    Document,
    DuplicateKey,
    Recursive,
    TooDeep,
    build_plain,
    build_shared,
    compose,
    expanded_size,
)

T = TypeVar("T")
YAML_SUFFIXES = (".yaml", ".yml", ".json")
MAX_EXPANDED_NODES = 1_000_000
"""Nodes the documents of one file that use anchors may expand to through aliases, together,
before the file counts as an alias bomb: per file, so that 200 documents each just under the
limit cannot cost 200 times as much."""
_PLAIN_MAX_CHARS = MAX_EXPANDED_NODES // 4
"""A document without anchors has no more nodes than this many characters could spell out
(at most about 1.5 per character, e.g. ``[?,?]``), so it cannot be an alias bomb."""

MAX_FILE_BYTES = 256 * 1024 * 1024
"""Largest file read (``GITOPS_MAX_FILE_BYTES`` overrides): a bigger one is a problem, not a
read that exhausts memory (a ``.yaml`` link to ``/dev/zero`` is refused before that)."""
MAX_FILE_BYTES_ENV = "GITOPS_MAX_FILE_BYTES"
_SURROGATE_PAIR = re.compile(
    r"(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE
)
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
    TOO_LARGE = "input-too-large"


@dataclass(frozen=True)
class LoadProblem:
    kind: str
    path: str
    line: int
    column: int
    message: str


Path = tuple[str | int, ...]


_MISSING = object()


def _child(body: Any, step: str | int) -> Any:
    """``body[step]`` when it exists, else ``_MISSING``."""
    if isinstance(body, list) and isinstance(step, int) and 0 <= step < len(body):
        return body[step]
    if isinstance(body, dict) and isinstance(step, str):
        return body.get(step, _MISSING)
    return _MISSING


def _value_at(body: Any, path: Sequence[str | int]) -> Any:
    for step in path:
        body = _child(body, step)
    return None if body is _MISSING else body


def _has_path(body: Any, path: Sequence[str | int]) -> bool:
    for step in path:
        body = _child(body, step)
        if body is _MISSING:
            return False
    return True


def _text_step(body: Any, path: Sequence[str | int]) -> int | None:
    """How many steps of ``path`` lead to a string when the path goes on past it, else None."""
    for index, step in enumerate(path):
        if isinstance(body, str):
            return index
        body = _child(body, step)
        if body is _MISSING:
            return None
    return None


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
        "_kind",
        "_metadata",
        "_namespace",
        "_overlays",
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
        self._overlays: list[tuple[Path, Path, Mapping[str, Any]]] | None = None
        # Asked of every object by most rules; objects never change after loading.
        self._kind = str(body.get("kind", ""))
        meta = body.get("metadata")
        self._metadata: Mapping[str, Any] = meta if isinstance(meta, dict) else {}

    @property
    def api_version(self) -> str:
        return str(self.body.get("apiVersion", ""))

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def group(self) -> str:
        return api_group(self.api_version)

    @property
    def metadata(self) -> Mapping[str, Any]:
        return self._metadata

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
        """``metadata.labels`` entries with string keys (YAML allows ``80: x``)."""
        return string_keyed(self.metadata.get("labels"))

    @property
    def annotations(self) -> Mapping[str, str]:
        """``metadata.annotations`` entries with string keys."""
        return string_keyed(self.metadata.get("annotations"))

    @property
    def identity(self) -> tuple[str, str, str | None, str]:
        """(group, kind, namespace, name): what the API server treats as the same object."""
        return (self.group, self.kind, self.namespace, self.name)

    def locate(self, path: Sequence[str | int] = ()) -> tuple[int, int]:
        """Line and column of the deepest existing node along ``path`` (the key's line).

        A path may go on into a string that holds YAML (an Argo Workflows ``podSpecPatch``):
        the line is then the one inside the string. A path under an overlay's ``base`` whose
        rest the overlay sets is located in the overlay instead (see ``overlay``)."""
        if not path or self._document is None:
            return self.line, self.column
        if self._overlays:
            path = self._overlaid(path)
        prefix = self._prefix
        line, column, inside = self._document.walk((*prefix, *path) if prefix else path)
        if inside is None:
            if not self.has_aliases:
                return line, column
            inside = _text_step(self.body, path)
            if inside is None:
                return line, column
        else:
            inside -= len(prefix)
        return self._locate_in_text(path[:inside], path[inside:])

    def overlay(self, base: Path, source: Path, value: Mapping[str, Any]) -> None:
        """Record that ``value``, written at ``source``, is merged over the node at ``base``
        (an Argo ``podSpecPatch`` container entry over the template's container): a field
        path under ``base`` that ``value`` sets is then located at ``source``."""
        if self._overlays is None:
            self._overlays = []
        self._overlays.append((base, source, value))

    def _overlaid(self, path: Sequence[str | int]) -> Sequence[str | int]:
        for base, source, value in reversed(self._overlays or ()):
            rest = path[len(base) :]
            if rest and tuple(path[: len(base)]) == base and _has_path(value, rest):
                return (*source, *rest)
        return path

    def _locate_in_text(
        self, outer: Sequence[str | int], inner: Sequence[str | int]
    ) -> tuple[int, int]:
        line, column = self._document.locate((*self._prefix, *outer))  # type: ignore[union-attr]
        text = _value_at(self.body, outer)
        try:
            node = yaml.compose(text) if isinstance(text, str) else None
        except yaml.YAMLError:
            node = None
        if node is None:
            return line, column
        mark, found = node.start_mark, False
        for step in inner:
            child = None
            if isinstance(node, yaml.MappingNode) and isinstance(step, str):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == step:
                        mark, child = key.start_mark, value
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(step, int)
                and 0 <= step < len(node.value)
            ):
                child = node.value[step]
                mark = child.start_mark
            if child is None:
                break
            node, found = child, True
        if not found or "\n" not in str(text).strip():
            return line, column  # not YAML with that path, or one line (JSON): the key's line
        # A block scalar: its text starts on the line after the key, indented past it.
        return line + 1 + mark.line, column + 2 + mark.column

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
    real_paths: Mapping[str, str] = field(default_factory=dict)
    """``os.path.realpath`` of files found in a directory, known from walking it (none of the
    directories below it is a link; see ``discover_files``)."""


def discover(paths: Sequence[str]) -> list[str]:
    """Files to read: explicit files as given, directories recursively (YAML/JSON only,
    skipping hidden and tool directories), ``-`` for stdin; sorted for deterministic runs."""
    return discover_files(paths)[0]


def discover_files(
    paths: Sequence[str], real_paths: dict[str, str] | None = None
) -> tuple[list[str], list[LoadProblem]]:
    """``discover``, and a problem for each symlinked directory met in a tree (not followed:
    it could lead out of the tree or into a loop; never skipped silently either). Given
    ``real_paths``, each file found in a directory gets its real path there: the real path
    of the directory given, and the rest as walked (no directory below it is a link), or
    its own for a file that is a link."""
    found: list[str] = []
    problems: list[LoadProblem] = []
    for raw in paths:
        if raw == STDIN:
            found.append(STDIN)
            continue
        if not os.path.isdir(raw):
            found.append(raw)
            continue
        _walk(raw, found, problems, real_paths)
    return found, problems


def _walk(
    top: str, found: list[str], problems: list[LoadProblem], real_paths: dict[str, str] | None
) -> None:
    """YAML and JSON files under ``top``, as ``os.walk`` (top-down, errors ignored) would list
    them with names sorted: a directory's files, then each subdirectory's in turn. One
    ``scandir`` per directory: its entries say what is a directory and what is a link (only
    a link's target is asked about)."""
    pending = [(top, os.path.realpath(top) if real_paths is not None else "")]
    while pending:
        directory, real = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            continue
        subdirectories = []
        for entry in entries:
            try:
                is_directory = entry.is_dir()
            except OSError:
                is_directory = False
            if not is_directory:
                if entry.name.endswith(YAML_SUFFIXES):
                    found.append(entry.path)
                    if real_paths is not None:
                        real_paths[entry.path] = (
                            os.path.realpath(entry.path)
                            if entry.is_symlink()
                            else os.path.join(real, entry.name)
                        )
            elif entry.name.startswith(".") or entry.name in _SKIP_DIRS:
                continue
            elif entry.is_symlink():
                problems.append(
                    LoadProblem(
                        ProblemKind.UNREADABLE,
                        entry.path,
                        1,
                        1,
                        "is a symbolic link to a directory, which is not followed; pass "
                        "its target as a path of its own, or replace the link with the files",
                    )
                )
            else:
                subdirectories.append((entry.path, os.path.join(real, entry.name)))
        pending += reversed(subdirectories)  # the first one is walked next


def posix_normal(path: str) -> bool:
    """Whether ``path`` is already in the form ``PurePosixPath(path)`` gives (no empty or "."
    parts, no trailing slash), as the paths of files found in a directory are: callers asked
    for every object then skip building a path."""
    if not path or path == "." or "//" in path or "/./" in path:
        return False
    return not path.startswith("./") and not path.endswith(("/", "/."))


def max_file_bytes() -> int:
    """``MAX_FILE_BYTES``, or ``GITOPS_MAX_FILE_BYTES`` when set to a positive integer."""
    raw = os.environ.get(MAX_FILE_BYTES_ENV, "")
    return int(raw) if raw.isdecimal() and int(raw) > 0 else MAX_FILE_BYTES


def load(
    paths: Sequence[str], stdin: IO[bytes] | None = None, *, jobs: int | None = None
) -> LoadResult:
    """Every object and problem of ``paths``, in file order. With 2 ``jobs`` (default: see
    :func:`gitops.k8s.parallel.default_jobs`) a forked child parses files too; the result is
    the same. A parse that ``prefetch`` started for the same paths is joined, not redone."""
    early = started(paths)
    plan = early.plan() if early is not None and stdin is None and jobs is None else None
    if plan is not None:
        assert early is not None
        files, problems, real_paths = plan
        limit = max_file_bytes()
        parsed = early.join(lambda index: parse_file(files[index], limit))
    else:
        if early is not None:
            early.cancel()
        real_paths = {}
        files, problems = discover_files(paths, real_paths)
        parsed = _parsing(files, stdin, jobs).results()
    manifests: list[Manifest] = []
    for found, trouble in parsed:
        manifests += found
        problems += trouble
    return LoadResult(manifests, problems, len(files), real_paths)


_Parsed = tuple[list[Manifest], list[LoadProblem]]


def parse_file(path: str, limit: int, stdin: IO[bytes] | None = None) -> _Parsed:
    """The objects and problems of one file (``-``: ``stdin``) of at most ``limit`` bytes."""
    found: list[Manifest] = []
    trouble: list[LoadProblem] = []
    if path == STDIN:
        raw = _read_bounded(stdin or sys.stdin.buffer, limit)
        data: bytes | None = raw
        problem = _too_large(path, limit) if len(raw) > limit else None
    else:
        data, problem = read_regular_file(path, limit)
    if problem is not None:
        trouble.append(problem)
    elif data is not None:
        load_text(data, path, found, trouble)
    return found, trouble


def _parsing(files: list[str], stdin: IO[bytes] | None, jobs: int | None) -> Shared[_Parsed]:
    """The parse of ``files``, shared with a forked child when ``jobs`` (default:
    ``default_jobs``) is 2; never for stdin."""
    limit = max_file_bytes()
    if STDIN in files:
        jobs = 1
    return Shared(
        len(files),
        lambda index: parse_file(files[index], limit, stdin),
        jobs or default_jobs(len(files), PARALLEL_MIN_FILES),
    )


def _read_bounded(stream: IO[bytes], limit: int) -> bytes:
    """At most ``limit + 1`` bytes of ``stream``, read in chunks (no allocation of the limit)."""
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(1 << 20, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def read_regular_file(path: str, limit: int) -> tuple[bytes | None, LoadProblem | None]:
    """The bytes of ``path``, or a problem: only regular files are read (a FIFO would block
    forever, a device never ends), and none larger than ``limit`` bytes."""
    try:
        # Not even opened unless regular: opening a device can act (a tape rewinds).
        problem = _not_regular(path, os.stat(path).st_mode)
        if problem is not None:
            return None, problem
        # O_NONBLOCK: a FIFO swapped in after the check must not block the open.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return None, _unreadable(path, f"cannot read: {exc.strerror}")
    try:
        info = os.fstat(fd)
        problem = _not_regular(path, info.st_mode)
        if problem is not None:
            return None, problem
        if info.st_size > limit:
            return None, _too_large(path, limit)
        with os.fdopen(fd, "rb", buffering=0, closefd=False) as handle:
            # The size it has now, and one more byte to see whether it grew meanwhile (asking
            # for limit + 1 bytes would allocate that much for every file).
            data = handle.read(info.st_size + 1) or b""
            if len(data) > info.st_size:
                data += handle.read(limit + 1 - len(data)) or b""
    except OSError as exc:
        return None, _unreadable(path, f"cannot read: {exc.strerror}")
    finally:
        os.close(fd)
    if len(data) > limit:
        return None, _too_large(path, limit)
    return data, None


_FILE_TYPES = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}


def _not_regular(path: str, mode: int) -> LoadProblem | None:
    if stat.S_ISREG(mode):
        return None
    what = _FILE_TYPES.get(stat.S_IFMT(mode), "not a regular file")
    return _unreadable(path, f"cannot read: {what}, not a regular file")


def _unreadable(path: str, message: str) -> LoadProblem:
    return LoadProblem(ProblemKind.UNREADABLE, path, 1, 1, message)


def _too_large(path: str, limit: int) -> LoadProblem:
    return LoadProblem(
        ProblemKind.TOO_LARGE,
        path,
        1,
        1,
        f"larger than {limit:,} bytes; it was not read (set {MAX_FILE_BYTES_ENV} to raise "
        "the limit)",
    )


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
    budget = [MAX_EXPANDED_NODES]
    for index, (offset, chunk) in enumerate(_split_documents(text)):
        _load_document(chunk, offset, index, path, manifests, problems, budget)


def _split_documents(text: str) -> Iterator[tuple[int, str]]:
    """(line offset, text) of each document between ``---`` / ``...`` lines."""
    start, line = 0, 0
    for match in _DOC_START.finditer(text):
        chunk = text[start : match.start()]
        if match.group(0).startswith("---") and _only_directives(chunk):
            continue  # "%YAML 1.1" and "%TAG" lines belong to the document after the "---"
        yield line, chunk
        line += chunk.count("\n")
        # A "--- value" line keeps its content (after the marker) in the next document.
        rest = match.group(0)[3:]
        start = match.end() - len(rest) if match.group(0).startswith("---") else match.end()
    yield line, text[start:]


def _only_directives(chunk: str) -> bool:
    lines = [line for line in chunk.splitlines() if line.strip() and not line.startswith("#")]
    return bool(lines) and all(line.startswith("%") for line in lines)


def _compose(chunk: str) -> Any:
    """The chunk's node tree. JSON writes characters beyond the BMP as surrogate-pair escapes
    (``"\\ud83d\\ude00"``), which YAML does not accept: such a pair is retried as the one
    escape YAML has for it (``\\U0001f600``)."""
    try:
        return compose(chunk)
    except yaml.MarkedYAMLError as exc:
        if "escape" not in str(exc.problem) or not _SURROGATE_PAIR.search(chunk):
            raise
    return compose(_SURROGATE_PAIR.sub(_joined_pair, chunk))


def _joined_pair(match: re.Match[str]) -> str:
    high, low = int(match.group(2), 16), int(match.group(3), 16)
    code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
    return f"{match.group(1)}\\U{code:08x}"


def _load_document(
    chunk: str,
    offset: int,
    index: int,
    path: str,
    manifests: list[Manifest],
    problems: list[LoadProblem],
    budget: list[int],
) -> None:
    """Append the object(s) of one document, or its problem. ``budget`` holds the nodes that
    aliases may still expand to in this file (``MAX_EXPANDED_NODES``)."""
    try:
        node = _compose(chunk)
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
            size = expanded_size(node, {}) if not plain else 0
            if size > MAX_EXPANDED_NODES or ("&" in chunk and size > budget[0]):
                whole = "this document" if size > MAX_EXPANDED_NODES else "this file's documents"
                problems.append(
                    LoadProblem(
                        ProblemKind.ALIAS_BOMB,
                        path,
                        line,
                        column,
                        f"YAML aliases expand {whole} to more than "
                        f"{MAX_EXPANDED_NODES:,} nodes (an alias bomb); it was not read",
                    )
                )
                return
            if "&" in chunk:
                budget[0] -= size
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
    except BadMerge as bad:
        problems.append(
            LoadProblem(
                ProblemKind.SYNTAX,
                path,
                offset + bad.line,
                bad.column,
                "YAML error: a merge key (<<) must be followed by a mapping or a list of "
                "mappings; this value was not merged",
            )
        )
        return
    except Recursive as loop:
        problems.append(
            LoadProblem(
                ProblemKind.ALIAS_BOMB,
                path,
                offset + loop.line,
                loop.column,
                "this alias refers to a node that contains it (a recursive alias), which "
                "expands without end; the document was not read",
            )
        )
        return
    except (TooDeep, RecursionError) as deep:
        at_line, at_column = (
            (offset + deep.line, deep.column) if isinstance(deep, TooDeep) else (line, column)
        )
        problems.append(
            LoadProblem(
                ProblemKind.TOO_LARGE,
                path,
                at_line,
                at_column,
                f"nested more than {MAX_DEPTH} levels deep; the document was not read",
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
