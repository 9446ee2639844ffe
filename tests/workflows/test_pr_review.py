"""The PR workflow runs check --new-since and posts gitops diff as comments, with the least
permissions; rendered/ is linguist-generated so the comment is what reviewers read."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "pr-review.yml"


def test_pr_workflow_steps_and_permissions() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert workflow[True] == {"pull_request": None}  # "on" is YAML 1.1's True
    assert workflow["permissions"] == {"contents": "read"}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    steps = job["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    runs = [step.get("run", "") for step in steps]
    check = next(i for i, r in enumerate(runs) if "gitops check" in r)
    diff = next(i for i, r in enumerate(runs) if "gitops diff" in r)
    assert check < diff
    assert '--new-since "$BASE_SHA" --format github' in runs[check]
    assert "--format markdown --output-dir" in runs[diff]
    post = runs[diff + 1]
    assert "<!-- gitops-diff:part=" in post and "PATCH" in post and "DELETE" in post


def test_rendered_is_linguist_generated() -> None:
    lines = (REPO / ".gitattributes").read_text().splitlines()
    assert "rendered/** linguist-generated=true" in lines
