"""``gitops init``: start a config repo of your own that depends on this tool as a package.

It writes the scaffold (``templates/init/*.j2``, rendered with Jinja2 from the options alone,
so the same options give the same bytes), then renders ``rendered/`` and checks that the new
repo is current. It never overwrites: a directory with files in it (besides ``.git``) is
refused unless ``--force``, and with ``--force`` every file that exists is kept as it is, so
re-running it on an initialised repo changes nothing.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlparse

import jinja2

from gitops import __version__
from gitops.errors import ConfigError, ExitCode
from gitops.settings import APPS_DIR, ENVS_DIR, PYPROJECT, is_config_repo, load_settings

DISTRIBUTION = "gitops-rendered"
"""This tool's name on PyPI (``gitops`` there is an unrelated project)."""
HOOKS_REPO = "https://github.com/acme/gitops"
"""Where pre-commit fetches this tool's hooks from."""
DEFAULT_ENVS = ("dev", "staging", "prod")
KUBERNETES_VERSION = "1.31"
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


@dataclass(frozen=True)
class Scaffold:
    """What ``init`` writes: repo-relative path -> content, and the options it came from."""

    files: dict[str, str]
    envs: tuple[str, ...]
    repo_url: str


def parse_envs(text: str) -> tuple[str, ...]:
    """``dev,staging,prod`` as environment names: DNS labels, each once, at least one."""
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    if not names:
        raise ConfigError("--envs names no environment", fix="e.g. --envs dev,staging,prod")
    for name in names:
        if not _DNS_LABEL.fullmatch(name) or name in ("argocd", "cluster"):
            raise ConfigError(
                f"--envs: {name!r} cannot name an environment (it is a folder under rendered/)",
                fix="use lower-case letters, digits and '-', not 'argocd' or 'cluster'",
            )
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"--envs names {', '.join(duplicates)} more than once")
    return names


def scaffold(target: Path, envs: Sequence[str], repo_url: str | None) -> Scaffold:
    """Every file of a new config repo at ``target`` (nothing is written here)."""
    name = _project_name(target)
    url = repo_url or f"https://git.example.com/platform/{name}.git"
    prod = "prod" if "prod" in envs else envs[-1]
    values = {
        "name": name,
        "distribution": DISTRIBUTION,
        "version": __version__,
        "repo_url": url,
        "hooks_repo": HOOKS_REPO,
        "envs": list(envs),
        "prod": prod,
        "owners": _owners(url),
        "kubernetes_version": KUBERNETES_VERSION,
    }
    templates = jinja2.Environment(
        loader=jinja2.FunctionLoader(_template_source),
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )

    def render(template: str, **extra: object) -> str:
        return templates.get_template(template).render(**values, **extra)

    files = {
        PYPROJECT: render("pyproject.toml.j2"),
        "README.md": render("README.md.j2"),
        ".gitignore": render("gitignore.j2"),
        ".gitattributes": render("gitattributes.j2"),
        ".pre-commit-config.yaml": render("pre-commit-config.yaml.j2"),
        ".github/workflows/gitops.yml": render("workflow.yml.j2"),
        ".github/workflows/pr-review.yml": render("pr-review.yml.j2"),
        ".github/CODEOWNERS": render("CODEOWNERS.j2"),
        f"{APPS_DIR}/hello.py": render("hello.py.j2"),
    }
    for env in envs:
        production = env == prod
        files[f"{ENVS_DIR}/{env}.py"] = render(
            "env.py.j2",
            env=env,
            replicas=2 if production else 1,
            resource_scale="1.0" if production else "0.5",
            pdb=production,
        )
        files[f"{ENVS_DIR}/{env}.images.yaml"] = render("env.images.yaml.j2", env=env)
    return Scaffold(files=dict(sorted(files.items())), envs=tuple(envs), repo_url=url)


def run_init(
    target: Path,
    *,
    envs: str | None,
    repo_url: str | None,
    dry_run: bool,
    force: bool,
    echo: Callable[[str], None],
) -> int:
    if target.exists() and not target.is_dir():
        raise ConfigError(f"{target} is a file, not a directory")
    present = _entries(target)
    if present and not force:
        shown = ", ".join(present[:3]) + (", ..." if len(present) > 3 else "")
        raise ConfigError(
            f"{target} is not empty ({shown}); init writes into an empty directory",
            fix="pick a new directory, or pass --force to add the files that are missing "
            "(existing files are never overwritten)",
        )
    names = parse_envs(envs) if envs is not None else _existing_envs(target) or DEFAULT_ENVS
    plan = scaffold(target, names, repo_url)
    kept = [path for path in plan.files if (target / path).exists()]
    written = [path for path in plan.files if path not in kept]
    if dry_run:
        for path in written:
            echo(f"would write {path}")
        for path in kept:
            echo(f"would keep  {path} (exists)")
        echo(f"then render rendered/ for {', '.join(names)}; nothing was written (--dry-run)")
        return ExitCode.OK
    for path in written:
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(plan.files[path], encoding="utf-8")
    if not is_config_repo(target):
        raise ConfigError(
            f"{target / PYPROJECT} exists and has no [tool.gitops] table, so this is not a "
            "config repo yet",
            fix=f'add [tool.gitops] with repo_url = "{plan.repo_url}" to it and re-run',
        )
    from gitops.render.synth import Selection, synth

    root = target.resolve()
    with contextlib.chdir(root):  # apps' relative paths (charts, Include) are from the root
        summary = synth(load_settings(root), Selection())
    echo(
        f"wrote {len(written)} file(s) in {target}"
        + (f", kept {len(kept)} existing" if kept else "")
        + f"; rendered {len(summary.apps)} app(s) x {len(summary.envs)} env(s): "
        f"{summary.files} files ({len(summary.drift.missing)} added, "
        f"{len(summary.drift.changed)} changed)"
    )
    if repo_url is None and PYPROJECT in written:
        echo(f"set repo_url in {PYPROJECT} [tool.gitops] to where Argo CD pulls this repo from")
    enter = "" if target.resolve() == Path.cwd().resolve() else f"cd {target} && "
    echo(
        f"next: {enter}git init && git add -A && "
        "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/gitops check"
    )
    return ExitCode.OK


def _existing_envs(target: Path) -> tuple[str, ...]:
    """The environments a repo being re-initialised already has (so --force adds none)."""
    envs_dir = target / ENVS_DIR
    if not envs_dir.is_dir():
        return ()
    return tuple(sorted(p.stem for p in envs_dir.glob("*.py") if not p.name.startswith("_")))


def _entries(target: Path) -> list[str]:
    """What ``target`` already holds, besides a ``.git`` (``git init`` first is fine)."""
    if not target.is_dir():
        return []
    return sorted(p.name for p in target.iterdir() if p.name != ".git")


def _project_name(target: Path) -> str:
    """The project's name: its directory's, as a lower-case name pip accepts."""
    raw = target.resolve().name.lower()
    name = re.sub(r"[^a-z0-9]+", "-", raw).strip("-")
    return name or "config"


def _owners(repo_url: str) -> str:
    """A CODEOWNERS team guessed from the repository URL's owner (``@acme/platform``)."""
    parts = [p for p in urlparse(repo_url).path.split("/") if p]
    if not parts and ":" in repo_url:  # git@host:org/repo.git
        parts = [p for p in repo_url.split(":", 1)[1].split("/") if p]
    owner = parts[0] if len(parts) >= 2 else "your-org"
    return f"@{owner}/platform"


def _template_source(name: str) -> str:
    return (resources.files("gitops.commands") / "templates" / "init" / name).read_text("utf-8")
