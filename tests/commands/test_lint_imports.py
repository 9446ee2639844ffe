"""``gitops lint`` starts fast: it never imports cdk8s (a Node.js bridge) or the schema validator.

Start-up is paid on every run, pre-commit hooks included; these imports cost more than
linting a small repo.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.repo import deployment, write_repo

HEAVY = ("cdk8s", "constructs", "jsii", "jsonschema", "jsonschema_rs", "kubernetes_validate")
VALIDATOR = tuple(
    f"gitops.validate.{m}"
    for m in ("builtin", "kubeconform", "run", "crds", "openapi", "plan", "schemas", "store")
)
"""The validator's engines; its rule records and settings are part of the rule catalog."""

PROBE = """
import json, sys
from gitops.cli import cli
try:
    cli(["lint", "--format", "json", "rendered"], prog_name="gitops")
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def test_lint_imports_neither_cdk8s_nor_the_validator(tmp_path: Path) -> None:
    write_repo(tmp_path, {"rendered/dev/shop/deployment.web.yaml": deployment()})
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    report = json.loads(done.stdout)
    assert report["summary"]["objects"] == 1
    modules = json.loads(done.stderr.strip().splitlines()[-1])
    heavy = [m for m in modules if m.split(".")[0] in HEAVY or m.startswith(VALIDATOR)]
    assert heavy == []
