"""The public import path for ``envs/<env>.py`` and ``apps/<app>.py`` modules.

The Environment model lives in :mod:`gitops.constructs.environment` (beside the constructs that
read it); this thin re-export keeps ``from gitops.envs import Environment`` working. Nothing
inside the package imports this module (an import-linter contract keeps it so).
"""

from __future__ import annotations

from gitops.constructs.environment import (
    AppOverlay,
    Environment,
    EnvValueError,
    Features,
    Sizing,
)

__all__ = ["AppOverlay", "EnvValueError", "Environment", "Features", "Sizing"]
