"""Safe arithmetic over data-element codes (simpleeval, never eval).

Kept in one place so validation rules now, and indicator formulas later, parse and evaluate the
same way and refuse the same mistakes.
"""

import ast
from collections.abc import Iterable, Mapping

from simpleeval import SimpleEval

ALLOWED_NODES = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.USub,
    ast.UAdd,
)


class ExpressionError(ValueError):
    """A user-facing (Chinese) reason an expression cannot be used."""


def expression_names(expression: str) -> set[str]:
    """The codes an expression refers to; raises ExpressionError when it does not parse."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"表达式“{expression}”无法解析，请检查括号和运算符。") from exc
    for node in ast.walk(tree):
        if not isinstance(node, ALLOWED_NODES):
            raise ExpressionError(f"表达式“{expression}”只能包含数据项代码、数字和 + - * / ( )。")
        if isinstance(node, ast.Constant) and not isinstance(node.value, int | float):
            raise ExpressionError(f"表达式“{expression}”只能包含数字常量。")
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def expression_check(expression: str, known_codes: Iterable[str]) -> None:
    known = set(known_codes)
    unknown = expression_names(expression) - known
    if unknown:
        raise ExpressionError(
            "未知的数据项代码：{}。可用的代码：{}".format(
                "、".join(sorted(unknown)), "、".join(sorted(known))
            )
        )


def expression_evaluate(expression: str, values: Mapping[str, int | None]) -> float | int | None:
    """The expression's value, or None when a figure it needs is unknown or it divides by zero."""
    names = expression_names(expression)
    if any(values.get(name) is None for name in names):
        return None
    evaluator = SimpleEval(names={name: values[name] for name in names})
    try:
        return evaluator.eval(expression.strip())
    except ZeroDivisionError:
        return None
