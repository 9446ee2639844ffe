"""Real git repositories in temporary directories, for the review tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

PYPROJECT = '[tool.gitops]\nrepo_url = "https://git.example.com/acme/config.git"\n'
_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **_ENV},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def write(root: Path, files: dict[str, str | None]) -> None:
    """Write (or, for None, delete) files under ``root``."""
    for rel, content in files.items():
        path = root / rel
        if content is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def init(root: Path, files: dict[str, str | None], pyproject: str = PYPROJECT) -> str:
    """A repository on branch main with one commit of ``files``; its commit id."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    write(root, {"pyproject.toml": pyproject, **files})
    return commit(root, "base")


def commit(root: Path, message: str, files: dict[str, str | None] | None = None) -> str:
    write(root, files or {})
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
    return git(root, "rev-parse", "HEAD")


def move(root: Path, old: str, new: str) -> None:
    (root / new).parent.mkdir(parents=True, exist_ok=True)
    git(root, "mv", old, new)


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {namespace}
  labels:
    app.kubernetes.io/name: {name}
spec:
  replicas: {replicas}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {name}
    spec:
      containers:
      - name: {name}
        image: {image}
        env:
        - name: LOG_LEVEL
          value: info
        - name: MODE
          value: web
      - name: sidecar
        image: ghcr.io/acme/proxy:2.0.0
"""


def deployment(
    name: str = "web",
    namespace: str = "shop",
    image: str = "ghcr.io/acme/web:1.0.0",
    replicas: int = 2,
) -> str:
    return DEPLOYMENT.format(name=name, namespace=namespace, image=image, replicas=replicas)


def configmap(name: str, namespace: str = "shop", data: str = "LEVEL: info") -> str:
    return (
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
        f"data:\n  {data}\n"
    )


def secret(name: str, namespace: str = "shop", **data: str) -> str:
    lines = "".join(f"  {k}: {v}\n" for k, v in data.items())
    return (
        f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
        f"type: Opaque\nstringData:\n{lines}"
    )


ENVS = ("dev", "staging", "prod")


def app_files(app: str = "shop", **kwargs: object) -> dict[str, str | None]:
    """The same Deployment in every environment."""
    return {
        f"rendered/{env}/{app}/deployment.web.yaml": deployment(**kwargs)  # type: ignore[arg-type]
        for env in ENVS
    }
