"""IN: documents that cannot be read as Kubernetes objects.

The loader reports these (they are not checks over objects); they are rules so that they
have codes, documentation, severities and SARIF descriptors like every other finding.
"""

from __future__ import annotations

from gitops.findings import Severity
from gitops.k8s.manifests import ProblemKind
from gitops.rules.registry import Registry, Rule, reported_rule

FAMILY = "input"


def _input_rule(code: str, name: str, doc: str) -> Rule:
    return reported_rule(code, name, doc, family=FAMILY, severity=Severity.ERROR, engine="loader")


yaml_syntax_error = _input_rule(
    "IN001",
    ProblemKind.SYNTAX,
    """A document is not valid YAML.

    Why: Argo CD fails the whole sync of an app when one file does not parse, and nothing in
    the file is checked until it does.
    Fix: Correct the YAML at the reported line; for rendered files, re-run gitops synth.
    """,
)
duplicate_key = _input_rule(
    "IN002",
    ProblemKind.DUPLICATE_KEY,
    """A mapping has the same key twice.

    Why: YAML forbids it, and tools disagree on which value wins: kubectl, Argo CD and this
    linter could each see a different object.
    Fix: Keep one of the two keys.
    """,
)
not_an_object = _input_rule(
    "IN003",
    ProblemKind.NOT_OBJECT,
    """A document is not a Kubernetes object (a mapping with apiVersion and kind).

    Why: Argo CD rejects it at sync time; usually it is a values file or a template fragment
    in a directory that Argo CD reads as manifests.
    Fix: Move the file out of the manifest directory, or add apiVersion and kind.
    """,
)
not_utf8 = _input_rule(
    "IN004",
    ProblemKind.ENCODING,
    """A file is not UTF-8 text.

    Why: Kubernetes reads manifests as UTF-8; other encodings turn into garbled names and
    values, or a parse error at sync time.
    Fix: Re-save the file as UTF-8.
    """,
)
alias_bomb = _input_rule(
    "IN005",
    ProblemKind.ALIAS_BOMB,
    """YAML aliases expand a document to more than a million nodes.

    Why: This is the "billion laughs" pattern: expanding it exhausts memory in every tool that
    reads the file, Argo CD's repo server included.
    Fix: Remove the nested anchors and aliases; write the values out.
    """,
)
unreadable_file = _input_rule(
    "IN006",
    ProblemKind.UNREADABLE,
    """A file cannot be read, is not a regular file, or a directory is a symbolic link.

    Why: A path that does not exist or cannot be read means some manifests were not checked.
    A FIFO, device or socket is never read (it could block or never end), and a symlinked
    directory in a tree is not followed (it could lead outside the tree or loop).
    Fix: Check the path and its permissions; replace special files and directory links with
    regular files, or pass a link's target as a path of its own.
    """,
)
too_large = _input_rule(
    "IN007",
    ProblemKind.TOO_LARGE,
    """A file is larger than the size limit, or a document is nested too deeply.

    Why: No real manifest is hundreds of megabytes or hundreds of levels deep; reading one
    would cost every tool, Argo CD's repo server included, memory and time without bound.
    The limits are 256 MiB per file (GITOPS_MAX_FILE_BYTES changes it) and 200 levels.
    Fix: Split the file, or flatten the structure; check that the file is a manifest at all.
    """,
)

RULES = (
    yaml_syntax_error,
    duplicate_key,
    not_an_object,
    not_utf8,
    alias_bomb,
    unreadable_file,
    too_large,
)

INPUT_REGISTRY = Registry.collect(RULES)
"""The input rules alone: what any engine that loads YAML reports problems with."""
