from decimal import Decimal

import pytest

from indicators.expressions import (
    ExpressionError,
    expression_check,
    expression_evaluate,
    expression_names,
)


def test_names_of_an_expression():
    assert expression_names("disputes_resolved / disputes_mediated * 100") == {
        "disputes_resolved",
        "disputes_mediated",
    }


@pytest.mark.parametrize(
    "expression",
    [
        "__import__('os').system('id')",
        "villages_total.__class__",
        "[1, 2]",
        "'文本'",
        "a if b else c",
    ],
)
def test_anything_but_arithmetic_is_refused(expression):
    with pytest.raises(ExpressionError):
        expression_names(expression)


def test_syntax_error_is_refused_in_chinese():
    with pytest.raises(ExpressionError, match="无法解析"):
        expression_names("villages_total *")


def test_unknown_code_is_refused_with_the_known_codes():
    with pytest.raises(ExpressionError) as error:
        expression_check("village_total", ["villages_total", "disputes_mediated"])
    assert "village_total" in str(error.value)
    assert "villages_total、disputes_mediated" in str(
        error.value
    ) or "disputes_mediated、villages_total" in str(error.value)


def test_evaluate():
    assert expression_evaluate("a / b * 100", {"a": 1, "b": 4}) == 25
    assert expression_evaluate("a / b", {"a": 1, "b": 0}) is None
    assert expression_evaluate("a + b", {"a": 1, "b": None}) is None
    assert expression_evaluate("a + b", {"a": 1}) is None


def test_an_expression_parsed_once_answers_each_call_with_its_own_figures():
    from concurrent.futures import ThreadPoolExecutor

    def answers(offset: int) -> list:
        return [
            expression_evaluate("a / b * 100", {"a": a + offset, "b": 4}) for a in range(1, 50)
        ] + [expression_evaluate("a / b * 100", {"a": 1, "b": None})]

    expected = [Decimal(a + 3) * 25 for a in range(1, 50)] + [None]
    assert answers(3) == expected
    with ThreadPoolExecutor(max_workers=4) as pool:
        for offset, got in zip(range(8), pool.map(answers, range(8)), strict=True):
            assert got == [Decimal(a + offset) * 25 for a in range(1, 50)] + [None]
