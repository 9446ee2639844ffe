"""nightly-report: the nightly batch job that builds yesterday's usage report.

A CronJob at 03:30 UTC, one run at a time, stopped after an hour; reads the database.
"""

from constructs import Construct

from gitops.constructs import AppChart, CronJob, CronJobProps, NetworkAccess, Peer, Resources
from gitops.envs import Environment

POSTGRES = Peer(
    namespace="database", pod_labels={"app.kubernetes.io/name": "postgresql"}, ports=(5432,)
)


class NightlyReport(AppChart):
    app_name = "nightly-report"

    def __init__(self, scope: Construct, env: Environment) -> None:
        super().__init__(scope, env)
        CronJob(
            self,
            "report",
            CronJobProps(
                image=env.image(self.app_name),
                schedule="30 3 * * *",
                command=("nightly-report", "--since", "24h"),
                config={"DATABASE_HOST": "postgresql.database.svc.cluster.local"},
                resources=Resources(
                    cpu_request="500m", memory_request="512Mi", cpu_limit="1", memory_limit="1Gi"
                ),
                network=NetworkAccess(egress_to=(POSTGRES,)),
            ),
        )
