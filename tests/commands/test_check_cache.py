"""The check cache: an identical ``gitops check`` replays the recorded report, byte for byte,
only while nothing the recorded run read has changed; anything else runs the check for real.
Real CLI processes on real files in temporary repos, real cdk8s and real git."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from gitops.commands import check_cache
from gitops.commands.check_cache import KEEP, RunFacts
from gitops.errors import ExitCode
from tests.conftest import ROOT, copy_sources, git, gitops_process

ON = {"CI": "", "GITOPS_NO_CACHE": "", "GITOPS_DEBUG": "1"}
HIT = "debug: check cache: hit"
MISS = "debug: check cache: miss"
OFF = "debug: check cache: off"
RECORDED = "; recorded)"
EXTRA = "rendered/dev/extra/deployment.extra.yaml"
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: extra
  namespace: extra
spec:
  replicas: 1
  selector:
    matchLabels: {app: extra}
  template:
    metadata:
      labels: {app: extra}
    spec:
      containers:
        - name: web
          image: nginx:latest
          replica: 3
"""


@dataclass(frozen=True)
class Check:
    code: int
    out: bytes
    err: str

    @property
    def cache_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith("debug: check cache:")]

    @property
    def codes(self) -> set[str]:
        return {f["code"] for f in json.loads(self.out)["findings"]}


def check(root: Path, *args: str, **env: str) -> Check:
    """``gitops check`` in a fresh interpreter; stdout as bytes (compared byte for byte)."""
    done = subprocess.run(
        [sys.executable, "-m", "gitops", "--root", str(root), "check", *args],
        capture_output=True,
        env={**os.environ, **ON, **env},
        timeout=180,
        check=False,
    )
    return Check(done.returncode, done.stdout, done.stderr.decode())


def records(root: Path) -> list[Path]:
    return sorted((root / check_cache.CACHE_DIR).glob(f"{check_cache.PREFIX}*.json"))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A config repo without apps/ (nothing to render): this repo's settings and rendered/,
    plus one hand-written Deployment with lint and schema findings (so a check exits 1)."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(ROOT / "rendered", root / "rendered")
    (root / ".gitops").mkdir()
    shutil.copy(ROOT / ".gitops" / "render-index.json", root / ".gitops" / "render-index.json")
    (root / EXTRA).parent.mkdir(parents=True)
    (root / EXTRA).write_text(DEPLOYMENT)
    return root


@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_a_hit_prints_the_same_bytes_and_exit_code_as_a_real_run(
    repo: Path, output_format: str
) -> None:
    real = check(repo, "--format", output_format, GITOPS_NO_CACHE="1")
    assert real.code == ExitCode.FINDINGS, real.err
    assert real.cache_lines == ["debug: check cache: off (GITOPS_NO_CACHE is set)"]
    assert not records(repo)
    miss = check(repo, "--format", output_format)
    assert miss.cache_lines == [f"{MISS} (no record for these options{RECORDED}"]
    hit = check(repo, "--format", output_format)
    assert hit.cache_lines == [f"{HIT} (no input of the last identical check changed)"]
    assert b"SC001" in real.out and b"IM001" in real.out
    assert miss.out == real.out and hit.out == real.out
    assert miss.code == hit.code == real.code
    assert len(records(repo)) == 1


def test_the_record_stays_out_of_git(repo: Path) -> None:
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init")
    check(repo)
    assert check(repo).cache_lines[0].startswith(HIT)
    assert git(repo, "status", "--porcelain", "--ignored=no") == ""
    assert ".gitops/cache/" in git(repo, "status", "--porcelain", "--ignored")


def test_a_hand_edited_rendered_file_is_a_miss_that_reports_the_new_finding(repo: Path) -> None:
    first = check(repo, "--format", "json")
    assert "SC002" not in first.codes
    path = repo / EXTRA
    path.write_text(DEPLOYMENT.replace("replicas: 1", "replicas: one"))
    edited = check(repo, "--format", "json")
    assert edited.cache_lines == [f"{MISS} ({EXTRA} changed{RECORDED}"]
    assert "SC002" in edited.codes
    again = check(repo, "--format", "json")
    assert again.cache_lines[0].startswith(HIT) and again.out == edited.out


def test_lint_settings_in_pyproject_are_an_input(repo: Path) -> None:
    first = check(repo, "--format", "json")
    assert "IM001" in first.codes
    pyproject = repo / "pyproject.toml"
    assert "[tool.gitops.lint]" not in pyproject.read_text()
    pyproject.write_text(pyproject.read_text() + '\n[tool.gitops.lint]\ndisable = ["IM001"]\n')
    second = check(repo, "--format", "json")
    assert second.cache_lines == [f"{MISS} (pyproject.toml changed{RECORDED}"]
    assert "IM001" not in second.codes


def test_each_set_of_options_has_its_own_record(repo: Path) -> None:
    text = check(repo)
    as_json = check(repo, "--format", "json")
    assert as_json.cache_lines[0].startswith(MISS) and as_json.out != text.out
    strict = check(repo, "--preset", "strict")
    assert strict.cache_lines[0].startswith(MISS)
    assert len(records(repo)) == 3
    for args, before in (
        ((), text),
        (("--format", "json"), as_json),
        (("--preset", "strict"), strict),
    ):
        again = check(repo, *args)
        assert again.cache_lines[0].startswith(HIT) and again.out == before.out


def test_a_file_parsed_in_a_forked_child_is_an_input(repo: Path) -> None:
    """With 400+ files and two jobs, a forked child parses part of them (which ones depends
    on timing): the audit hook in the parent never hears those opens, yet editing any file is
    a miss."""
    bulk = repo / "rendered" / "dev" / "bulk"
    bulk.mkdir()
    for n in range(420):
        text = DEPLOYMENT.replace("name: extra\n", f"name: bulk-{n:03}\n", 1)
        (bulk / f"deployment.bulk-{n:03}.yaml").write_text(text)
    first = check(repo, "--format", "json", GITOPS_JOBS="2")
    assert first.cache_lines[0].startswith(MISS) and first.cache_lines[0].endswith(RECORDED)
    assert check(repo, "--format", "json", GITOPS_JOBS="2").cache_lines[0].startswith(HIT)
    edited_file = bulk / "deployment.bulk-001.yaml"
    edited_file.write_text(edited_file.read_text().replace("replicas: 1", "replicas: one"))
    edited = check(repo, "--format", "json", GITOPS_JOBS="2")
    assert edited.cache_lines == [
        f"{MISS} (rendered/dev/bulk/deployment.bulk-001.yaml changed{RECORDED}"
    ]
    assert "SC002" in edited.codes and "SC002" not in first.codes


def test_a_new_file_under_rendered_is_a_miss(repo: Path) -> None:
    first = check(repo, "--format", "json")
    added = repo / "rendered" / "dev" / "extra" / "deployment.second.yaml"
    added.write_text(DEPLOYMENT.replace("name: extra\n", "name: second\n", 1))
    second = check(repo, "--format", "json")
    assert second.cache_lines == [f"{MISS} (the files in rendered/dev/extra changed{RECORDED}"]
    paths = {f["path"] for f in json.loads(second.out)["findings"]}
    assert "rendered/dev/extra/deployment.second.yaml" in paths
    assert second.out != first.out


def test_an_environment_variable_the_check_reads_is_an_input(repo: Path) -> None:
    first = check(repo, "--format", "json")
    # Not read by the check: still a hit.
    assert check(repo, "--format", "json", UNRELATED_VARIABLE="x").cache_lines[0].startswith(HIT)
    # Read by the loader: a file larger than this is an input problem (IN rule).
    small = check(repo, "--format", "json", GITOPS_MAX_FILE_BYTES="200")
    assert small.cache_lines == [f"{MISS} ($GITOPS_MAX_FILE_BYTES changed{RECORDED}"]
    assert small.out != first.out
    assert any(code.startswith("IN") for code in small.codes)
    (record,) = records(repo)
    stored = json.loads(record.read_text())["inputs"]["env"]["GITOPS_MAX_FILE_BYTES"]
    assert stored == hashlib.sha256(b"200").hexdigest()  # its hash, never the value


@pytest.mark.parametrize(
    ("args", "env", "reason"),
    [
        (("--no-cache",), {}, "--no-cache"),
        ((), {"CI": "true"}, "CI is set"),
        ((), {"GITOPS_NO_CACHE": "1"}, "GITOPS_NO_CACHE is set"),
    ],
    ids=["--no-cache", "CI=true", "GITOPS_NO_CACHE=1"],
)
def test_turned_off_the_cache_is_neither_read_nor_written(
    repo: Path, args: tuple[str, ...], env: dict[str, str], reason: str
) -> None:
    real = check(repo)
    (record,) = records(repo)
    data = json.loads(record.read_text())
    data["stdout"] = "TAMPERED\n"
    record.write_text(json.dumps(data))
    # With the cache on, the (tampered) record is what a hit prints.
    assert check(repo).out == b"TAMPERED\n"
    before = record.read_bytes(), record.stat().st_mtime_ns
    off = check(repo, *args, **env)
    assert off.cache_lines == [f"{OFF} ({reason})"]
    assert off.out == real.out and off.code == real.code
    assert (record.read_bytes(), record.stat().st_mtime_ns) == before
    other = check(repo, "--format", "json", *args, **env)
    assert other.cache_lines == [f"{OFF} ({reason})"]
    assert records(repo) == [record]


def test_an_unreadable_record_is_a_miss(repo: Path) -> None:
    real = check(repo)
    (record,) = records(repo)
    record.write_text('{"format": 1, "options": ')
    broken = check(repo)
    assert broken.cache_lines == [f"{MISS} (unreadable record{RECORDED}"]
    assert broken.out == real.out and broken.code == real.code
    assert check(repo).cache_lines[0].startswith(HIT)


def test_a_failed_run_is_not_recorded(repo: Path) -> None:
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.gitops.validate]\nengine = "nope"\n')
    failed = check(repo)
    assert failed.code == ExitCode.USAGE, failed.err
    assert failed.cache_lines == [
        f"{MISS} (no record for these options; not recorded: the run failed)"
    ]
    assert not records(repo)


def test_review_options_and_other_engines_turn_it_off(repo: Path) -> None:
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init")
    review = check(repo, "--new-since", "HEAD")
    assert review.cache_lines == [f"{OFF} (--new-since/--baseline read git and the baseline file)"]
    engine = check(repo, "--engine", "kubeconform")
    assert engine.cache_lines == [f"{OFF} (--engine kubeconform runs a program)"]
    assert not records(repo)
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.gitops.validate]\nengine = "auto"\n')
    auto = check(repo)
    assert auto.cache_lines == [f"{MISS} (no record for these options; not recorded: engine auto)"]
    assert not records(repo)


_MODULES = """
import atexit, runpy, sys
heavy = ("jsonschema_rs", "yaml", "gitops.lint.rules", "gitops.validate.builtin",
         "gitops.validate.run", "gitops.commands.check", "gitops.k8s.manifests", "cdk8s")
# At exit: gitops may end the process without the interpreter's teardown (atexit still runs).
atexit.register(lambda: print(" ".join(m for m in heavy if m in sys.modules), file=sys.stderr))
sys.argv = ["gitops", "--root", sys.argv[1], "check"]
runpy.run_module("gitops", run_name="__main__")
"""


def test_a_hit_imports_neither_the_validator_nor_the_rules(repo: Path) -> None:
    def loaded() -> tuple[str, list[str]]:
        done = subprocess.run(
            [sys.executable, "-c", _MODULES, str(repo)],
            capture_output=True,
            text=True,
            env={**os.environ, **ON},
            timeout=180,
            check=False,
        )
        lines = done.stderr.splitlines()
        return next(line for line in lines if "check cache:" in line), lines[-1].split()

    miss, on_miss = loaded()
    assert miss.startswith(MISS)
    assert {"jsonschema_rs", "gitops.lint.rules", "gitops.validate.builtin"} <= set(on_miss)
    hit, on_hit = loaded()
    assert hit.startswith(HIT)
    assert on_hit == []


def test_only_the_most_recently_used_records_are_kept(repo: Path) -> None:
    folder = repo / check_cache.CACHE_DIR
    folder.mkdir(parents=True)
    paths = [folder / f"{check_cache.PREFIX}{n:02}.json" for n in range(KEEP + 3)]
    for age, path in enumerate(paths):
        path.write_text("{}")
        os.utime(path, ns=(10**18 - age * 10**9, 10**18 - age * 10**9))
    (folder / "synth.json").write_text("{}")
    check_cache._prune(folder)
    assert records(repo) == paths[:KEEP]
    assert (folder / "synth.json").is_file()


def test_a_run_during_which_an_input_changed_is_not_recorded(repo: Path) -> None:
    """A run reads a file that is then changed before the run ends (an editor saving while a
    check runs): the output may be from the old bytes, so nothing is recorded."""
    target = repo / EXTRA
    told: list[str] = []
    time.sleep(0.1)  # the fixture's own writes are not "during the run"

    def run(echo: object, warn: object, facts: RunFacts | None) -> int:
        assert facts is not None
        facts.drift, facts.engine = "no apps/", "builtin"
        with target.open(encoding="utf-8") as handle:
            handle.read()
        target.write_text(DEPLOYMENT + "# saved while the check ran\n")
        return 0

    options = {"format": "text", "case": "changed during the run"}
    code = check_cache.cached(
        repo, options, run, echo=lambda text: None, warn=lambda text: None, debug=told.append
    )
    assert code == 0
    assert told == [
        f"check cache: miss (no record for these options; not recorded: {EXTRA} changed "
        "during the run)"
    ]
    assert not records(repo)


# With apps/: the check cache and the synth cache together (real cdk8s renders).


@pytest.fixture(scope="module")
def rendered_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_sources(tmp_path_factory.mktemp("check-cache") / "repo", rendered=True)
    shutil.rmtree(root / ".gitops" / "cache", ignore_errors=True)
    synth = gitops_process(root, "synth", env=ON)
    assert synth.code == 0, synth.err
    return root


@pytest.fixture
def app_repo(rendered_repo: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(rendered_repo, copy, symlinks=True)
    return copy


def test_only_a_check_whose_synth_cache_hit_is_recorded(app_repo: Path) -> None:
    first = check(app_repo)
    assert first.code == ExitCode.OK, first.err
    assert "debug: synth cache: hit" in first.err
    assert first.cache_lines == [f"{MISS} (no record for these options{RECORDED}"]
    hit = check(app_repo)
    assert hit.cache_lines[0].startswith(HIT) and "synth cache" not in hit.err
    assert hit.out == first.out
    # An edit that renders the same tree: the synth cache misses, a render runs, and that
    # run is not recorded; the next check proves rendered/ current from the synth cache.
    with (app_repo / "apps" / "my_app.py").open("a") as handle:
        handle.write("\n# a comment\n")
    rendered = check(app_repo)
    assert "debug: synth cache: miss" in rendered.err
    assert rendered.cache_lines == [f"{MISS} (apps/my_app.py changed; not recorded: a render ran)"]
    assert rendered.out == first.out
    second = check(app_repo)
    assert "debug: synth cache: hit" in second.err
    assert second.cache_lines == [f"{MISS} (apps/my_app.py changed{RECORDED}"]
    assert check(app_repo).cache_lines[0].startswith(HIT)


def test_a_stale_record_never_hides_drift(app_repo: Path) -> None:
    assert check(app_repo, "--format", "json").code == ExitCode.OK
    assert check(app_repo, "--format", "json").cache_lines[0].startswith(HIT)
    images = app_repo / "envs" / "prod.images.yaml"
    text = images.read_text()
    assert "my-app: " in text
    images.write_text(text.replace("my-app: ", "my-app: x", 1))
    for _ in range(2):
        drifted = check(app_repo, "--format", "json")
        assert drifted.code == ExitCode.FINDINGS
        assert any(code.startswith("RD") for code in drifted.codes)
        assert drifted.cache_lines == [
            f"{MISS} (envs/prod.images.yaml changed; not recorded: a render ran)"
        ]
