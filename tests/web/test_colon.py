"""The colon after a label follows the page's language, in a macro too: a macro that does not
see the page's context still gets the colon of the page being rendered, never a fixed width."""

from __future__ import annotations

import pytest

from hireflow.web.templating import colon_for, environment, page_language

MACRO = '{% macro labelled(text) %}{{ text }}{{ colon }}{% endmacro %}{{ labelled("行业") }}'


@pytest.mark.parametrize(
    ("language", "expected"), [("zh-CN", "行业："), ("ja", "行业："), ("en", "行业: ")]
)
def test_a_macro_without_the_page_s_context_uses_the_page_s_colon(language, expected) -> None:
    template = environment.from_string(MACRO)  # no context: only the environment's globals
    with page_language(language):
        assert template.render() == expected
    assert colon_for(language) == expected[2:]


def test_outside_a_page_the_colon_is_half_width() -> None:
    """Letters and e-mails rendered without a page keep ": " as before."""
    assert environment.from_string(MACRO).render() == "行业: "
