"""Props Kubernetes would reject fail at synth: one line naming the app module's line and the
prop, exit 2, rendered/ untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.render.test_errors import _fails, _replace


@pytest.mark.parametrize(
    ("app", "old", "new", "expected"),
    [
        (
            "nightly_report.py",
            'schedule="30 3 * * *"',
            'schedule="30 25 * * *"',
            "schedule '30 25 * * *' does not parse: hour '25' is outside 0-23",
        ),
        (
            "ml_training_pipeline.py",
            'depends_on=("evaluate",)',
            'depends_on=("evalute",)',
            "step 'deploy' depends_on unknown steps ['evalute']",
        ),
        (
            "ml_training_pipeline.py",
            'cpu_limit="8",',
            "cpu_limit=None,",
            "step 'train': gpus=1 needs a cpu_limit",
        ),
        (
            "nightly_report.py",
            "network=NetworkAccess(egress_to=(POSTGRES,)),",
            "network=NetworkAccess(egress_to=(POSTGRES,)),\n                pod=PodOptions(mounts=(Mount(volume='data', path='/data'),)),",
            "mounts: volume 'data' (mounted at /data) is not declared in volumes",
        ),
        (
            "nightly_report.py",
            "network=NetworkAccess(egress_to=(POSTGRES,)),",
            "network=NetworkAccess(egress_to=(POSTGRES,)),\n                pod=PodOptions(volumes=(Volume.empty_dir('x', 'big'),)),",
            "'big'",
        ),
    ],
    ids=[
        "cron-schedule",
        "dag-unknown-dependency",
        "gpus-without-limits",
        "mount-without-volume",
        "bad-size",
    ],
)
def test_bad_props_fail_at_synth(
    config_repo: Path, app: str, old: str, new: str, expected: str
) -> None:
    path = config_repo / "apps" / app
    _replace(path, old, new)
    if "PodOptions" in new:
        _replace(
            path,
            "from constructs import Construct\n",
            "from constructs import Construct\n\nfrom gitops.constructs import Mount, PodOptions, Volume\n",
        )
    err = _fails(config_repo, expected)
    assert err.startswith(f"error: apps/{app}:"), err
    assert len(err.strip().splitlines()) <= 2, err  # the message and its fix
