"""Run-to-completion workloads: ``Job`` and ``CronJob``.

Both render the same restricted pod template as every workload (``PodWorkload``), with
``restartPolicy: Never`` and bounded retries and run time, and their own ServiceAccount,
RBAC and NetworkPolicy. Their defaults pass the gitops linter under ``--preset strict``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from constructs import Construct

from gitops.constructs.cron import check_schedule
from gitops.constructs.pod_workload import PodProps, PodWorkload

CONCURRENCY_POLICIES = ("Allow", "Forbid", "Replace")


@dataclass(frozen=True, kw_only=True)
class JobProps(PodProps):
    """A task that runs to completion."""

    backoff_limit: int = 2
    """Retries before the Job fails. Default: ``2``."""
    active_deadline_seconds: int | None = 3600
    """Seconds the Job may run in total before it is stopped; ``None`` for no limit.
    Default: ``3600``."""
    ttl_seconds_after_finished: int | None = 86400
    """Seconds a finished Job (and its pods' logs) is kept; ``None`` to keep it. Default:
    ``86400`` (one day)."""
    restart_policy: str = "Never"
    """``Never`` (a new pod per retry) or ``OnFailure`` (restart in place). Default: ``"Never"``."""
    completions: int | None = None
    """Successful pods needed. Default: 1."""
    parallelism: int | None = None
    """Pods running at once. Default: 1."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.restart_policy not in ("Never", "OnFailure"):
            raise ValueError(f"restart_policy {self.restart_policy!r} must be Never or OnFailure")
        for what in ("backoff_limit", "active_deadline_seconds", "ttl_seconds_after_finished"):
            value = getattr(self, what)
            if value is not None and value < 0:
                raise ValueError(f"{what}={value} must be 0 or more")


@dataclass(frozen=True, kw_only=True)
class CronJobProps(JobProps):
    """A task that runs on a schedule."""

    schedule: str
    """Cron schedule (five fields, or ``@daily`` etc.), e.g. ``"0 2 * * *"``."""
    timezone: str | None = "Etc/UTC"
    """IANA time zone the schedule is read in; ``None`` for the controller's. Default:
    ``"Etc/UTC"``."""
    concurrency_policy: str = "Forbid"
    """What a run does while the previous one is still running. Default: ``"Forbid"``."""
    starting_deadline_seconds: int | None = 300
    """A run that could not start within this many seconds of its time is skipped. Default:
    ``300``."""
    successful_jobs_history_limit: int = 3
    """Finished Jobs kept. Default: ``3``."""
    failed_jobs_history_limit: int = 3
    """Failed Jobs kept for debugging. Default: ``3``."""
    suspend: bool = False
    """Pause scheduling. Default: ``False``."""

    def __post_init__(self) -> None:
        super().__post_init__()
        check_schedule(self.schedule, self.timezone)
        if self.concurrency_policy not in CONCURRENCY_POLICIES:
            raise ValueError(
                f"concurrency_policy {self.concurrency_policy!r} must be one of "
                f"{', '.join(CONCURRENCY_POLICIES)}"
            )


def job_spec(construct: PodWorkload, props: JobProps) -> dict[str, Any]:
    template = construct._pod_template(props, {}, None, None, None)
    template["spec"]["restartPolicy"] = props.restart_policy
    spec: dict[str, Any] = {"backoffLimit": props.backoff_limit, "template": template}
    optional = {
        "activeDeadlineSeconds": props.active_deadline_seconds,
        "ttlSecondsAfterFinished": props.ttl_seconds_after_finished,
        "completions": props.completions,
        "parallelism": props.parallelism,
    }
    spec.update({k: v for k, v in optional.items() if v is not None})
    return spec


class Job(PodWorkload):
    """A Job (its ServiceAccount, RBAC, ConfigMap and NetworkPolicy with it)."""

    def __init__(self, scope: Construct, id: str, props: JobProps) -> None:
        super().__init__(scope, id)
        self.props = props
        self._setup(props, "Job", "batch/v1")
        self._object(props, job_spec(self, props))
        self._network_policy(props)


class CronJob(PodWorkload):
    """A CronJob (its ServiceAccount, RBAC, ConfigMap and NetworkPolicy with it)."""

    def __init__(self, scope: Construct, id: str, props: CronJobProps) -> None:
        super().__init__(scope, id)
        self.props = props
        self._setup(props, "CronJob", "batch/v1")
        spec: dict[str, Any] = {
            "schedule": props.schedule,
            "concurrencyPolicy": props.concurrency_policy,
            "successfulJobsHistoryLimit": props.successful_jobs_history_limit,
            "failedJobsHistoryLimit": props.failed_jobs_history_limit,
            "suspend": props.suspend,
            "jobTemplate": {
                "metadata": {"labels": dict(self.labels)},
                "spec": job_spec(self, props),
            },
        }
        if props.timezone is not None:
            spec["timeZone"] = props.timezone
        if props.starting_deadline_seconds is not None:
            spec["startingDeadlineSeconds"] = props.starting_deadline_seconds
        self._object(props, spec)
        self._network_policy(props)
