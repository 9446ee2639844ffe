"""Two processes give what one gives: parsing and per-object rules split over a forked child
are merged back in input order, so objects, findings and report bytes are the same."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gitops.commands.catalog import CATALOG
from gitops.k8s.manifests import load
from gitops.k8s.parallel import in_child, interleaved
from gitops.lint.config import flags_layer
from gitops.lint.rules import REGISTRY
from gitops.lint.run import lint
from gitops.settings import load_settings
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "tests" / "bench"))
from gen_vendor import generate

BROKEN = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken\ndata:\n  a: [1\n"
ALIASES = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: aliased
  labels: &labels {app: aliased}
data: *labels
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: listed, namespace: default}
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Vendor-style charts, this repo's rendered/ tree, a broken file and aliases between."""
    root = tmp_path_factory.mktemp("parallel")
    generate(root / "vendor", 600)
    shutil.copytree(ROOT / "rendered", root / "rendered")
    (root / "vendor" / "m-broken.yaml").write_text(BROKEN)
    (root / "vendor" / "m-aliases.yaml").write_text(ALIASES)
    return root


def test_the_child_is_another_process_and_a_failed_child_gives_nothing() -> None:
    child = in_child(os.getpid)
    assert child is not None and child.result() not in (None, os.getpid())

    def fail() -> None:
        raise RuntimeError("boom")

    failed = in_child(fail)
    assert failed is not None and failed.result() is None


def _objects(paths: list[str], jobs: int) -> list[tuple[object, ...]]:
    loaded = load(paths, jobs=jobs)
    return [
        (m.path, m.line, m.column, m.document_index, m.body, m.locate(("metadata", "name")))
        for m in loaded.manifests
    ] + [(p.kind, p.path, p.line, p.column, p.message) for p in loaded.problems]


def test_two_processes_load_the_same_objects_and_problems(corpus: Path) -> None:
    one = _objects([str(corpus)], jobs=1)
    assert len(one) > 700
    assert any(entry[1] == str(corpus / "vendor" / "m-broken.yaml") for entry in one)
    assert _objects([str(corpus)], jobs=2) == one


def test_two_processes_find_the_same(corpus: Path) -> None:
    settings = load_settings(ROOT)
    runs = [
        lint(
            [str(corpus)],
            settings,
            registry=REGISTRY,
            known=CATALOG,
            flags=flags_layer(CATALOG, preset=None, fail_on=None),
            jobs=jobs,
        )
        for jobs in (1, 2)
    ]
    assert len(runs[0].findings) > 500
    assert runs[1] == runs[0]


@pytest.mark.parametrize("output_format", ["json", "sarif", "text"])
def test_the_report_bytes_are_the_same_with_any_jobs_and_hash_seed(
    corpus: Path, output_format: str
) -> None:
    outputs = set()
    for jobs, seed in (("1", "0"), ("2", "1"), ("2", "4242")):
        done = subprocess.run(
            [sys.executable, "-m", "gitops", "lint", "--format", output_format, str(corpus)],
            cwd=ROOT,
            capture_output=True,
            env={**os.environ, "GITOPS_JOBS": jobs, "PYTHONHASHSEED": seed},
            timeout=300,
            check=False,
        )
        assert done.returncode == 1, done.stderr.decode()[-2000:]
        outputs.add(done.stdout)
    assert len(outputs) == 1


def _tagged(index: int) -> str:
    """Piece ``index``, saying which process computed it (200 KB: more than a pipe holds)."""
    return f"{index}:{os.getpid()}:" + "x" * 200_000


def test_interleaved_pieces_come_in_order_with_the_odd_ones_from_a_child() -> None:
    pieces = [p.split(":")[:2] for p in interleaved(9, _tagged)]
    assert [int(index) for index, _ in pieces] == list(range(9))
    parent = str(os.getpid())
    assert {pid for index, pid in pieces if int(index) % 2 == 0} == {parent}
    odd = {pid for index, pid in pieces if int(index) % 2}
    assert len(odd) == 1 and parent not in odd


def test_interleaved_pieces_a_failed_child_did_not_send_are_computed_here() -> None:
    parent = os.getpid()

    def compute(index: int) -> str:
        if index >= 5 and os.getpid() != parent:
            raise RuntimeError("boom")
        return f"{index}:{os.getpid()}"

    pieces = [p.split(":") for p in interleaved(10, compute)]
    assert [int(index) for index, _ in pieces] == list(range(10))
    assert pieces[3][1] != str(parent)
    assert all(pid == str(parent) for index, pid in pieces if int(index) >= 4)


def test_interleaved_pieces_left_unread_end_the_child() -> None:
    stream = interleaved(40, _tagged)
    next(stream)
    child = int(next(stream).split(":")[1])
    stream.close()  # the child is blocked writing piece 3: it must not be left behind
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)


def test_a_second_process_only_when_a_core_is_free_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """With every core but one busy right now, large inputs stay in one process (a fork would
    only add its cost); GITOPS_JOBS decides when it is set."""
    from gitops.k8s import parallel

    monkeypatch.delenv(parallel.JOBS_ENV, raising=False)
    busy = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(max(0, parallel._cores() - 1))
    ]
    try:
        time.sleep(0.5)  # started and spinning
        assert parallel.default_jobs(10**6) == 1
        monkeypatch.setenv(parallel.JOBS_ENV, "2")
        assert parallel.default_jobs(10**6) == 2
    finally:
        for process in busy:
            process.kill()
            process.wait()
    monkeypatch.setenv(parallel.JOBS_ENV, "1")
    assert parallel.default_jobs(10**6) == 1
