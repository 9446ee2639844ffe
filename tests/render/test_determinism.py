"""Same sources, same bytes: across runs, interpreters and hash seeds; and quiet output."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import ROOT, copy_sources, gitops_process, tree


def test_output_is_identical_across_hash_seeds(tmp_path: Path) -> None:
    trees = []
    for seed in ("0", "1", "4242"):
        repo = copy_sources(tmp_path / f"seed-{seed}")
        run = gitops_process(repo, "synth", env={"PYTHONHASHSEED": seed})
        assert run.code == 0, run.err
        trees.append(tree(repo))
    assert trees[0] == trees[1] == trees[2]
    assert trees[0] == tree(ROOT)


def test_synth_prints_no_node_banner_or_jsii_noise(tmp_path: Path) -> None:
    repo = copy_sources(tmp_path / "repo")
    run = gitops_process(repo, "synth")
    assert run.code == 0
    assert run.err == ""
    assert re.match(r"rendered \d+ app\(s\) x 3 env\(s\): ", run.out), run.out
    assert "end-of-life" not in run.out + run.err
