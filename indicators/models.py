from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from .expressions import ExpressionError, expression_check, expression_evaluate, expression_names

code_validator = RegexValidator(
    r"^[a-z][a-z0-9_]*$", "代码只能由小写英文字母、数字和下划线组成，并以字母开头。"
)


class DataElementManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class DataElement(models.Model):
    """A figure townships report every year (数据项). Rows, not code: the report form is built from them."""

    code = models.CharField("代码", max_length=64, unique=True, validators=[code_validator])
    name = models.CharField("名称", max_length=100)
    unit = models.CharField("单位", max_length=10)
    area = models.CharField("类别", max_length=50, help_text="填报页面按类别分组显示。")
    help_text = models.CharField("填写说明", max_length=300, blank=True)
    order = models.PositiveIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    objects = DataElementManager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "数据项"
        verbose_name_plural = "数据项"

    def __str__(self):
        return f"{self.name}（{self.unit}）"

    def natural_key(self):
        return (self.code,)


class ValidationRule(models.Model):
    """A consistency rule between figures, checked on submission (e.g. resolved ≤ mediated)."""

    class Operator(models.TextChoices):
        LE = "<=", "不大于 ≤"
        LT = "<", "小于 <"
        GE = ">=", "不小于 ≥"
        GT = ">", "大于 >"
        EQ = "==", "等于 ="

    left_expression = models.CharField("左侧表达式", max_length=200)
    operator = models.CharField("比较", max_length=2, choices=Operator.choices)
    right_expression = models.CharField("右侧表达式", max_length=200)
    message = models.CharField(
        "提示信息",
        max_length=300,
        help_text="不满足时显示给填报员。可用 {left} 和 {right} 代入两侧的数值。",
    )
    order = models.PositiveIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "校验规则"
        verbose_name_plural = "校验规则"

    def __str__(self):
        return f"{self.left_expression} {self.operator} {self.right_expression}"

    def clean(self):
        known = DataElement.objects.values_list("code", flat=True)
        errors = {}
        for field in ("left_expression", "right_expression"):
            try:
                expression_check(getattr(self, field), known)
            except ExpressionError as exc:
                errors[field] = str(exc)
        if errors:
            raise ValidationError(errors)

    def codes(self) -> set[str]:
        return expression_names(self.left_expression) | expression_names(self.right_expression)

    def violation(self, values) -> str | None:
        """The message when the figures break this rule; None when they keep it or are unknown."""
        left = expression_evaluate(self.left_expression, values)
        right = expression_evaluate(self.right_expression, values)
        if left is None or right is None:
            return None
        holds = {
            "<=": left <= right,
            "<": left < right,
            ">=": left >= right,
            ">": left > right,
            "==": left == right,
        }[self.operator]
        if holds:
            return None
        return self.message.replace("{left}", _fmt(left)).replace("{right}", _fmt(right))


def _fmt(number) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:.2f}"
