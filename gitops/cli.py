"""Command line: click parses flags into settings and calls one function per verb."""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from gitops import __version__
from gitops.commands.choices import REPORT_FORMATS, SLO_FORMATS
from gitops.errors import ConfigError, ExitCode, GitopsError
from gitops.lint.choices import FAIL_ON, PRESETS
from gitops.rules.docs import FORMATS as RULES_FORMATS
from gitops.settings import Settings, find_root, is_config_repo, load_settings, no_config_repo
from gitops.validate.choices import ENGINES

if TYPE_CHECKING:
    from gitops.commands.review_findings import ReviewOptions

DEBUG_ENV = "GITOPS_DEBUG"


def _exit_code_of(run: Callable[..., int]) -> Callable[..., None]:
    """Run a verb; turn its result or error into the documented exit code, never a traceback."""

    @functools.wraps(run)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        ctx = click.get_current_context()
        output_format = kwargs.get("output_format")
        try:
            code = run(*args, **kwargs)
        except GitopsError as exc:
            click.echo(exc.render(), err=True)
            if os.environ.get(DEBUG_ENV) and exc.__cause__ is not None:
                import traceback  # only to debug an error: not on every run's import path

                traceback.print_exception(exc.__cause__)
                _echo_node_stderr()
            _echo_failure_document(output_format, exc.message, exc.fix, exc.exit_code)
            code = exc.exit_code
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            code = ExitCode.INTERRUPTED
        except OutputLost as lost:
            code = _output_lost(lost.error)
        except BaseException as exc:  # SystemExit, GeneratorExit too: never a silent exit 0
            code = _internal_error(exc, output_format)
        ctx.exit(int(code))

    return wrapper


class OutputLost(Exception):
    """Writing standard output failed (a full disk, a closed pipe)."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


def _echo(text: str = "") -> None:
    """A line of the command's output."""
    try:
        click.echo(text)
    except OSError as exc:
        raise OutputLost(exc) from exc


def _echo_raw(text: str) -> None:
    """Output text as it is (reports end their own lines)."""
    try:
        click.echo(text, nl=False)
    except OSError as exc:
        raise OutputLost(exc) from exc


def _internal_error(exc: BaseException, output_format: object) -> ExitCode:
    """Report an error gitops did not expect, in one line (the traceback with
    ``GITOPS_DEBUG=1``), and a failure document for CI's formats."""
    # One line: an error from cdk8s's Node.js side carries a JavaScript stack trace.
    first = next(iter(str(exc).strip().splitlines()), "")
    message = f"internal error: {type(exc).__name__}: {first}"
    click.echo(
        f"{message}\n"
        f"  this is a bug in gitops {__version__}; please report it with the command "
        f"you ran (set {DEBUG_ENV}=1 to print the traceback)",
        err=True,
    )
    if os.environ.get(DEBUG_ENV):
        import traceback

        traceback.print_exc()
        _echo_node_stderr()
    _echo_failure_document(output_format, message, None, ExitCode.INTERNAL)
    return ExitCode.INTERNAL


def _color() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _echo_failure_document(
    output_format: object, message: str, fix: str | None, exit_code: int
) -> None:
    """A run that ends early still prints a valid json/sarif/github document for CI."""
    from gitops.report.failure import FAILURE_FORMATS, failure_document

    if output_format in FAILURE_FORMATS:
        click.echo(failure_document(str(output_format), message, fix, exit_code), nl=False)


def _echo_node_stderr() -> None:
    """What cdk8s's Node.js process wrote to stderr (kept from the user unless debugging)."""
    if "gitops.constructs.node_runtime" in sys.modules:
        from gitops.constructs.node_runtime import captured_node_stderr

        text = captured_node_stderr()
        if text:
            click.echo(f"Node.js stderr:\n{text}", err=True)


_STARTED_IN = "gitops.started_in"


def _settings(ctx: click.Context, *, needs_repo: bool = True) -> Settings:
    """The config repo's settings. The command then runs with the repo root as its working
    directory (user code and cdk8s's Node.js resolve relative paths from there); the previous
    one comes back when it ends. A command that needs a config repo and finds none is a usage
    error naming ``gitops init``."""
    root: Path | None = ctx.obj
    if root is None:
        root = find_root(Path.cwd())
        if root is None:
            if needs_repo:
                raise no_config_repo(Path.cwd())
            return load_settings(Path.cwd().resolve())
        discovered = True
    else:
        if needs_repo and not is_config_repo(root):
            raise no_config_repo(root)
        discovered = False
    settings = load_settings(root)
    previous = os.getcwd()
    if Path(previous).resolve() != root.resolve():
        os.chdir(root)
        ctx.call_on_close(lambda: os.chdir(previous))
        if discovered:
            ctx.meta[_STARTED_IN] = previous
    return settings


def _user_paths(ctx: click.Context, paths: tuple[str, ...]) -> tuple[str, ...]:
    """Path arguments as the user meant them: relative to where the command was started when
    the root was found from there (absolute once the run has moved to the root; ``-`` stays
    stdin), relative to the root given with --root."""
    started_in = ctx.meta.get(_STARTED_IN)
    if started_in is None:
        return paths
    return tuple(p if p == "-" else os.path.normpath(os.path.join(started_in, p)) for p in paths)


def _user_path(ctx: click.Context, path: Path | None) -> Path | None:
    """A path option as the user meant it (see ``_user_paths``)."""
    return None if path is None else Path(_user_paths(ctx, (str(path),))[0])


# Options shared by the verbs that report findings (lint, validate, check): one definition
# each, so their names, choices and help cannot drift apart.
_format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(REPORT_FORMATS),
    default="text",
    show_default=True,
    help="Report format.",
)


_text_or_json_format = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)


def _fail_on(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--fail-on", type=click.Choice(FAIL_ON), help=help_text)


_fail_on_option = _fail_on(
    "Lowest severity that fails the run (exit 1). Default: fail_on in [tool.gitops.lint] "
    "(per environment), else error."
)
_validate_fail_on_option = _fail_on(
    "Lowest severity that fails the run (exit 1): error (default), warning (deprecated API "
    "versions and ignored missing schemas fail too) or never."
)
_kubernetes_version_option = click.option(
    "--kubernetes-version",
    metavar="VERSION",
    help="Validate every file against this Kubernetes version (e.g. 1.31). Default: each "
    "file's environment, else [tool.gitops.validate] kubernetes_version, else the newest.",
)
_engine_option = click.option(
    "--engine",
    type=click.Choice(ENGINES),
    help="builtin (default; offline, in-process), kubeconform, or auto (kubeconform when on PATH).",
)
_ignore_missing_schemas_option = click.option(
    "--ignore-missing-schemas",
    is_flag=True,
    help="Report objects of unknown kinds as warnings instead of errors.",
)


def _review_options(run: Callable[..., Any]) -> Callable[..., Any]:
    """--new-since, --baseline, --update-baseline, --prune-baseline (lint and check)."""
    for option in reversed(
        (
            click.option(
                "--new-since",
                metavar="REV",
                help="Report only findings new since REV (e.g. the PR base); the rest are "
                "counted as suppressed and do not fail the run.",
            ),
            click.option(
                "--baseline",
                type=click.Path(dir_okay=False, path_type=Path),
                metavar="FILE",
                help="Findings recorded in FILE are suppressed; stale entries are reported.",
            ),
            click.option(
                "--update-baseline",
                is_flag=True,
                help="Add today's findings to the --baseline file (keeps reasons).",
            ),
            click.option(
                "--prune-baseline",
                is_flag=True,
                help="Remove stale entries from the --baseline file.",
            ),
        )
    ):
        run = option(run)
    return run


def _review(
    new_since: str | None, baseline: Path | None, update_baseline: bool, prune_baseline: bool
) -> ReviewOptions | None:
    if (update_baseline or prune_baseline) and baseline is None:
        raise click.UsageError("--update-baseline and --prune-baseline need --baseline FILE")
    if not (new_since or baseline):
        return None
    from gitops.commands.review_findings import ReviewOptions

    return ReviewOptions(new_since, baseline, update_baseline, prune_baseline)


def _warn(text: str) -> None:
    click.echo(text, err=True)


def _debug(text: str) -> None:
    """A line on stderr under GITOPS_DEBUG=1 (how a run went, e.g. a synth cache hit)."""
    if os.environ.get(DEBUG_ENV):
        click.echo(f"debug: {text}", err=True)


def _requested_format(args: list[str]) -> str | None:
    """The ``--format`` value among a command line's raw words (the last one wins, as in
    click), or None when none is given or it cannot be read."""
    requested = None
    for index, word in enumerate(args):
        if word == "--":
            break
        if word == "--format" and index + 1 < len(args):
            requested = args[index + 1]
        elif word.startswith("--format="):
            requested = word.split("=", 1)[1]
    return requested


_RAW_ARGS = "gitops.raw_args"


class _Gitops(click.Group):
    """The ``gitops`` group. A usage error (an unknown flag, a missing argument, a bad value)
    is found by click before a verb runs; when the command line asked for a machine format,
    CI still gets a valid document of that format on stdout, as for any other exit 2."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[_RAW_ARGS] = list(args)
        with _failure_document_on_usage_error(ctx.meta[_RAW_ARGS]):
            return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        with _failure_document_on_usage_error(ctx.meta.get(_RAW_ARGS, [])):
            return super().invoke(ctx)


@contextlib.contextmanager
def _failure_document_on_usage_error(args: list[str]) -> Iterator[None]:
    try:
        yield
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx is not None else "gitops"
        _echo_failure_document(
            _requested_format(args),
            f"usage error: {exc.format_message()}",
            f"see '{command} --help'",
            exc.exit_code,
        )
        raise


@click.group(cls=_Gitops, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Config repo root. Default: the nearest parent with [tool.gitops] in pyproject.toml.",
)
@click.version_option(__version__, prog_name="gitops")
@click.pass_context
def cli(ctx: click.Context, root: Path | None) -> None:
    """Render cdk8s apps per environment into rendered/, then lint and validate them.

    \b
    Exit codes: 0 ok; 1 drift or findings; 2 usage, config or input error;
    3 internal error; 130 interrupted.
    """
    ctx.obj = root
    if ctx.invoked_subcommand not in _RENDER_FREE:
        _show_warnings()


_RENDER_FREE = ("lint", "validate", "rules")
"""Commands that never run the render stages (which log warnings): they skip ``logging``."""


def _show_warnings() -> None:
    """Warnings of the render stages (e.g. a dropped Helm hook) on stderr, as they happen."""
    import logging

    class _StderrHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            click.echo(self.format(record), err=True)

    logger = logging.getLogger("gitops")
    if not any(type(h).__name__ == "_StderrHandler" for h in logger.handlers):
        logger.addHandler(_StderrHandler(logging.WARNING))
        logger.propagate = False


@cli.command()
@click.option(
    "--env", "envs", multiple=True, metavar="ENV", help="Only this environment (repeatable)."
)
@click.option("--app", "apps", multiple=True, metavar="APP", help="Only this app (repeatable).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if rendered/ is not current.")
@click.option(
    "--no-wait",
    is_flag=True,
    help="Fail (exit 2) instead of waiting when another gitops synth runs in this repository.",
)
@click.argument("paths", nargs=-1, type=click.Path())
@click.pass_context
@_exit_code_of
def synth(
    ctx: click.Context,
    envs: tuple[str, ...],
    apps: tuple[str, ...],
    check: bool,
    no_wait: bool,
    paths: tuple[str, ...],
) -> int:
    """Render apps/ x envs/ into rendered/ (atomically), or check that it is current.

    PATHS (optional, e.g. the files a commit changed) narrow the run to the apps they belong
    to; a path outside one app's module or rendered folder means a full run.
    """
    settings = _settings(ctx)  # first: cdk8s's Node.js starts in the working directory
    from gitops.commands.synth import run_synth

    return run_synth(
        settings,
        envs=envs,
        apps=apps,
        paths=_user_paths(ctx, paths),
        check=check,
        echo=_echo,
        warn=lambda text: click.echo(text, err=True),
        wait=not no_wait,
    )


@cli.command("set-image")
@click.argument("app")
@click.argument("image")
@click.option("--env", required=True, metavar="ENV", help="The environment whose image to set.")
@click.pass_context
@_exit_code_of
def set_image(ctx: click.Context, app: str, image: str, env: str) -> int:
    """Set the IMAGE that APP runs in one environment, and re-render only that app there.

    Writes envs/ENV.images.yaml keeping its comments and order. IMAGE needs a tag or a digest
    (registry/repository:1.4.2, ...@sha256:...); 'latest' is refused, and so is an image
    without a digest for an environment with require_digests=True.
    """
    settings = _settings(ctx)  # first: cdk8s's Node.js starts in the working directory
    from gitops.commands.promote import run_set_image

    return run_set_image(settings, app=app, image=image, env=env, echo=_echo)


@cli.command()
@click.option(
    "--from", "source", metavar="ENV", help="Source environment. Default: --to's upstream."
)
@click.option("--to", "target", required=True, metavar="ENV", help="Environment to promote to.")
@click.option("--app", "apps", multiple=True, metavar="APP", help="Only this app (repeatable).")
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
@click.option(
    "--source",
    "release",
    is_flag=True,
    help="Release source: move --to's branch (its revision) to the commit --from runs.",
)
@click.option(
    "--rollback",
    is_flag=True,
    help="Move --to's branch back to its previous release (needs --reason).",
)
@click.option("--force", is_flag=True, help="Promote although a gate fails (needs --reason).")
@click.option("--reason", metavar="TEXT", help="Why a forced promotion is safe; recorded.")
@click.pass_context
@_exit_code_of
def promote(
    ctx: click.Context,
    source: str | None,
    target: str,
    apps: tuple[str, ...],
    dry_run: bool,
    release: bool,
    rollback: bool,
    force: bool,
    reason: str | None,
) -> int:
    """Give --to the exact images (with digests) that --from's rendered files run.

    Gates: rendered/FROM is current and gitops check of the apps is clean. Re-renders only the
    promoted apps in --to, prints what changed, and appends a record to
    .gitops/promotions.jsonl (read it with gitops history). Exit 1 when a gate fails.

    With --source, for an environment with its own branch (revision='env/prod'): move that
    branch, fast-forward only, to the commit --from runs, after the same gates at that commit.
    With --rollback: move it back to the release before, recording --reason.
    """
    settings = _settings(ctx)  # first: cdk8s's Node.js starts in the working directory
    from gitops.commands.promote import run_promote
    from gitops.commands.release import run_release, run_rollback

    if (force or rollback) and not (reason or "").strip():
        flag = "--force" if force else "--rollback"
        raise ConfigError(f"{flag} needs --reason", fix="say why: --reason '...' (it is recorded)")
    if release and rollback:
        raise ConfigError("--source and --rollback do not go together", fix="use one of them")
    if rollback:
        return run_rollback(settings, target=target, reason=(reason or "").strip(), echo=_echo)
    if release:
        return run_release(
            settings,
            source=source,
            target=target,
            force_reason=reason.strip() if force and reason else None,
            echo=_echo,
        )
    return run_promote(
        settings,
        source=source,
        target=target,
        apps=apps,
        dry_run=dry_run,
        force_reason=reason.strip() if force and reason else None,
        echo=_echo,
    )


@cli.command()
@_text_or_json_format
@click.pass_context
@_exit_code_of
def status(ctx: click.Context, output_format: str) -> int:
    """Per env and app: the branch and commit each env syncs from and the image it runs,
    compared with its upstream env."""
    from gitops.commands.release import run_status

    return run_status(_settings(ctx), output_format=output_format, echo=_echo)


@cli.command()
@click.option("--env", "envs", multiple=True, metavar="ENV", help="Only promotions to ENV.")
@click.option("--app", "apps", multiple=True, metavar="APP", help="Only this app (repeatable).")
@_text_or_json_format
@click.pass_context
@_exit_code_of
def history(
    ctx: click.Context, envs: tuple[str, ...], apps: tuple[str, ...], output_format: str
) -> int:
    """List recorded promotions (.gitops/promotions.jsonl), oldest first."""
    from gitops.commands.promote import run_history

    return run_history(
        _settings(ctx), envs=envs, apps=apps, output_format=output_format, echo=_echo
    )


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@_format_option
@_fail_on_option
@click.option("--preset", type=click.Choice(PRESETS), help="Rule preset. Default: recommended.")
@click.option(
    "--env",
    metavar="ENV",
    help="Environment of files not in the render index and not under rendered/<env>/.",
)
@click.option(
    "--context",
    multiple=True,
    type=click.Path(exists=True),
    metavar="PATH",
    help="Also load PATH for cross-object rules, without reporting on it (repeatable).",
)
@click.option("--enable", multiple=True, metavar="RULE", help="Also run this rule or family.")
@click.option("--disable", multiple=True, metavar="RULE", help="Do not run this rule or family.")
@_review_options
@click.pass_context
@_exit_code_of
def lint(
    ctx: click.Context,
    paths: tuple[str, ...],
    output_format: str,
    fail_on: str | None,
    preset: str | None,
    env: str | None,
    context: tuple[str, ...],
    enable: tuple[str, ...],
    disable: tuple[str, ...],
    new_since: str | None,
    baseline: Path | None,
    update_baseline: bool,
    prune_baseline: bool,
) -> int:
    """Lint Kubernetes YAML/JSON: PATHS are files, directories (recursive) or - for stdin.

    Default PATH: rendered/ under the config repo root. Exit 1 when an unsuppressed finding is
    at or above --fail-on.
    """
    color = _color()
    settings = _settings(ctx, needs_repo=not paths)
    _start_parsing(_user_paths(ctx, paths), settings)
    try:
        from gitops.commands.lint import run_lint

        return run_lint(
            settings,
            paths=_user_paths(ctx, paths),
            output_format=output_format,
            fail_on=fail_on,
            preset=preset,
            env=env,
            context=_user_paths(ctx, context),
            enable=enable,
            disable=disable,
            color=color,
            echo=_echo_raw,
            review=_review(new_since, _user_path(ctx, baseline), update_baseline, prune_baseline),
            warn=_warn,
        )
    finally:
        from gitops.k8s.prefetch import cancel_all

        cancel_all()


def _start_parsing(paths: tuple[str, ...], settings: Settings) -> None:
    """Start finding and parsing the files to lint in a forked child before even the YAML
    parser is imported (see ``gitops.k8s.prefetch``)."""
    from gitops.k8s.prefetch import prefetch

    if not paths and settings.rendered_dir.is_dir():
        paths = (str(settings.rendered_dir),)
    prefetch(paths)


@cli.command()
@click.argument("rule", required=False, metavar="[CODE-or-NAME]")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(RULES_FORMATS),
    default="text",
    show_default=True,
    help="markdown is what docs/rules.md is generated with.",
)
@_exit_code_of
def rules(rule: str | None, output_format: str) -> int:
    """List every rule, or explain one (a code, name or family)."""
    from gitops.commands.rules import run_rules

    return run_rules(rule, output_format=output_format, echo=_echo_raw)


@cli.command()
@_kubernetes_version_option
@_engine_option
@_ignore_missing_schemas_option
@_format_option
@_validate_fail_on_option
@click.argument("paths", nargs=-1, type=click.Path())
@click.pass_context
@_exit_code_of
def validate(
    ctx: click.Context,
    kubernetes_version: str | None,
    engine: str | None,
    ignore_missing_schemas: bool,
    output_format: str,
    fail_on: str | None,
    paths: tuple[str, ...],
) -> int:
    """Validate manifests (default: rendered/) against the Kubernetes schemas of their target
    version, offline: unknown fields, wrong types, removed and deprecated API versions."""
    from gitops.commands.validate import run_validate

    settings = _settings(ctx, needs_repo=not paths)
    return run_validate(
        settings,
        paths=_user_paths(ctx, paths),
        kubernetes_version=kubernetes_version,
        engine=engine,
        ignore_missing_schemas=ignore_missing_schemas,
        output_format=output_format,
        fail_on=fail_on,
        echo=_echo_raw,
    )


@cli.command()
@_format_option
@_fail_on_option
@click.option(
    "--preset", type=click.Choice(PRESETS), help="Lint rule preset. Default: recommended."
)
@_kubernetes_version_option
@_engine_option
@_ignore_missing_schemas_option
@_review_options
@click.option(
    "--no-cache",
    is_flag=True,
    help="Run every stage: neither replay a recorded identical check nor trust the local "
    "synth cache (both in .gitops/cache/, off anyway when CI or GITOPS_NO_CACHE is set).",
)
@click.argument("paths", nargs=-1, type=click.Path())
@click.pass_context
@_exit_code_of
def check(
    ctx: click.Context,
    output_format: str,
    fail_on: str | None,
    preset: str | None,
    kubernetes_version: str | None,
    engine: str | None,
    ignore_missing_schemas: bool,
    new_since: str | None,
    baseline: Path | None,
    update_baseline: bool,
    prune_baseline: bool,
    no_cache: bool,
    paths: tuple[str, ...],
) -> int:
    """What CI and pre-commit run: rendered/ is current, schema-valid and lint-clean.

    One run, one report, one exit code: synth --check, validate and lint together. PATHS
    (optional, e.g. a commit's changed files) narrow the run to the apps they belong to.
    """
    settings = _settings(ctx)  # first: cdk8s's Node.js starts in the working directory
    from gitops.commands.check_cache import run_check_cached
    from gitops.commands.check_options import CheckOptions

    options = CheckOptions(
        paths=_user_paths(ctx, paths),
        output_format=output_format,
        fail_on=fail_on,
        preset=preset,
        kubernetes_version=kubernetes_version,
        engine=engine,
        ignore_missing_schemas=ignore_missing_schemas,
        color=_color(),
    )
    return run_check_cached(
        settings,
        options,
        echo=_echo_raw,
        review=_review(new_since, _user_path(ctx, baseline), update_baseline, prune_baseline),
        warn=_warn,
        no_cache=no_cache,
        debug=_debug,
        started_in=ctx.meta.get(_STARTED_IN),
    )


@cli.command()
@click.option(
    "--base",
    metavar="REV",
    help="Base revision. Default: the merge-base of HEAD "
    "with the default branch ([tool.gitops] revision, tried as origin/<it> first).",
)
@click.option("--head", metavar="REV", help="Head revision. Default: the working tree.")
@click.option(
    "--env", "envs", multiple=True, metavar="ENV", help="Only this environment (repeatable)."
)
@click.option("--app", "apps", multiple=True, metavar="APP", help="Only this app (repeatable).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(("text", "markdown", "json")),
    default="text",
    show_default=True,
    help="markdown: PR comment parts; json: versioned, stable.",
)
@click.option(
    "--max-comment-chars",
    type=click.IntRange(min=1),
    default=65_536,
    show_default=True,
    help="Largest markdown part (GitHub's comment limit).",
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write markdown parts to DIR/part-NNN.md instead of stdout.",
)
@click.option("--exit-code", is_flag=True, help="Exit 1 when there are changes (like git diff).")
@click.pass_context
@_exit_code_of
def diff(
    ctx: click.Context,
    base: str | None,
    head: str | None,
    envs: tuple[str, ...],
    apps: tuple[str, ...],
    output_format: str,
    max_comment_chars: int,
    output_dir: Path | None,
    exit_code: bool,
) -> int:
    """What a change does to rendered/: objects added, removed, renamed or changed, per
    environment and app, field by field, with risk tags. Secret values are never printed.

    Reads revisions with git (nothing is checked out). Exit 0 (1 with --exit-code when there
    are changes); 2 for an unknown revision, a shallow clone lacking the base, or no rendered/.
    """
    settings = _settings(ctx)  # first: cdk8s's Node.js starts in the working directory
    from gitops.commands.diff import run_diff

    return run_diff(
        settings,
        base=base,
        head=head,
        envs=envs,
        apps=apps,
        output_format=output_format,
        max_comment_chars=max_comment_chars,
        output_dir=_user_path(ctx, output_dir),
        exit_code=exit_code,
        echo=_echo_raw,
    )


@cli.command()
@click.option(
    "--env", "envs", multiple=True, metavar="ENV", help="Only this environment (repeatable)."
)
@click.option("--app", "apps", multiple=True, metavar="APP", help="Only this app (repeatable).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(SLO_FORMATS),
    default="text",
    show_default=True,
    help="openslo: OpenSLO v1 documents other SLO tools read.",
)
@click.pass_context
@_exit_code_of
def slo(
    ctx: click.Context, envs: tuple[str, ...], apps: tuple[str, ...], output_format: str
) -> int:
    """Error budgets: every SLO in rendered/ per env, its budget as time, each alert's burn
    factor and how long the budget lasts at it, and the PromQL of the remaining budget."""
    from gitops.commands.slo import run_slo

    return run_slo(
        _settings(ctx),
        envs=envs,
        apps=apps,
        output_format=output_format,
        echo=_echo_raw,
    )


@cli.command()
@click.argument(
    "directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)
@click.option(
    "--envs",
    metavar="ENV,ENV",
    help="Environments to create, comma-separated. Default: dev,staging,prod (with --force, "
    "the repo's own envs/). The one named prod (else the last) gets CODEOWNERS and fails on "
    "warnings.",
)
@click.option(
    "--repo-url",
    metavar="URL",
    help="Git URL Argo CD syncs the new repo from ([tool.gitops] repo_url). Default: a "
    "placeholder to replace.",
)
@click.option("--dry-run", is_flag=True, help="List the files it would write; write nothing.")
@click.option(
    "--force",
    is_flag=True,
    help="Write into a non-empty DIRECTORY: add the missing files, keep every existing one.",
)
@_exit_code_of
def init(directory: Path, envs: str, repo_url: str | None, dry_run: bool, force: bool) -> int:
    """Start a config repo in DIRECTORY (default: here) that uses gitops as a package: apps/
    with a sample app, envs/, pyproject.toml pinning gitops, pre-commit hooks, a GitHub
    workflow, CODEOWNERS; then render rendered/."""
    from gitops.commands.init import run_init

    return run_init(
        directory, envs=envs, repo_url=repo_url, dry_run=dry_run, force=force, echo=_echo
    )


def main() -> None:
    from gitops.collector import tune_for_one_command

    tune_for_one_command()
    try:
        cli(prog_name="gitops")
    except SystemExit as exc:  # how click ends every run
        _end_process(exc.code)
    _end_process(0)  # pragma: no cover - click exits on its own


OUTPUT_LOST = 120
"""Exit status when the output could not be written (a full disk, a closed pipe): what Python
itself exits with when it cannot flush its output at exit."""


def _end_process(code: int | str | None) -> None:
    """Exit with ``code`` (a ``SystemExit`` code) once the output is flushed. When the command
    left objects to the end of the process, skip the interpreter's teardown, which would free
    them one by one (the ``atexit`` handlers still run)."""
    import atexit

    from gitops.collector import objects_left

    try:
        sys.stdout.flush()
    except OSError as exc:
        code = _output_lost(exc)
    if not objects_left():
        sys.exit(code)
    status = code if isinstance(code, int) else 0 if code is None else 1
    if isinstance(code, str):
        click.echo(code, err=True)
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(status)


def _output_lost(exc: OSError) -> int:
    """Say that the output could not be written (not when the reader closed the pipe: it
    stopped reading on purpose, e.g. ``| head``), send what is still buffered nowhere, and
    give the exit status."""
    if exc.errno != errno.EPIPE:
        click.echo(f"error: could not write the output: {exc.strerror}", err=True)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return OUTPUT_LOST
