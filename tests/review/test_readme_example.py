"""README shows the real markdown `gitops diff` prints for a change to apps/my_app.py."""

from __future__ import annotations

from tests.review.readme_example import README, current, generate, normalized, section


def test_readme_example_is_what_gitops_diff_prints() -> None:
    expected = normalized(section(generate()))
    assert normalized(current(README.read_text())) == expected, (
        "README's gitops diff example is stale: run "
        ".venv/bin/python -m tests.review.readme_example --write"
    )
