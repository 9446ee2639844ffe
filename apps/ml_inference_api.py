"""ML inference API: serves model predictions to the public API through the ingress controller.

Autoscales on CPU, memory and request rate; reads its model name from config and its database
password from the externally managed secret ``ml-model-secrets``; may read pods and services
and that one secret through the Kubernetes API; talks only to the database (5432) and the
OpenTelemetry collector (4317) besides DNS and the API server.
"""

from constructs import Construct

from gitops.constructs import (
    SLO,
    Access,
    Alerts,
    AppChart,
    Autoscaling,
    LatencySLI,
    Metrics,
    NetworkAccess,
    Peer,
    PodsMetric,
    Probe,
    RatioSLI,
    Rbac,
    Resources,
    ScalingPolicy,
    ScalingRules,
    SecretEnv,
    WebService,
    WebServiceProps,
)
from gitops.envs import Environment, Sizing

SECRET = "ml-model-secrets"


SLOS = (
    SLO(
        name="availability",
        objective=99.9,
        description="99.9% of requests succeed (no 5xx) over 30 days.",
        sli=RatioSLI(errors='http_requests_total{code=~"5.."}', total="http_requests_total"),
    ),
    SLO(
        name="latency",
        objective=99,
        description="99% of requests are served within 1s over 30 days.",
        sli=LatencySLI(histogram="http_request_duration_seconds", threshold="1"),
    ),
)


class MlInferenceApi(AppChart):
    app_name = "ml-inference-api"

    def __init__(self, scope: Construct, env: Environment) -> None:
        super().__init__(scope, env)
        sizing = env.sizing(self.app_name, Sizing(min_replicas=3, max_replicas=20))
        api_server = tuple(Peer(cidr=cidr, ports=(443, 6443)) for cidr in env.api_server_cidrs)
        WebService(
            self,
            "api",
            WebServiceProps(
                image=env.image(self.app_name),
                port=8080,
                autoscaling=Autoscaling(
                    min_replicas=sizing.min_replicas,
                    max_replicas=sizing.max_replicas,
                    cpu_utilization=70,
                    memory_utilization=80,
                    pods_metrics=(
                        PodsMetric(name="http_requests_per_second", average_value="100"),
                    ),
                    scale_up=ScalingRules(
                        stabilization_window_seconds=60,
                        policies=(ScalingPolicy(type="Pods", value=4, period_seconds=60),),
                    ),
                    scale_down=ScalingRules(
                        stabilization_window_seconds=300,
                        policies=(ScalingPolicy(type="Percent", value=50, period_seconds=60),),
                    ),
                ),
                max_surge=1,
                max_unavailable=0,
                readiness=Probe.http("/health", initial_delay_seconds=10, period_seconds=5),
                liveness=Probe.http("/health", initial_delay_seconds=30, period_seconds=10),
                resources=Resources(
                    cpu_request="500m", memory_request="512Mi", cpu_limit="2", memory_limit="2Gi"
                ).scaled(env.resource_scale_for(self.app_name)),
                config={"MODEL_NAME": "sentiment-bert-v3"},
                secret_env=(SecretEnv(name="DB_PASSWORD", secret=SECRET, key="db-password"),),
                metrics=Metrics(port=8080, path="/metrics"),
                rbac=Rbac(
                    access=(
                        Access(resources=("pods", "services")),
                        Access(resources=("secrets",), verbs=("get",), resource_names=(SECRET,)),
                    )
                ),
                network=NetworkAccess(
                    ingress_from=(Peer(namespace="ingress-nginx", ports=("http",)),),
                    egress_to=(
                        Peer(namespace="database", ports=(5432,)),
                        Peer(namespace="monitoring", ports=(4317,)),
                        *api_server,
                    ),
                ),
                alerts=Alerts(p99_latency_seconds=2.0),
                slos=SLOS,
            ),
        )
