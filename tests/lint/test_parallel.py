"""Two processes give what one gives: parsing and per-object rules split over a forked child
are merged back in input order, so objects, findings and report bytes are the same."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from gitops.commands.catalog import CATALOG
from gitops.k8s import parallel
from gitops.k8s import prefetch as prefetch_module
from gitops.k8s.manifests import load
from gitops.k8s.parallel import MAX_PIECES, Shared, interleaved
from gitops.k8s.prefetch import prefetch
from gitops.lint.config import flags_layer
from gitops.lint.rules import REGISTRY
from gitops.lint.run import lint
from gitops.settings import load_settings
from tests.conftest import ROOT, gitops

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


def _slow(seconds: float) -> Callable[[int], tuple[int, int]]:
    """Item ``index`` and the process that computed it, after ``seconds``."""

    def compute(index: int) -> tuple[int, int]:
        time.sleep(seconds)
        return index, os.getpid()

    return compute


_by_process = _slow(0.0005)
"""Slow enough that both processes take pieces."""


@pytest.mark.parametrize("count", [16, MAX_PIECES, 5 * MAX_PIECES + 3])
def test_shared_work_comes_back_in_order_from_both_processes(count: int) -> None:
    shared = Shared(count, _slow(0.3 / count), jobs=2)  # 0.3 s of work: the child joins in
    values = shared.results()
    assert [index for index, _ in values] == list(range(count))
    parent = os.getpid()
    theirs = set(shared.theirs())
    assert theirs and len(theirs) < count  # both took pieces
    assert all((pid != parent) == (index in theirs) for index, pid in values)


def test_shared_work_in_one_process_when_asked_or_too_small() -> None:
    for shared in (Shared(50, _by_process, jobs=1), Shared(1, _by_process, jobs=2)):
        assert {pid for _, pid in shared.results()} == {os.getpid()}
        assert not list(shared.theirs())
    assert Shared(0, _by_process, jobs=2).results() == []


def test_shared_work_a_failed_child_did_not_send_is_computed_here() -> None:
    parent = os.getpid()

    def compute(index: int) -> tuple[int, int]:
        if os.getpid() != parent and index > 30:
            raise RuntimeError("boom")
        return _by_process(index)

    shared = Shared(200, compute, jobs=2)
    values = shared.results()
    assert [index for index, _ in values] == list(range(200))
    assert all(pid == parent for index, pid in values if index > 30)
    # What it sent before it failed is kept: whole pieces, each computed once.
    assert all(index <= 30 for index in shared.theirs())
    assert all((pid != parent) == (index in set(shared.theirs())) for index, pid in values)


def test_a_child_started_early_works_while_this_process_is_busy() -> None:
    """Started before the caller joins in (prefetch): the child has taken pieces meanwhile,
    and a child never joined is stopped by cancel."""
    shared = Shared(400, _by_process, jobs=2)
    time.sleep(0.1)
    values = shared.results()
    assert [index for index, _ in values] == list(range(400))
    assert len(list(shared.theirs())) > 100
    left = Shared(10_000, _by_process, jobs=2)
    assert left._child is not None
    child = left._child[0]
    left.cancel()
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)


def _objects(paths: list[str], jobs: int | None) -> list[tuple[object, ...]]:
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


def _planned(count: int, minimum: int = 2) -> Shared[tuple[int, int]]:
    def plan() -> tuple[object, int, Callable[[int], tuple[int, int]]]:
        return {"planned-by": os.getpid()}, count, _slow(0.3 / max(count, 1))

    return Shared.planned(plan, minimum=minimum)


def test_a_job_planned_by_the_child_is_shared_once_this_process_joins() -> None:
    shared = _planned(300)
    plan = shared.plan()
    assert plan is not None and plan["planned-by"] != os.getpid()
    values = shared.join(_slow(0.001))
    assert [index for index, _ in values] == list(range(300))
    theirs = set(shared.theirs())
    assert theirs and len(theirs) < 300
    assert all((pid != os.getpid()) == (index in theirs) for index, pid in values)


def test_a_job_too_small_to_share_is_left_to_this_process() -> None:
    shared = _planned(30, minimum=100)
    child = shared._child
    assert child is not None and shared.plan() == {"planned-by": child[0]}
    values = shared.join(_slow(0))
    assert values == [(index, os.getpid()) for index in range(30)]
    assert not list(shared.theirs())


def test_a_plan_that_fails_says_nothing_and_is_stopped_when_not_joined() -> None:
    def fail() -> tuple[object, int, Callable[[int], object]]:
        raise RuntimeError("boom")

    assert Shared.planned(fail).plan() is None
    left = _planned(10_000)
    assert left._child is not None
    child = left._child[0]
    left.cancel()
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)


def test_a_prefetched_parse_loads_what_a_plain_one_loads(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started before the loader is asked (gitops lint), found and parsed by the child and
    this process together: the same objects and problems as one process finds; a few files
    (or files named one by one) start nothing."""
    monkeypatch.setenv(parallel.JOBS_ENV, "2")
    prefetch_module.cancel_all()
    paths = [str(corpus)]
    prefetch(paths)
    assert prefetch_module._started.get(tuple(paths)) is not None
    assert _objects(paths, jobs=None) == _objects(paths, jobs=1)
    assert tuple(paths) not in prefetch_module._started
    (tmp_path / "few").mkdir()
    (tmp_path / "few" / "a.yaml").write_text(ALIASES)
    prefetch([str(tmp_path / "few")])
    assert _objects([str(tmp_path / "few")], jobs=None) == _objects([str(tmp_path / "few")], 1)
    prefetch([str(tmp_path / "few" / "a.yaml")])
    assert not prefetch_module._started


def test_a_lint_that_fails_before_loading_leaves_no_parse_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child is stopped when the command ends, however it ends: a later command in the
    same process (a test run, an editor plugin) parses the files as they are then."""
    monkeypatch.setenv(parallel.JOBS_ENV, "2")
    prefetch_module.cancel_all()
    repo = tmp_path / "repo"
    generate(repo / "vendor", 450)
    (repo / "pyproject.toml").write_text('[tool.gitops.lint]\nenable = ["NO999"]\n')
    failed = gitops(repo, "lint", "--format", "json", "vendor")
    assert failed.code == 2 and "NO999" in failed.err
    assert not prefetch_module._started
    (repo / "pyproject.toml").write_text("[tool.gitops]\n")
    (repo / "vendor" / "m-broken.yaml").write_text(BROKEN)
    done = gitops(repo, "lint", "--format", "json", "vendor")
    assert done.code == 1, done.err
    assert "m-broken.yaml" in done.out  # parsed after it was written


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
