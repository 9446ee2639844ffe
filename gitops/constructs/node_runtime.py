"""Start cdk8s's Node.js runtime quietly, or say in one line why it cannot start.

cdk8s runs its constructs in a Node.js process behind the jsii bridge. Two things about that
bridge are user-visible and handled here, in the only module that runs ``node`` directly:

- jsii prints a multi-line end-of-life banner on Node 20 (and similar banners on untested
  versions) to our stderr; the ``JSII_SILENCE_WARNING_*`` variables keep it out of our output.
- a missing or too-old ``node`` otherwise surfaces as a deep jsii traceback;
- whatever the Node.js process (or a child it runs, such as cdk8s ``Include``'s loader) writes
  to its stderr or stdout, jsii copies into ours: stack traces on our stderr, and anything on
  stdout would corrupt a json or SARIF report. It is kept in memory instead;
  ``captured_node_stderr()`` hands it to the CLI, which prints it under ``GITOPS_DEBUG=1``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from types import ModuleType, SimpleNamespace

from gitops.errors import NodeRuntimeError

MIN_NODE_MAJOR = 20
_VERSION_TIMEOUT_SECONDS = 15
_QUIET = {
    "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
    "JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION": "1",
    "JSII_DEPRECATED": "quiet",
}


def node_major_version() -> int:
    """The major version of the ``node`` that jsii will start (``$JSII_NODE`` or ``node``)."""
    node = os.environ.get("JSII_NODE", "node")
    path = shutil.which(node)
    if path is None:
        raise NodeRuntimeError(
            f"Node.js ({node!r}) was not found on PATH; cdk8s needs Node.js "
            f"{MIN_NODE_MAJOR} or newer to render apps",
            fix=f"install Node.js {MIN_NODE_MAJOR}+ (https://nodejs.org) and re-run",
        )
    argv = [path, "--version"]
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=_VERSION_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NodeRuntimeError(f"could not run {' '.join(argv)}: {exc}") from None
    match = re.match(r"v?(\d+)\.", done.stdout.strip())
    if done.returncode != 0 or match is None:
        raise NodeRuntimeError(
            f"{' '.join(argv)} exited {done.returncode} with output "
            f"{(done.stdout + done.stderr).strip()!r}; expected a version such as v22.11.0"
        )
    return int(match.group(1))


def load_cdk8s() -> ModuleType:
    """Import cdk8s after checking Node.js and silencing jsii's banners.

    Must run before anything imports a jsii module (``cdk8s`` or ``constructs``): the first
    such import starts the Node.js process, which prints its banner then.
    """
    major = node_major_version()
    if major < MIN_NODE_MAJOR:
        raise NodeRuntimeError(
            f"Node.js {major} is too old: cdk8s needs Node.js {MIN_NODE_MAJOR} or newer",
            fix=f"install Node.js {MIN_NODE_MAJOR}+ and re-run",
        )
    for name, value in _QUIET.items():
        os.environ.setdefault(name, value)
    # jsii matches this variable against a comma-separated list of major versions.
    eol = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"
    silenced = [v for v in os.environ.get(eol, "").split(",") if v.strip()]
    if str(major) not in silenced:
        os.environ[eol] = ",".join([*silenced, str(major)])
    _capture_node_output()
    import cdk8s

    return cdk8s


class _Captured:
    """A text stream (with a binary ``buffer``) that keeps what is written to it."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._lock = threading.Lock()
        self.buffer = self

    def write(self, data: str | bytes) -> int:
        raw = data.encode("utf-8", "replace") if isinstance(data, str) else bytes(data)
        with self._lock:
            self._chunks.append(raw)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> str:
        with self._lock:
            chunks, self._chunks = self._chunks, []
        return b"".join(chunks).decode("utf-8", "replace")


_NODE_OUTPUT = _Captured()


def _capture_node_output() -> None:
    """Point jsii's output relay (its ``stderr_sink`` thread reads ``sys.stderr`` and
    ``sys.stdout`` from its module's globals) at ``_NODE_OUTPUT``. Only that module sees the
    substitute; the rest of the process keeps the real streams."""
    from jsii._kernel.providers import process

    relay = SimpleNamespace(stderr=_NODE_OUTPUT, stdout=_NODE_OUTPUT)
    setattr(process, "sys", relay)  # noqa: B010 - a module global that mypy types as a module


def captured_node_stderr() -> str:
    """What Node.js wrote since the last call (empty when cdk8s never started)."""
    return _NODE_OUTPUT.take()
