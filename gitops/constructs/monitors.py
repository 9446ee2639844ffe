"""Scrape configuration prometheus-operator loads: a ServiceMonitor for a workload behind a
Service, a PodMonitor for a worker.

Both carry the environment's monitoring labels (``[tool.gitops.monitoring] labels``, e.g.
``release: kube-prometheus-stack``), which the Prometheus ``serviceMonitorSelector`` and
``podMonitorSelector`` match; without them the operator ignores the object. Both copy the
``rollouts-pod-template-hash`` pod label onto the series, so canary analysis can tell the
canary's pods from the stable ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitops.constructs.app import WorkloadRef
from gitops.constructs.meta import metadata
from gitops.constructs.pod import Metrics
from gitops.constructs.slo_canary import POD_HASH_LABEL

SCRAPE_LABEL = "gitops.dev/scrape"
"""On the one Service a ServiceMonitor selects (not the canary and stable Services, which
select the same pods and would scrape them twice)."""


def service_monitor(
    target: WorkloadRef, metrics: Metrics, port_name: str, labels: Mapping[str, str]
) -> dict[str, Any]:
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": metadata(target.name, target.namespace, {**target.labels(), **labels}),
        "spec": {
            "selector": {"matchLabels": {**target.selector, SCRAPE_LABEL: "true"}},
            "namespaceSelector": {"matchNames": [target.namespace]},
            "endpoints": [{"port": port_name, "path": metrics.path, "interval": metrics.interval}],
            "podTargetLabels": [POD_HASH_LABEL],
        },
    }


def pod_monitor(
    target: WorkloadRef, metrics: Metrics, port_name: str, labels: Mapping[str, str]
) -> dict[str, Any]:
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": metadata(target.name, target.namespace, {**target.labels(), **labels}),
        "spec": {
            "selector": {"matchLabels": dict(target.selector)},
            "namespaceSelector": {"matchNames": [target.namespace]},
            "podMetricsEndpoints": [
                {"port": port_name, "path": metrics.path, "interval": metrics.interval}
            ],
            "podTargetLabels": [POD_HASH_LABEL],
        },
    }
