"""Error types and the documented exit codes.

Exit codes (stable, documented in README.md):

- 0 ``OK``: success; nothing to report.
- 1 ``FINDINGS``: the command worked and found something: drift in ``rendered/``,
  or findings at or above the failure threshold.
- 2 ``USAGE``: bad usage, configuration or input (an app that raises, a bad env value,
  an unknown ``--app``, a file-name collision). Nothing was written.
- 3 ``INTERNAL``: a bug in gitops itself.
- 130 ``INTERRUPTED``: stopped by Ctrl-C.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1
    USAGE = 2
    INTERNAL = 3
    INTERRUPTED = 130


class GitopsError(Exception):
    """An error the user can fix; printed as one message, never as a traceback."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def render(self) -> str:
        text = f"error: {self.message}"
        if self.fix:
            text += f"\n  fix: {self.fix}"
        return text


class ConfigError(GitopsError):
    """Bad ``[tool.gitops]`` settings or command-line options."""


class SourceError(GitopsError):
    """An app module or env overlay that cannot be loaded or raises while building."""


class RenderError(GitopsError):
    """The rendered tree cannot be produced as asked (e.g. two objects map to one file)."""


class NodeRuntimeError(GitopsError):
    """Node.js, which cdk8s runs on, is missing or too old."""
