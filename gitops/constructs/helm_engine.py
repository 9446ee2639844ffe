"""Render a Helm chart directory offline: the only module that runs Helm.

Two engines, one result (the chart's objects and its CRDs, each with the template it came from):

- ``binary``: ``helm template`` on PATH, with an explicit argv (``--include-crds``,
  ``--kube-version``, one ``--api-versions`` per served API version, the values as one file),
  a timeout, and errors that show the command, its exit status and stderr;
- ``sdk``: the ``helm-python-sdk`` wheel (Helm's Go SDK as a shared library, over ctypes;
  ``pip install 'gitops-rendered[helm]'``). Its ``Chart.render`` does not take a Kubernetes
  version or API versions, so the render call passes them to the library's C entry point
  (``helm_render`` accepts ``kube_version`` and ``api_versions``), the call ``Chart.render``
  makes; CRDs come from ``Chart.crds`` (the chart's and its subcharts').

Neither touches the network or a cluster: ``lookup`` returns nothing, dependencies must be
vendored under ``charts/``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gitops.errors import SourceError

ENGINES = ("binary", "sdk")
HELM = "helm"


class HelmError(SourceError):
    """A chart that cannot be rendered (missing engine, bad values, failing template)."""


@dataclass(frozen=True)
class HelmRequest:
    chart_dir: Path
    release: str
    namespace: str
    values: Mapping[str, Any]
    kube_version: str
    """``1.31``: what ``.Capabilities.KubeVersion`` answers."""
    api_versions: Sequence[str]
    """What ``.Capabilities.APIVersions.Has`` finds (``policy/v1``, ``policy/v1/Eviction``)."""
    timeout_seconds: float
    where: str
    """The construct, for messages."""


@dataclass(frozen=True)
class RenderedDocument:
    source: str
    """The chart file it came from, e.g. ``web/templates/deployment.yaml`` or ``crds/x.yaml``."""
    body: dict[str, Any]


def available_engine() -> str | None:
    """``binary`` when ``helm`` is on PATH, else ``sdk`` when the wheel imports, else None."""
    if shutil.which(HELM):
        return "binary"
    try:
        import helm_python  # noqa: F401
    except (ImportError, OSError):
        return None
    return "sdk"


def render_chart(request: HelmRequest, engine: str | None = None) -> list[RenderedDocument]:
    """Every object the chart renders to (CRDs first), in the order Helm emits them."""
    engine = engine or available_engine()
    if engine is None:
        raise HelmError(
            f"{request.where}: no Helm engine to render {request.chart_dir}: 'helm' is not on "
            "PATH and the helm-python-sdk package is not installed",
            fix="install helm (https://helm.sh), or pip install 'gitops-rendered[helm]'",
        )
    if engine == "binary":
        return _parse_stream(_run_binary(request), request)
    if engine == "sdk":
        return _render_sdk(request)
    raise ValueError(f"unknown Helm engine {engine!r}; use one of {', '.join(ENGINES)}")


def helm_argv(request: HelmRequest, values_file: str) -> list[str]:
    argv = [
        HELM,
        "template",
        request.release,
        str(request.chart_dir),
        "--namespace",
        request.namespace,
        "--include-crds",
        "--kube-version",
        f"{request.kube_version}.0",
        "--values",
        values_file,
    ]
    for api_version in request.api_versions:
        argv += ["--api-versions", api_version]
    return argv


def _run_binary(request: HelmRequest) -> str:
    with tempfile.TemporaryDirectory(prefix="gitops-helm-") as tmp:
        values_file = os.path.join(tmp, "values.json")
        Path(values_file).write_text(json.dumps(request.values), encoding="utf-8")
        argv = helm_argv(request, values_file)
        shown = " ".join(argv[:4]) + " ..."
        try:
            done = subprocess.run(
                argv,
                capture_output=True,
                text=True,
                timeout=request.timeout_seconds,
                check=False,
                env={**os.environ, "HELM_NO_PLUGINS": "1"},
            )
        except subprocess.TimeoutExpired:
            raise HelmError(
                f"{request.where}: {shown} did not finish in {request.timeout_seconds:g}s",
                fix="raise timeout_seconds on the HelmChart props, or simplify the chart",
            ) from None
        except OSError as exc:
            raise HelmError(f"{request.where}: could not run {shown}: {exc}") from None
    if done.returncode != 0:
        stderr = done.stderr.strip().replace("\n", " ")
        raise HelmError(
            f"{request.where}: {shown} exited {done.returncode}: {stderr}",
            fix="correct the chart or its values",
        )
    return done.stdout


def _render_sdk(request: HelmRequest) -> list[RenderedDocument]:
    import helm_python
    from helm_python import _native

    try:
        chart = helm_python.Chart.load(request.chart_dir)
        try:
            options = {
                "name": request.release,
                "namespace": request.namespace,
                "is_install": True,
                "kube_version": f"v{request.kube_version}.0",
                "api_versions": list(request.api_versions),
            }
            rendered: dict[str, str] = json.loads(
                _native.call_string(
                    "helm_render",
                    chart._raw(),
                    json.dumps(dict(request.values)),
                    json.dumps(options),
                )
            )
            crds = [(str(crd["name"]), str(crd["data"])) for crd in chart.crds]
        finally:
            chart.close()
    except helm_python.HelmError as exc:
        message = str(exc).strip().replace("\n", " ")
        raise HelmError(
            f"{request.where}: rendering {request.chart_dir} failed: {message}",
            fix="correct the chart or its values",
        ) from exc
    documents: list[RenderedDocument] = []
    for source, text in crds:
        documents += _documents(source, text, request)
    for source in sorted(rendered):
        if Path(source).name == "NOTES.txt":
            continue
        documents += _documents(source, rendered[source], request)
    return documents


def _parse_stream(stream: str, request: HelmRequest) -> list[RenderedDocument]:
    """``helm template`` output: documents separated by ``---``, each after a
    ``# Source: <file>`` comment."""
    documents: list[RenderedDocument] = []
    for chunk in ("\n" + stream).split("\n---"):
        source = "?"
        for line in chunk.splitlines():
            if line.startswith("# Source: "):
                source = line.removeprefix("# Source: ").strip()
                break
        documents += _documents(source, chunk, request)
    return documents


def _documents(source: str, text: str, request: HelmRequest) -> list[RenderedDocument]:
    try:
        loaded = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        raise HelmError(
            f"{request.where}: {source} of {request.chart_dir} renders to invalid YAML: "
            f"{str(exc).splitlines()[0]}",
            fix="correct that template",
        ) from None
    for body in loaded:
        if not isinstance(body, dict):
            raise HelmError(
                f"{request.where}: {source} of {request.chart_dir} renders a document that is "
                "not a Kubernetes object",
                fix="correct that template",
            )
    return [RenderedDocument(source=source, body=body) for body in loaded]
