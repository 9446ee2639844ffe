"""The loader on input that is valid YAML but hostile or odd: every case is a finding (or
loads), never a crash, a hang, unbounded memory or a silently dropped object."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from gitops.k8s.manifests import MAX_FILE_BYTES_ENV, ProblemKind, load, load_text
from gitops.k8s.yaml_data import MAX_DEPTH

CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"


def _problems(text: str) -> list[tuple[str, int, str]]:
    manifests: list = []
    problems: list = []
    load_text(text, "x.yaml", manifests, problems)
    return [(p.kind, p.line, p.message) for p in problems]


def test_a_fifo_is_a_finding_not_a_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.yaml")
    (tmp_path / "ok.yaml").write_text(CONFIG_MAP)
    done: list = []
    worker = threading.Thread(target=lambda: done.append(load([str(tmp_path)])), daemon=True)
    worker.start()
    worker.join(timeout=30)
    if not done:  # unblock the reader before failing (a writer end closes the FIFO)
        with open(tmp_path / "x.yaml", "wb"):
            pass
        pytest.fail("reading a FIFO blocked")
    loaded = done[0]
    assert [m.name for m in loaded.manifests] == ["c"]
    assert [(p.kind, p.message) for p in loaded.problems] == [
        (ProblemKind.UNREADABLE, "cannot read: a FIFO (named pipe), not a regular file")
    ]


def test_a_link_to_a_device_and_a_socket_are_not_read(tmp_path: Path) -> None:
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "s.yaml"))
    try:
        loaded = load([str(tmp_path)])
    finally:
        server.close()
    messages = sorted(p.message for p in loaded.problems)
    assert messages == [
        "cannot read: a character device, not a regular file",
        "cannot read: a socket, not a regular file",
    ]


def test_files_over_the_size_cap_are_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "big.yaml").write_text(CONFIG_MAP + "data: {a: " + "x" * 200 + "}\n")
    monkeypatch.setenv(MAX_FILE_BYTES_ENV, "100")
    loaded = load([str(tmp_path / "big.yaml")])
    assert not loaded.manifests
    assert [p.kind for p in loaded.problems] == [ProblemKind.TOO_LARGE]
    assert MAX_FILE_BYTES_ENV in loaded.problems[0].message


def test_a_symlinked_directory_is_reported_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "c.yaml").write_text(CONFIG_MAP)
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / "linked").symlink_to(tmp_path / "real")
    loaded = load([str(tmp_path / "tree")])
    assert [(p.kind, Path(p.path).name) for p in loaded.problems] == [
        (ProblemKind.UNREADABLE, "linked")
    ]
    assert "symbolic link to a directory" in loaded.problems[0].message


def test_a_recursive_alias_is_a_finding() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: x, self: *m}\n"
    assert _problems(text) == [
        (
            ProblemKind.ALIAS_BOMB,
            3,
            "this alias refers to a node that contains it (a recursive alias), which expands "
            "without end; the document was not read",
        )
    ]


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 500, 997, 5000])
def test_deep_nesting_is_a_finding(levels: int) -> None:
    # From 1,000 levels (999 brackets and the mapping) libyaml itself refuses the document (a syntax error).
    kind = ProblemKind.TOO_LARGE if levels < 999 else ProblemKind.SYNTAX
    text = CONFIG_MAP + "data:\n  a: " + "[" * levels + "]" * levels + "\n"
    assert [(k, line) for k, line, _ in _problems(text)] == [(kind, 5)]
    anchored = CONFIG_MAP + "data:\n  a: &x " + "[" * levels + "]" * levels + "\n  b: *x\n"
    assert [k for k, _, _ in _problems(anchored)] == [kind]


def test_nesting_below_the_limit_loads() -> None:
    levels = MAX_DEPTH - 5
    assert _problems(CONFIG_MAP + "data:\n  a: " + "[" * levels + "]" * levels + "\n") == []


def test_a_merge_key_of_the_wrong_type_is_reported_not_dropped() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\n  <<: 5\n"
    assert [(k, line) for k, line, _ in _problems(text)] == [(ProblemKind.SYNTAX, 5)]
    good = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  <<: {name: m}\n"
    assert _problems(good) == []


def test_yaml_directives_and_json_surrogate_pairs_load() -> None:
    manifests: list = []
    problems: list = []
    load_text("%YAML 1.1\n---\n" + CONFIG_MAP, "a.yaml", manifests, problems)
    load_text(
        '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"},'
        ' "data": {"e": "\\ud83d\\ude00", "lit": "\\\\ud83d\\\\ude00"}}',
        "b.json",
        manifests,
        problems,
    )
    assert problems == []
    assert [m.name for m in manifests] == ["c", "j"]
    assert manifests[0].line == 3
    assert manifests[1].body["data"] == {"e": "\U0001f600", "lit": "\\ud83d\\ude00"}


def test_a_bad_tagged_scalar_is_not_quoted() -> None:
    text = CONFIG_MAP + "data:\n  password: !!int TOPSECRET\n"
    (found,) = _problems(text)
    assert found[0] == ProblemKind.SYNTAX and "TOPSECRET" not in found[2]
    assert "9-character value" in found[2]


def test_the_alias_budget_is_per_file() -> None:
    """200 documents each under the limit cost no more than one at the limit."""
    doc = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d}\ndata:\n"
        '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        "  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        "  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
        "  f: [*e,*e,*e,*e,*e,*e,*e]\n"
    )
    manifests: list = []
    problems: list = []
    load_text("---\n".join(doc % i for i in range(200)), "x.yaml", manifests, problems)
    assert [m.name for m in manifests] == ["c0"]
    assert len(problems) == 199
    assert {p.kind for p in problems} == {ProblemKind.ALIAS_BOMB}
    assert "this file's documents" in problems[0].message
