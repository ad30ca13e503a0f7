"""Safe arithmetic over data-element codes (simpleeval, never eval).

Kept in one place so validation rules now, and indicator formulas later, parse and evaluate the
same way and refuse the same mistakes.
"""

import ast
import threading
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

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


class _DecimalEval(SimpleEval):
    """simpleeval with every number a Decimal, so that 1/3*3 stays exact enough and never drifts."""

    def _eval_constant(self, node):
        value = super()._eval_constant(node)
        return Decimal(str(value)) if isinstance(value, int | float) else value


class UnknownFigure(Exception):
    """A figure the expression needs is unknown (left empty)."""


class CompiledExpression:
    """An expression parsed and checked once, evaluated many times (scoring thousands of reports)."""

    def __init__(self, expression: str):
        self.text = expression.strip()
        self.names = expression_names(self.text)
        self._evaluator = _DecimalEval()
        self._tree = self._evaluator.parse(self.text)

    def evaluate(self, values: Mapping[str, int | Decimal | None]) -> Decimal:
        """The value; raises UnknownFigure, or ZeroDivisionError when a divisor is 0."""
        names = {}
        for name in self.names:
            value = values.get(name)
            if value is None:
                raise UnknownFigure(name)
            names[name] = Decimal(value)
        self._evaluator.names = names
        try:
            return self._evaluator.eval(self.text, previously_parsed=self._tree)
        except (ZeroDivisionError, InvalidOperation) as exc:
            # Decimal raises InvalidOperation for 0/0 and DivisionByZero (a ZeroDivisionError) else.
            raise ZeroDivisionError from exc


# Each thread's expressions, parsed once: validation rules are checked on every save and every
# draw of the edit page, and parsing (simpleeval's set-up, Python's parser) costs more than
# evaluating. Per thread, as an expression's evaluator holds the figures of its current call.
_PARSED = threading.local()
_PARSED_MAX = 512


def _compiled(expression: str) -> CompiledExpression:
    found: dict[str, CompiledExpression] | None = getattr(_PARSED, "expressions", None)
    if found is None or len(found) >= _PARSED_MAX:
        found = _PARSED.expressions = {}
    compiled = found.get(expression)
    if compiled is None:
        compiled = found[expression] = CompiledExpression(expression)
    return compiled


def expression_evaluate(expression: str, values: Mapping[str, int | None]) -> Decimal | None:
    """The expression's value, or None when a figure it needs is unknown or it divides by zero."""
    try:
        return _compiled(expression).evaluate(values)
    except (UnknownFigure, ZeroDivisionError):
        return None
