"""Rule options: TOML values converted to the dataclass's types; field docs for the docs."""

from __future__ import annotations

import pytest

from gitops.rules.docs import rule_markdown, rule_text
from gitops.rules.options import OptionError, check_options, format_value, option_docs
from tests.lint.support import too_few_replicas


def test_values_are_converted_to_the_declared_types() -> None:
    checked = check_options(too_few_replicas, {"kinds": ["StatefulSet"], "ratio": 2})
    assert checked == {"kinds": ("StatefulSet",), "ratio": 2.0}
    assert isinstance(checked["ratio"], float)
    with pytest.raises(OptionError, match="must be an integer, got True"):
        check_options(too_few_replicas, {"minimum": True})


def test_option_docs_come_from_field_docstrings() -> None:
    docs = {d.name: d for d in option_docs(too_few_replicas)}
    assert (docs["minimum"].type, docs["minimum"].default) == ("an integer", 2)
    assert docs["minimum"].doc == "Fewest replicas accepted."
    assert docs["kinds"].type == "a list of strings"
    assert docs["ratio"].doc == ""
    assert format_value(docs["kinds"].default) == '["Deployment"]'


def test_rule_docs_show_options_with_defaults() -> None:
    assert "| `minimum` | an integer | `2` | Fewest replicas accepted. |" in rule_markdown(
        too_few_replicas
    )
    text = rule_text(too_few_replicas)
    assert "option:    minimum = 2 (an integer): Fewest replicas accepted." in text
    assert "severity:  warning (error in strict)" in text
