"""ml-training-pipeline: the nightly model training run (Argo Workflows).

data-prep -> train (one GPU, 8 CPU, 16Gi) -> evaluate -> deploy, every night at 02:00 UTC.
Each step is a pod with the restricted securityContext; the workflow's ServiceAccount may only
report step results (``workflowtaskresults``); the steps reach DNS, the API server, the
feature store's object storage and the model registry, nothing else.
"""

from constructs import Construct

from gitops.constructs import (
    AppChart,
    CronWorkflow,
    CronWorkflowProps,
    NetworkAccess,
    Peer,
    Resources,
    Step,
)
from gitops.envs import Environment

OBJECT_STORE = Peer(
    namespace="minio", pod_labels={"app.kubernetes.io/name": "minio"}, ports=(9000,)
)
MODEL_REGISTRY = Peer(
    namespace="mlflow", pod_labels={"app.kubernetes.io/name": "mlflow"}, ports=(5000,)
)


class MlTrainingPipeline(AppChart):
    app_name = "ml-training-pipeline"

    def __init__(self, scope: Construct, env: Environment) -> None:
        super().__init__(scope, env)
        image = env.image(self.app_name)
        CronWorkflow(
            self,
            "nightly",
            CronWorkflowProps(
                schedule="0 2 * * *",
                timezone="Etc/UTC",
                network=NetworkAccess(egress_to=(OBJECT_STORE, MODEL_REGISTRY)),
                steps=(
                    Step(
                        name="data-prep",
                        image=image,
                        command=("python", "-m", "pipeline.data_prep"),
                        resources=Resources(
                            cpu_request="1", memory_request="2Gi", cpu_limit="2", memory_limit="4Gi"
                        ),
                    ),
                    Step(
                        name="train",
                        image=image,
                        command=("python", "-m", "pipeline.train"),
                        depends_on=("data-prep",),
                        gpus=1,
                        resources=Resources(
                            cpu_request="8",
                            memory_request="16Gi",
                            cpu_limit="8",
                            memory_limit="16Gi",
                        ),
                        timeout_seconds=4 * 3600,
                    ),
                    Step(
                        name="evaluate",
                        image=image,
                        command=("python", "-m", "pipeline.evaluate"),
                        depends_on=("train",),
                        resources=Resources(
                            cpu_request="1", memory_request="2Gi", cpu_limit="2", memory_limit="4Gi"
                        ),
                    ),
                    Step(
                        name="deploy",
                        image=image,
                        command=("python", "-m", "pipeline.deploy"),
                        depends_on=("evaluate",),
                    ),
                ),
            ),
        )
