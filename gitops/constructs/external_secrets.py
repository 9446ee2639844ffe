"""Secrets that come from a secret manager through external-secrets.io (v1): ``SecretStore``
/ ``ClusterSecretStore`` (where from; a Vault provider is built in) and ``ExternalSecret``
(which keys, into which Secret). Workloads read the resulting Secret with ``SecretEnv`` (see
``ExternalSecret.env_var``) or a ``Volume.secret``; no Secret data is ever in git.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from constructs import Construct

from gitops.constructs.app import GitopsConstruct
from gitops.constructs.meta import metadata, standard_labels
from gitops.constructs.pod import SecretEnv
from gitops.constructs.rbac import Access

API_VERSION = "external-secrets.io/v1"
_DURATION = re.compile(r"^(\d+(ns|us|µs|ms|s|m|h))+$")


@dataclass(frozen=True, kw_only=True)
class VaultProvider:
    """HashiCorp Vault, read with the Kubernetes auth method."""

    server: str = "https://vault.vault.svc:8200"
    """Vault address. Default: ``"https://vault.vault.svc:8200"``."""
    path: str = "secret"
    """Mount path of the KV engine. Default: ``"secret"``."""
    version: str = "v2"
    """KV engine version, ``v1`` or ``v2``. Default: ``"v2"``."""
    role: str
    """Vault role bound to the ServiceAccount."""
    auth_mount_path: str = "kubernetes"
    """Mount path of Vault's Kubernetes auth method. Default: ``"kubernetes"``."""
    service_account: str | None = None
    """ServiceAccount whose token logs in; ``None`` for the external-secrets controller's own.
    Default: none."""

    def __post_init__(self) -> None:
        if self.version not in ("v1", "v2"):
            raise ValueError(f"VaultProvider.version {self.version!r} must be v1 or v2")
        if not self.server.startswith("https://"):
            raise ValueError(f"VaultProvider.server {self.server!r} must be an https:// URL")

    def render(self) -> dict[str, object]:
        kubernetes: dict[str, object] = {"mountPath": self.auth_mount_path, "role": self.role}
        if self.service_account:
            kubernetes["serviceAccountRef"] = {"name": self.service_account}
        return {
            "vault": {
                "server": self.server,
                "path": self.path,
                "version": self.version,
                "auth": {"kubernetes": kubernetes},
            }
        }


@dataclass(frozen=True, kw_only=True)
class SecretStoreProps:
    name: str
    """Store name, referenced by ExternalSecrets."""
    vault: VaultProvider
    """The Vault to read from."""


class SecretStore(GitopsConstruct):
    """A namespaced SecretStore in the app's namespace."""

    kind = "SecretStore"

    def __init__(self, scope: Construct, id: str, props: SecretStoreProps) -> None:
        super().__init__(scope, id)
        self.name = props.name
        namespace = None if self.kind == "ClusterSecretStore" else self.namespace
        self.emit(
            {
                "apiVersion": API_VERSION,
                "kind": self.kind,
                "metadata": metadata(
                    props.name, namespace, standard_labels(props.name, self.chart.app_name)
                ),
                "spec": {"provider": props.vault.render()},
            }
        )


class ClusterSecretStore(SecretStore):
    """A cluster-wide store (cluster-scoped), shared by every namespace's ExternalSecrets."""

    kind = "ClusterSecretStore"


@dataclass(frozen=True, kw_only=True)
class RemoteKey:
    """One key of the Secret, read from the store."""

    secret_key: str
    """Key in the Kubernetes Secret, e.g. ``password``."""
    remote_key: str
    """Path of the secret in the store, e.g. ``queue-worker/redis``."""
    property: str | None = None
    """Field of that secret. Default: the whole value."""


@dataclass(frozen=True, kw_only=True)
class ExternalSecretProps:
    name: str
    """Name of the ExternalSecret and of the Secret it creates."""
    store: str
    """Name of the SecretStore (or ClusterSecretStore) to read from."""
    store_kind: str = "SecretStore"
    """``SecretStore`` or ``ClusterSecretStore``. Default: ``"SecretStore"``."""
    data: tuple[RemoteKey, ...]
    """The keys of the Secret and where each comes from."""
    refresh_interval: str = "1h"
    """How often the Secret is re-read from the store. Default: ``"1h"``."""

    def __post_init__(self) -> None:
        if self.store_kind not in ("SecretStore", "ClusterSecretStore"):
            raise ValueError(
                f"store_kind {self.store_kind!r} must be SecretStore or ClusterSecretStore"
            )
        if not self.data:
            raise ValueError("data must name at least one key")
        if not _DURATION.fullmatch(self.refresh_interval):
            raise ValueError(
                f"refresh_interval {self.refresh_interval!r} is not a duration (e.g. 1h)"
            )
        keys = [d.secret_key for d in self.data]
        if len(set(keys)) != len(keys):
            raise ValueError(f"data: a secret_key is used twice in {keys}")


class ExternalSecret(GitopsConstruct):
    """An ExternalSecret; ``secret_name`` is the Secret it keeps in sync."""

    def __init__(self, scope: Construct, id: str, props: ExternalSecretProps) -> None:
        super().__init__(scope, id)
        self.props = props
        self.secret_name = props.name
        data = []
        for item in props.data:
            remote: dict[str, str] = {"key": item.remote_key}
            if item.property:
                remote["property"] = item.property
            data.append({"secretKey": item.secret_key, "remoteRef": remote})
        self.emit(
            {
                "apiVersion": API_VERSION,
                "kind": "ExternalSecret",
                "metadata": metadata(
                    props.name, self.namespace, standard_labels(props.name, self.chart.app_name)
                ),
                "spec": {
                    "refreshInterval": props.refresh_interval,
                    "secretStoreRef": {"name": props.store, "kind": props.store_kind},
                    "target": {"name": props.name, "creationPolicy": "Owner"},
                    "data": data,
                },
            }
        )

    def env_var(self, name: str, key: str) -> SecretEnv:
        """An env var ``name`` read from ``key`` of the Secret (the key must be declared)."""
        declared = [d.secret_key for d in self.props.data]
        if key not in declared:
            raise ValueError(f"ExternalSecret {self.props.name!r} has no key {key!r} ({declared})")
        return SecretEnv(name=name, secret=self.secret_name, key=key)

    def read_access(self) -> Access:
        """RBAC for a workload that reads this Secret through the API: ``get`` on this one
        Secret (``resourceNames``), for ``Rbac(access=(...,))``."""
        return Access(resources=("secrets",), verbs=("get",), resource_names=(self.secret_name,))
