"""Precedence: preset < enable/disable < env override < flags; explicit severity wins."""

from __future__ import annotations

import pytest

from gitops.errors import ConfigError
from gitops.findings import Severity
from gitops.lint.config import flags_layer
from gitops.lint.selection import resolve
from tests.lint.support import TEST_REGISTRY, active, parse


def test_defaults_are_the_recommended_preset() -> None:
    on = active(parse(""))
    assert on["IM001"] == Severity.ERROR
    assert "IM002" not in on
    assert on["TS001"] == Severity.WARNING
    assert resolve(parse(""), TEST_REGISTRY, None).fail_threshold == Severity.ERROR


def test_strict_preset_enables_every_rule_at_its_strict_severity() -> None:
    on = active(parse("[tool.gitops.lint]\npreset = 'strict'\n"))
    assert on["IM002"] == Severity.WARNING
    assert on["TS001"] == Severity.ERROR  # strict_severity
    assert set(on) == {r.code for r in TEST_REGISTRY.rules}


def test_explicit_severity_wins_over_strict_and_rule_beats_family() -> None:
    settings = parse(
        "[tool.gitops.lint]\npreset = 'strict'\n"
        "[tool.gitops.lint.severity]\ntesting = 'info'\nimages = 'info'\nIM001 = 'warning'\n"
    )
    on = active(settings)
    assert on["TS001"] == Severity.INFO
    assert on["IM002"] == Severity.INFO
    assert on["IM001"] == Severity.WARNING


def test_family_disable_then_rule_enable_in_one_layer() -> None:
    on = active(parse("[tool.gitops.lint]\ndisable = ['images']\nenable = ['IM001']\n"))
    assert "IM001" in on and "IM002" not in on


def test_env_override_applies_to_its_env_only() -> None:
    settings = parse(
        "[tool.gitops.lint]\ndisable = ['TS001']\nfail_on = 'error'\n"
        "[tool.gitops.lint.env.prod]\nenable = ['IM002', 'TS001']\nfail_on = 'warning'\n"
        "[tool.gitops.lint.env.prod.severity]\nIM002 = 'error'\n",
        known_envs=("dev", "prod"),
    )
    assert "IM002" not in active(settings, "dev") and "TS001" not in active(settings, "dev")
    assert active(settings, "prod")["IM002"] == Severity.ERROR
    assert "TS001" in active(settings, "prod")
    assert resolve(settings, TEST_REGISTRY, "prod").fail_threshold == Severity.WARNING
    assert resolve(settings, TEST_REGISTRY, "dev").fail_threshold == Severity.ERROR


def test_flags_override_config() -> None:
    settings = parse("[tool.gitops.lint]\nenable = ['IM002']\nfail_on = 'warning'\n")
    on = active(settings, preset="strict", disable=["IM002"], fail_on="never")
    assert "IM002" not in on and on["TS001"] == Severity.ERROR
    layer = flags_layer(TEST_REGISTRY, fail_on="never")
    assert resolve(settings, TEST_REGISTRY, None, layer).fail_threshold is None
    with pytest.raises(
        ConfigError, match="command line: unknown rule code, name or family 'X1' in --enable"
    ):
        flags_layer(TEST_REGISTRY, enable=["X1"])


def test_flag_family_disable_with_rule_enable_keeps_the_rule() -> None:
    on = active(parse(""), disable=["images"], enable=["IM001"])
    assert "IM001" in on and "IM002" not in on
    with pytest.raises(ConfigError, match="--enable and --disable both name IM001"):
        flags_layer(TEST_REGISTRY, enable=["IM001"], disable=["mutable-image-tag"])
