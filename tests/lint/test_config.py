"""[tool.gitops.lint] parsing: every key, value, rule and option is checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops.errors import ConfigError
from gitops.lint.config import glob_regex
from gitops.lint.rules import REGISTRY
from gitops.lint.selection import resolve
from tests.lint.support import TEST_REGISTRY, ReplicaOptions, active, parse


def test_unknown_key_names_it_and_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        parse("[tool.gitops.lint]\nenabel = ['IM002']\n")
    assert caught.value.message == "pyproject.toml: unknown key 'enabel' in [tool.gitops.lint]"
    assert caught.value.fix == (
        "use one of: disable, enable, fail_on, ignore, options, preset, severity, env"
    )


def test_unknown_key_in_env_table_and_ignore_entry() -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'env' in \[tool.gitops.lint.env.prod\]"):
        parse("[tool.gitops.lint.env.prod.env.x]\npreset = 'strict'\n")
    with pytest.raises(ConfigError) as caught:
        parse("[[tool.gitops.lint.ignore]]\nrules = ['IM001']\nreason = 'x'\npath = ['a']\n")
    assert "unknown key 'path' in [[tool.gitops.lint.ignore]] entry 1" in caught.value.message
    assert caught.value.fix == "use one of: kinds, names, namespaces, paths, reason, rules"


def test_unknown_rule_names_close_matches() -> None:
    with pytest.raises(ConfigError) as caught:
        parse("[tool.gitops.lint]\nenable = ['IM01']\n")
    assert "unknown rule code, name or family 'IM01' in [tool.gitops.lint] enable" in str(
        caught.value
    )
    assert "did you mean: IM001" in str(caught.value)
    with pytest.raises(ConfigError, match="did you mean: mutable-image-tag"):
        parse("[tool.gitops.lint.severity]\nmutable-image-tags = 'info'\n")


def test_bad_values_are_errors() -> None:
    with pytest.raises(ConfigError, match="preset must be one of: recommended, strict; got 'max'"):
        parse("[tool.gitops.lint]\npreset = 'max'\n")
    with pytest.raises(ConfigError, match="fail_on must be one of: error, warning, never"):
        parse("[tool.gitops.lint]\nfail_on = 'info'\n")
    with pytest.raises(ConfigError, match=r"severity.IM001 must be one of: error, warning, info"):
        parse("[tool.gitops.lint.severity]\nIM001 = 'fatal'\n")
    with pytest.raises(ConfigError, match="both enables and disables IM001"):
        parse("[tool.gitops.lint]\nenable = ['IM001']\ndisable = ['mutable-image-tag']\n")


def test_options_are_checked_against_the_rule_options_dataclass() -> None:
    settings = parse("[tool.gitops.lint.options.TS001]\nminimum = 3\nkinds = ['StatefulSet']\n")
    options = {a.rule.code: a.options for a in resolve(settings, TEST_REGISTRY, None).active}
    assert options["TS001"] == ReplicaOptions(minimum=3, kinds=("StatefulSet",), ratio=1.5)

    with pytest.raises(ConfigError) as caught:
        parse("[tool.gitops.lint.options.too-few-replicas]\nminimun = 3\n")
    assert "unknown option 'minimun' for TS001 too-few-replicas" in caught.value.message
    assert "valid options: minimum, kinds, ratio" in caught.value.message

    with pytest.raises(ConfigError) as caught:
        parse("[tool.gitops.lint.options.TS001]\nminimum = '3'\n")
    assert "option 'minimum' of TS001 too-few-replicas must be an integer, got '3'" in str(
        caught.value
    )
    with pytest.raises(ConfigError, match="must be a list of strings"):
        parse("[tool.gitops.lint.options.TS001]\nkinds = [1]\n")
    with pytest.raises(ConfigError, match="IM001 mutable-image-tag has no options"):
        parse("[tool.gitops.lint.options.IM001]\nx = 1\n")
    with pytest.raises(ConfigError, match="unknown rule code or name 'images'"):
        parse("[tool.gitops.lint.options.images]\nx = 1\n")


def test_env_table_must_name_a_known_environment() -> None:
    with pytest.raises(ConfigError) as caught:
        parse("[tool.gitops.lint.env.prd]\npreset = 'strict'\n", known_envs=("dev", "prod"))
    assert "[tool.gitops.lint.env.prd] names unknown environment 'prd'" in caught.value.message
    assert caught.value.fix == "use one of: dev, prod"


def test_ignore_entries_need_rules_and_a_reason() -> None:
    with pytest.raises(ConfigError, match="needs 'rules' and 'reason'"):
        parse("[[tool.gitops.lint.ignore]]\nrules = ['IM001']\n")
    with pytest.raises(ConfigError, match="reason must be a non-empty string"):
        parse("[[tool.gitops.lint.ignore]]\nrules = ['IM001']\nreason = ' '\n")
    settings = parse(
        "[[tool.gitops.lint.ignore]]\nrules = ['images', 'IN003']\nreason = 'vendored'\n"
        "paths = 'vendor/**'\n"
        "[[tool.gitops.lint.env.prod.ignore]]\nrules = ['IM001']\nreason = 'x'\n"
    )
    first, second = settings.ignores
    assert first.codes == {"IM001", "IM002", "IM003", "IM004", "IN003"} and first.paths == (
        "vendor/**",
    )
    assert first.env is None and second.env == "prod"


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("vendor/**", "vendor/a/b.yaml", True),
        ("vendor/*.yaml", "vendor/a/b.yaml", False),
        ("**/crds/*.yaml", "rendered/prod/crds/x.yaml", True),
        ("**/crds/*.yaml", "crds/x.yaml", True),
        ("rendered/*/my-app/*", "rendered/dev/my-app/deployment.my-app.yaml", True),
        ("rendered/?ev/**", "rendered/prod/x.yaml", False),
    ],
)
def test_path_globs(pattern: str, path: str, expected: bool) -> None:
    assert bool(glob_regex(pattern).match(path)) is expected


def test_readme_example_config_is_valid() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Linting", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    settings = parse(block, REGISTRY, known_envs=("dev", "prod"))
    assert "IM002" in active(settings, "prod") and settings.ignores[0].paths == ("vendor/**",)
