"""my-app: the public web API at api.example.com, backed by PostgreSQL and Redis.

Served over TLS (cert-manager, letsencrypt-prod) through ingress-nginx, autoscaled on CPU, and
in environments with canary delivery released through an Argo Rollouts canary:
10% -> 5m -> 30% -> 10m -> 60% -> 10m -> 100%.
"""

from constructs import Construct

from gitops.constructs import (
    SLO,
    AppChart,
    Autoscaling,
    Canary,
    Ingress,
    LatencySLI,
    Metrics,
    NetworkAccess,
    Pause,
    Peer,
    RatioSLI,
    Resources,
    SecretEnv,
    SetWeight,
    WebService,
    WebServiceProps,
)
from gitops.envs import Environment, Sizing

POSTGRES = Peer(
    namespace="database", pod_labels={"app.kubernetes.io/name": "postgresql"}, ports=(5432,)
)
REDIS = Peer(namespace="cache", pod_labels={"app.kubernetes.io/name": "redis"}, ports=(6379,))
CANARY = Canary(
    steps=(
        SetWeight(10),
        Pause("5m"),
        SetWeight(30),
        Pause("10m"),
        SetWeight(60),
        Pause("10m"),
        SetWeight(100),
    )
)


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
        description="99% of requests are served within 0.5s over 30 days.",
        sli=LatencySLI(histogram="http_request_duration_seconds", threshold="0.5"),
    ),
)


class MyApp(AppChart):
    app_name = "my-app"

    def __init__(self, scope: Construct, env: Environment) -> None:
        super().__init__(scope, env)
        sizing = env.sizing(self.app_name, Sizing(min_replicas=3, max_replicas=20))
        WebService(
            self,
            "web",
            WebServiceProps(
                image=env.image(self.app_name),
                port=8080,
                service_port=80,
                autoscaling=Autoscaling(
                    min_replicas=sizing.min_replicas,
                    max_replicas=sizing.max_replicas,
                    cpu_utilization=70,
                ),
                resources=Resources(
                    cpu_request="500m", memory_request="512Mi", cpu_limit="2", memory_limit="2Gi"
                ).scaled(env.resource_scale_for(self.app_name)),
                config={
                    "DATABASE_HOST": "postgresql.database.svc.cluster.local",
                    "DATABASE_PORT": "5432",
                    "REDIS_HOST": "redis-master.cache.svc.cluster.local",
                    "REDIS_PORT": "6379",
                },
                secret_env=(
                    SecretEnv(name="DATABASE_PASSWORD", secret="my-app-db", key="password"),
                    SecretEnv(name="REDIS_PASSWORD", secret="my-app-redis", key="password"),
                ),
                metrics=Metrics(port=8080),
                ingress=Ingress(
                    host=env.hostname(self.app_name, "api.example.com"),
                    cluster_issuer="letsencrypt-prod",
                ),
                network=NetworkAccess(egress_to=(POSTGRES, REDIS)),
                canary=CANARY if env.features.canary else None,
                slos=SLOS,
            ),
        )
