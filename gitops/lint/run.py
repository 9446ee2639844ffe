"""One lint run: load once, build one object graph, run each environment's rules, suppress,
point findings in generated files back at their source, sort.

A file's environment comes from the render index (``files[path].env``) when the file is in
it, else from its path (``rendered/<env>/...``), else from ``--env``; files of no environment
use the top-level settings. Every object sees the whole graph, whatever its environment.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from gitops.collector import leave_to_exit
from gitops.errors import ConfigError, ExitCode
from gitops.findings import REPORT_ORDER, Finding, Severity
from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import (
    STDIN,
    LoadProblem,
    LoadResult,
    Manifest,
    discover,
    load,
    posix_normal,
)
from gitops.k8s.parallel import Shared, default_jobs
from gitops.k8s.render_index import (
    RenderIndex,
    argocd_instance,
    environment_pod_security,
    read_index,
)
from gitops.lint.config import Layer, LintSettings, parse_lint_settings
from gitops.lint.engine import RuleTable, violation_finding
from gitops.lint.selection import Resolved, resolve
from gitops.lint.suppress import (
    IgnoreAnnotation,
    annotation_problems,
    ignore_annotations,
    suppress,
)
from gitops.rules.registry import Registry, Rule, problem_findings
from gitops.settings import ENVS_DIR, INDEX_PATH, PYPROJECT, RENDERED_DIR, Settings

_NOT_ENVS = {"argocd"}
"""Folders directly under rendered/ that are not environments."""

REQUIRE_DIGESTS = Layer(enable=("IM002",), severity={"IM002": Severity.ERROR})
"""The lint layer of an environment with ``require_digests=True``."""
PSA_RULES = ("PA001", "PA002")
"""The Pod Security admission rules, whose options (``NamespaceDefaults``) an environment's
``podSecurity`` in the render index sets."""


@dataclass(frozen=True)
class LintRun:
    findings: tuple[Finding, ...]
    """Every finding, suppressed ones included, sorted by file, line, column, code."""
    rules: tuple[Rule, ...]
    """Rules that ran (in any environment) or reported, by code: SARIF's rule descriptors."""
    files: int
    objects: int
    failing: int
    """Unsuppressed findings at or above their environment's ``fail_on`` threshold."""

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.FINDINGS if self.failing else ExitCode.OK


def lint(
    paths: Sequence[str],
    settings: Settings,
    *,
    registry: Registry,
    known: Registry | None = None,
    flags: Layer | None = None,
    env: str | None = None,
    context: Sequence[str] = (),
    stdin: IO[bytes] | None = None,
    loaded: LoadResult | None = None,
    extra: Sequence[Finding] = (),
    adjust: Callable[[list[Finding], LoadResult], list[Finding]] | None = None,
    jobs: int | None = None,
) -> LintRun:
    """Lint ``paths`` (files, directories, ``-`` for stdin; default ``rendered/``).

    ``registry`` holds the rules that can run; ``known`` every rule an ignore annotation may
    name (defaults to ``registry``); ``flags`` are command-line overrides; ``env`` is the
    environment of files whose environment is not otherwise known. Objects in ``context``
    (files or directories) are visible to cross-object rules but not reported on, so linting
    only the files a commit changed still sees, say, the PodDisruptionBudget that covers them.
    ``loaded`` reuses objects another step already parsed (``gitops check``); ``extra`` are
    findings from other engines (validator, drift) reported and judged with the same
    per-environment ``fail_on``. ``adjust`` may mark findings (e.g. those already present at
    a base revision or in a baseline) before they are judged. ``jobs``: processes that run
    the per-object rules (default: see ``default_jobs``); the findings are the same.
    """
    known = known or registry
    index = read_index(settings.index_path, INDEX_PATH) or RenderIndex()
    known_envs = sorted(set(index.environments) | _env_modules(settings))
    if env is not None and known_envs and env not in known_envs:
        raise ConfigError(
            f"unknown environment {env!r}", fix=f"use one of: {', '.join(known_envs)}"
        )
    # Codes of every engine are valid in the config (ignores, enable, disable, severity):
    # the validator's and synth's findings are reported and judged here too.
    config = parse_lint_settings(
        settings.tables.get("lint", {}),
        known,
        where=str(settings.root / PYPROJECT),
        known_envs=known_envs,
    )
    loaded = loaded or _load(paths, settings, stdin)
    places = _Places(settings.root, index, set(known_envs), env, loaded.real_paths)
    runner = _Runner(config, registry, known, flags, places)
    graphs = _cluster_graphs([*loaded.manifests, *_context(context, loaded)], places)
    findings = _all_object_findings(runner, loaded.manifests, graphs, jobs)
    leave_to_exit(loaded, graphs)  # freed by the operating system, at once
    for problem_path, problems in _grouped(loaded).items():
        findings += runner.problem_findings(problem_path, problems)
    findings += runner.other_engine_findings(extra)
    findings.sort(key=REPORT_ORDER)
    if adjust is not None:
        findings = adjust(findings, loaded)
    failing = sum(1 for f in findings if runner.fails(f))
    rules = {e.rule.code: e.rule for r in runner.resolved.values() for e in r.active}
    rules.update({f.code: known.by_code[f.code] for f in findings if f.code in known.by_code})
    return LintRun(
        findings=tuple(findings),
        rules=tuple(rules[code] for code in sorted(rules)),
        files=loaded.files,
        objects=len(loaded.manifests),
        failing=failing,
    )


def _all_object_findings(
    runner: _Runner,
    manifests: Sequence[Manifest],
    graphs: Mapping[str, ObjectGraph],
    jobs: int | None,
) -> list[Finding]:
    """Every object's findings, in object order. With 2 jobs a forked child (which shares the
    loaded objects and graphs) checks objects too, taking them from the same queue as this
    process (``Shared``), and sends its findings back pickled; each object's findings are put
    back in its place, so the result is what one process gives. If the child fails, this
    process checks what it did not send."""

    def one(index: int) -> list[Finding]:
        manifest = manifests[index]
        return runner.object_findings(manifest, graphs[runner.places.cluster(manifest.path)])

    checking = Shared(
        len(manifests), one, jobs or default_jobs(len(manifests)), pack=_plain, unpack=_findings
    )
    findings = [f for found in checking.results() for f in found]
    for index in checking.theirs():  # what checking it here would have noted
        rel = runner.places.rel(manifests[index].path)
        env = runner.places.env(rel)
        runner._env_of_path[rel] = env
        runner.for_env(env)
    return findings


def _plain(found: list[list[Finding]]) -> list[list[tuple[Any, ...]]]:
    """Objects' findings as plain tuples: a third of the time to pickle them as findings."""
    return [[tuple(f) for f in findings] for findings in found]


def _findings(plain: list[list[tuple[Any, ...]]]) -> list[list[Finding]]:
    make = Finding._make
    return [[make(values) for values in findings] for findings in plain]


def _cluster_graphs(manifests: Sequence[Manifest], places: _Places) -> dict[str, ObjectGraph]:
    """One graph per cluster the files go to: each ``rendered/<env>/`` (an environment's
    objects never name another's: shared clusters get per-env namespaces, and synth refuses
    shared cluster-scoped objects), ``rendered/argocd/`` (Argo CD's; each
    ``rendered/argocd/<cluster>/`` in the per-cluster layout), and everything else together. A prod
    PodDisruptionBudget must not cover a dev Deployment, nor a staging ServiceAccount satisfy
    a dev pod."""
    partitions: dict[str, list[Manifest]] = defaultdict(list)
    for manifest in manifests:
        partitions[places.cluster(manifest.path)].append(manifest)
    return {key: ObjectGraph(members) for key, members in partitions.items()}


def _load(paths: Sequence[str], settings: Settings, stdin: IO[bytes] | None) -> LoadResult:
    if not paths:
        if not settings.rendered_dir.is_dir():
            raise ConfigError(
                f"no {RENDERED_DIR}/ under {settings.root} to lint",
                fix="pass the files or directories to lint, or run gitops synth first",
            )
        paths = [str(settings.rendered_dir)]
    loaded = load(paths, stdin)
    if not loaded.files:
        raise ConfigError(
            f"no YAML or JSON files found in {', '.join(paths)}",
            fix="pass files ending in .yaml, .yml or .json, or directories holding them",
        )
    return loaded


def _context(context: Sequence[str], focus: LoadResult) -> list[Manifest]:
    """Objects of ``context`` files that are not among the linted files (an object loaded
    twice would look like a duplicate to the graph)."""
    if not context:
        return []
    linted = {Path(p).resolve() for p in {m.path for m in focus.manifests} if p != STDIN}
    linted |= {Path(p.path).resolve() for p in focus.problems if p.path != STDIN}
    extra = [f for f in discover(context) if f != STDIN and Path(f).resolve() not in linted]
    return load(extra).manifests


def _env_modules(settings: Settings) -> set[str]:
    envs_dir = settings.root / ENVS_DIR
    if not envs_dir.is_dir():
        return set()
    return {p.stem for p in envs_dir.glob("*.py") if not p.name.startswith("_")}


def _as_posix(path: str) -> str:
    """``Path(path).as_posix()``, without building a Path when ``path`` is already in the form
    it gives."""
    return path if os.sep == "/" and posix_normal(path) else Path(path).as_posix()


def _grouped(loaded: LoadResult) -> dict[str, list[LoadProblem]]:
    grouped: dict[str, list[LoadProblem]] = defaultdict(list)
    for problem in loaded.problems:
        grouped[problem.path].append(problem)
    return grouped


class _Places:
    """Where a loaded file sits: its repo-relative path, environment and render source."""

    def __init__(
        self,
        root: Path,
        index: RenderIndex,
        known_envs: set[str],
        default_env: str | None,
        real_paths: Mapping[str, str] | None = None,
    ) -> None:
        """``real_paths``: real paths the loader already knows (``LoadResult.real_paths``)."""
        self.root = root
        self._known_real = real_paths or {}
        self.index = index
        self.known_envs = known_envs
        self.default_env = default_env
        self._rel: dict[str, str] = {}
        self._bases = sorted({os.path.abspath(root), os.path.realpath(root)})
        self._real_root = os.path.realpath(root)
        self._real_dirs: dict[str, str] = {}

    def rel(self, path: str) -> str:
        if path == STDIN:
            return path
        found = self._rel.get(path)
        if found is None:
            found = self._rel[path] = self._relative(path)
        return found

    def _relative(self, path: str) -> str:
        # What user_code.relative(Path(path), root) gives, without resolving the root again
        # for every file: a plain prefix test against the root (as given and as resolved)
        # settles files inside it; others need their own realpath (a symlink may lead in).
        absolute = os.path.abspath(path)
        for base in self._bases:
            if absolute.startswith(base + os.sep):
                return absolute[len(base) + 1 :].replace(os.sep, "/")
        real = self._realpath(path)
        if real == self._real_root or real.startswith(self._real_root.rstrip(os.sep) + os.sep):
            return Path(real).relative_to(self._real_root).as_posix()
        return _as_posix(path)

    def _realpath(self, path: str) -> str:
        """``os.path.realpath(path)``: known from the loader's walk for files found in a
        directory, else resolving each directory once, not once per file."""
        known = self._known_real.get(path)
        if known is not None:
            return known
        head, tail = os.path.split(path)
        if tail in ("", ".", "..") or os.path.islink(path):
            return os.path.realpath(path)
        real_head = self._real_dirs.get(head)
        if real_head is None:
            real_head = self._real_dirs[head] = os.path.realpath(head)
        return os.path.join(real_head, tail)

    def cluster(self, path: str) -> str:
        """The partition of the cluster a loaded file goes to (see ``_cluster_graphs``)."""
        rel = self.rel(path)
        parts = rel.split("/")
        if len(parts) > 2 and parts[0] == RENDERED_DIR:
            # With one Argo CD per cluster, each rendered/argocd/<cluster>/ is its own.
            return argocd_instance(rel, self.index.files) or f"{RENDERED_DIR}/{parts[1]}"
        return ""

    def env(self, rel: str) -> str | None:
        entry = self.index.files.get(rel)
        if entry is not None and entry.get("env"):
            return str(entry["env"])
        parts = rel.split("/")
        in_env_dir = len(parts) > 2 and parts[0] == RENDERED_DIR and parts[1] not in _NOT_ENVS
        if in_env_dir and (not self.known_envs or parts[1] in self.known_envs):
            return parts[1]
        return self.default_env

    def required(self, env: str | None) -> Layer | None:
        """What the environment demands of its files, from the render index: with
        ``requireDigests`` an image without a digest (IM002) is an error there; its
        ``podSecurity`` (the labels its namespaces get) is what the PA rules assume for a
        namespace whose Namespace object is not among the linted files (above the rules'
        configured options, below a Namespace in the input)."""
        entry = self.index.environments.get(env) if env is not None else None
        if entry is None:
            return None
        layer = REQUIRE_DIGESTS if entry.get("requireDigests") else None
        pod_security = environment_pod_security(entry)
        if pod_security is None:
            return layer
        options = {code: pod_security for code in PSA_RULES}
        if layer is None:
            return Layer(options=options)
        return replace(layer, options={**layer.options, **options})

    def source(self, rel: str) -> Mapping[str, Any] | None:
        return self.index.files.get(rel)


class _Runner:
    def __init__(
        self,
        config: LintSettings,
        registry: Registry,
        known: Registry,
        flags: Layer | None,
        places: _Places,
    ) -> None:
        self.config = config
        self.registry = registry
        self.known = known
        self.flags = flags
        self.places = places
        self.resolved: dict[str | None, Resolved] = {}
        self._tables: dict[str | None, RuleTable] = {}
        self._env_of_path: dict[str, str | None] = {}
        self._known_severity: dict[str | None, dict[str, Severity]] = {}
        self._threshold_of_path: dict[str, Severity | None] = {}

    def for_env(self, env: str | None) -> Resolved:
        if env not in self.resolved:
            self.resolved[env] = resolve(
                self.config, self.registry, env, self.flags, self.places.required(env)
            )
        return self.resolved[env]

    def object_findings(self, manifest: Manifest, graph: ObjectGraph) -> list[Finding]:
        rel = self.places.rel(manifest.path)
        env = self.places.env(rel)
        self._env_of_path[rel] = env
        resolved = self.for_env(env)
        table = self._tables.get(env)
        if table is None:
            table = self._tables[env] = RuleTable(resolved.active)
        found = table.findings(manifest, graph, rel)
        annotations = ignore_annotations(manifest)
        if annotations:
            by_code = {e.rule.code: e for e in resolved.active if e.rule.engine == "suppress"}
            for code, violation in annotation_problems(annotations, self.known):
                if code in by_code:
                    found.append(violation_finding(manifest, by_code[code], violation))
        if not annotations and not self.config.ignores and self.places.source(rel) is None:
            return found  # nothing suppresses them or points them elsewhere: as _finish gives
        lines = self._customized_lines(manifest, rel)
        return [self._finish(f, rel, env, annotations, lines) for f in found]

    def _customized_lines(self, manifest: Manifest, rel: str) -> frozenset[int] | None:
        """Lines of the fields an environment's ``customize()`` changed in ``manifest``
        (None: none; an empty set: customize() added the whole object)."""
        entry = self.places.source(rel)
        paths = entry.get("customized") if entry else None
        if not isinstance(paths, list) or not paths:
            return None
        if any(p == [] for p in paths):
            return frozenset()
        return frozenset(manifest.locate(tuple(p))[0] for p in paths if isinstance(p, list))

    def problem_findings(self, path: str, problems: list[LoadProblem]) -> list[Finding]:
        rel = self.places.rel(path)
        env = self.places.env(rel)
        self._env_of_path[rel] = env
        active = {e.rule.code: e.severity for e in self.for_env(env).active}
        found = problem_findings(problems, self.registry, active)
        return [self._finish(f, rel, env, ()) for f in found if f.code in active]

    def _finish(
        self,
        finding: Finding,
        rel: str,
        env: str | None,
        annotations: Sequence[IgnoreAnnotation],
        customized: frozenset[int] | None = None,
    ) -> Finding:
        # At most one _replace() per finding: building a Finding is a third of its cost.
        finding = suppress(finding, annotations, self.config.ignores, env, self.known, rel)
        entry = self.places.source(rel)
        if entry is None or not entry.get("source"):
            return finding if finding.path == rel else finding._replace(path=rel)
        source, construct = str(entry["source"]), entry.get("construct")
        if customized is not None and (not customized or finding.line in customized):
            # The field was changed by the environment's overlay, not by the app module.
            source, construct = str(entry.get("customizedBy") or source), None
            where = f"{source}, function customize()"
            fix = f"{finding.fix} Make the change in {where}; {RENDERED_DIR}/ is generated."
            return finding._replace(path=rel, source=f"{source} (customize())", fix=fix)
        where = f"{source}, construct {construct}" if construct else source
        fix = finding.fix
        if self.registry.by_code[finding.code].engine != "loader":
            fix = f"{fix} Make the change in {where}; {RENDERED_DIR}/ is generated."
        shown = f"{source} (construct {construct})" if construct else source
        return finding._replace(path=rel, source=shown, fix=fix)

    def other_engine_findings(self, findings: Sequence[Finding]) -> list[Finding]:
        """Findings of the validator and of synth, under the same config as lint's: dropped
        when their rule is disabled, at a configured severity, suppressed by ignore entries."""
        kept: list[Finding] = []
        for finding in findings:
            rel = self.places.rel(finding.path)
            env = self.places.env(rel)
            self._env_of_path.setdefault(rel, env)
            if finding.code in self.registry.by_code:
                kept.append(finding._replace(path=rel))
                continue
            if env not in self._known_severity:
                resolved = resolve(self.config, self.known, env, self.flags)
                self._known_severity[env] = {e.rule.code: e.severity for e in resolved.active}
            severity = self._known_severity[env].get(finding.code)
            if severity is None:
                continue
            # The engine's own severity stands unless the config changed the rule's (e.g. a
            # missing schema is a warning under --ignore-missing-schemas).
            if severity != self.known.by_code[finding.code].severity:
                finding = finding._replace(severity=severity)
            finding = suppress(finding, (), self.config.ignores, env, self.known, rel)
            kept.append(finding if finding.path == rel else finding._replace(path=rel))
        return kept

    def fails(self, finding: Finding) -> bool:
        if finding.suppressed:
            return False
        path = finding.path
        if path not in self._threshold_of_path:  # asked of every finding: once per file
            env = self._env_of_path.get(path)
            self._threshold_of_path[path] = self.for_env(env).fail_threshold
        threshold = self._threshold_of_path[path]
        return threshold is not None and finding.severity >= threshold
