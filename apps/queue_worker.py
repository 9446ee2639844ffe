"""queue-worker: consumes jobs from the Redis queue and processes them.

Reads the Redis password through an ExternalSecret from Vault (SecretStore ``vault``, Vault
role ``queue-worker``); talks only to Redis besides DNS.
"""

from constructs import Construct

from gitops.constructs import (
    AppChart,
    ExternalSecret,
    ExternalSecretProps,
    NetworkAccess,
    Peer,
    Probe,
    RemoteKey,
    Resources,
    SecretStore,
    SecretStoreProps,
    VaultProvider,
    Worker,
    WorkerProps,
)
from gitops.envs import Environment, Sizing

REDIS = Peer(namespace="cache", pod_labels={"app.kubernetes.io/name": "redis"}, ports=(6379,))


class QueueWorker(AppChart):
    app_name = "queue-worker"

    def __init__(self, scope: Construct, env: Environment) -> None:
        super().__init__(scope, env)
        SecretStore(
            self,
            "vault",
            SecretStoreProps(name="vault", vault=VaultProvider(role=self.app_name)),
        )
        redis = ExternalSecret(
            self,
            "redis",
            ExternalSecretProps(
                name="queue-worker-redis",
                store="vault",
                data=(
                    RemoteKey(
                        secret_key="password", remote_key="queue-worker/redis", property="password"
                    ),
                ),
            ),
        )
        sizing = env.sizing(self.app_name, Sizing(replicas=2))
        Worker(
            self,
            "worker",
            WorkerProps(
                image=env.image(self.app_name),
                replicas=sizing.replicas,
                command=("queue-worker", "--queue", "jobs"),
                config={
                    "REDIS_HOST": "redis-master.cache.svc.cluster.local",
                    "REDIS_PORT": "6379",
                },
                secret_env=(redis.env_var("REDIS_PASSWORD", "password"),),
                liveness=Probe.command("queue-worker", "healthcheck", period_seconds=30),
                resources=Resources(
                    cpu_request="250m", memory_request="256Mi", cpu_limit="1", memory_limit="512Mi"
                ).scaled(env.resource_scale_for(self.app_name)),
                network=NetworkAccess(egress_to=(REDIS,)),
            ),
        )
