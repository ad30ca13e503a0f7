from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
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


class SynonymManager(models.Manager):
    def get_by_natural_key(self, element_code, kind, phrase):
        return self.get(element__code=element_code, kind=kind, phrase=phrase)


class DataElementSynonym(models.Model):
    """How reports call a data element (同义说法): the reading of reports takes a count for the
    element only when its clause says one of these, and never when it says an excluded one.
    Rows, not code: admins add the wording they meet, and the next import uses it."""

    class Kind(models.TextChoices):
        NAME = "name", "说法（须含其一）"
        EXCLUDE = "exclude", "排除（含则不取）"

    element = models.ForeignKey(
        DataElement, on_delete=models.CASCADE, related_name="synonyms", verbose_name="数据项"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.NAME)
    phrase = models.CharField(
        "说法",
        max_length=40,
        help_text="报告原文中的词语，如“调解矛盾纠纷”“排查”“中心组”。单个汉字须是完整的词。",
    )

    objects = SynonymManager()

    class Meta:
        ordering = ["element", "kind", "id"]
        verbose_name = "同义说法"
        verbose_name_plural = "同义说法"
        constraints = [
            models.UniqueConstraint(
                fields=["element", "kind", "phrase"], name="synonym_unique_phrase"
            )
        ]

    def __str__(self):
        return f"{self.element.code}：{self.phrase}"

    def natural_key(self):
        return (self.element.code, self.kind, self.phrase)

    natural_key.dependencies = ["indicators.dataelement"]  # type: ignore[attr-defined]


class ValidationRule(models.Model):
    """A consistency rule between figures, checked on submission (e.g. resolved ≤ mediated)."""

    indicator_set = models.ForeignKey(
        "IndicatorSet",
        on_delete=models.CASCADE,
        related_name="validation_rules",
        verbose_name="指标体系",
    )

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


# Values computed from the report itself, usable in formulas like any data-element code.
DERIVED_NAMES = {
    "parts_present": "必填部分已填写数（0–4）",
    "submitted_on_time": "按期报送（是为 1，否为 0）",
}


def formula_names() -> dict[str, str]:
    """Every name a formula may use, with its meaning, for validation and the admin's help."""
    names = {e.code: f"{e.name}（{e.unit}）" for e in DataElement.objects.filter(active=True)}
    names.update(DERIVED_NAMES)
    return names


class IndicatorSet(models.Model):
    """The county's indicator system (指标体系) for one reporting year."""

    period = models.ForeignKey(
        "org.Period",
        on_delete=models.PROTECT,
        related_name="indicator_sets",
        verbose_name="报告年度",
    )
    name = models.CharField("名称", max_length=100)
    active = models.BooleanField("启用", default=True, help_text="每个年度只能启用一套指标体系。")
    change_factor = models.DecimalField(
        "请核实倍数",
        max_digits=5,
        decimal_places=2,
        default=Decimal(3),
        validators=[MinValueValidator(Decimal("1.01"))],
        help_text="数据与上年相比变化到这个倍数以上（或以下到几分之一），或每村数值与全县中位数相差这个"
        "倍数以上时，提示「请核实」。默认 3。",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        ordering = ["-period__year", "name"]
        verbose_name = "指标体系"
        verbose_name_plural = "指标体系"
        constraints = [
            models.UniqueConstraint(
                fields=["period"],
                condition=models.Q(active=True),
                name="one_active_indicator_set_per_period",
                violation_error_message="该年度已有启用的指标体系，请先停用原有的一套。",
            )
        ]

    def __str__(self):
        return f"{self.period} · {self.name}"


class Indicator(models.Model):
    class Rule(models.TextChoices):
        LINEAR = "linear", "线性计分（达到目标值得满分）"
        THRESHOLD = "threshold", "达标计分（不低于目标值得满分，否则 0 分）"
        BANDS = "bands", "分档计分"
        BOOLEAN = "boolean", "是否计分（是得满分，否得 0 分）"
        DEDUCTION = "deduction", "扣分制（每差一个单位扣分，扣完为止或到上限）"
        REVIEWER = "reviewer", "审核赋分（审核员按扣分项扣分）"

    class WhenMissing(models.TextChoices):
        NOT_APPLICABLE = "not_applicable", "不适用（分值不计入满分，总分折算为百分制）"
        ZERO = "zero", "计 0 分"

    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.CASCADE, related_name="indicators", verbose_name="指标体系"
    )
    code = models.CharField("代码", max_length=64, validators=[code_validator])
    name = models.CharField("名称", max_length=100)
    area = models.CharField("类别", max_length=50, blank=True)
    formula = models.CharField(
        "计算公式",
        max_length=300,
        blank=True,
        help_text="用数据项代码和 + - * / ( ) 写成，例如 disputes_resolved / disputes_mediated * 100。"
        "审核赋分的指标不填。",
    )
    rule = models.CharField("计分规则", max_length=20, choices=Rule.choices)
    target = models.DecimalField(
        "目标值",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="线性计分和达标计分必填。",
    )
    bands = models.TextField(
        "分档",
        blank=True,
        help_text="分档计分时每行一档：下限~上限=得分，含下限不含上限，上限留空表示以上。"
        "例如：0~60=0、60~90=6、90~=10。",
    )
    points = models.DecimalField("分值", max_digits=6, decimal_places=2)
    step = models.DecimalField(
        "扣分单位",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="扣分制：每差多少扣一次，不填为 1。有目标值时按“目标值 − 公式值”计差额，"
        "没有目标值时公式值本身就是差额（例如迟报天数）。",
    )
    deduction = models.DecimalField(
        "每单位扣分",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="扣分制必填，例如每少一次扣 0.3 分。",
    )
    cap = models.DecimalField(
        "最多扣分",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="扣分制和审核赋分：扣分上限，不填则最多扣完本项分值。",
    )
    when_missing = models.CharField(
        "无法计算时",
        max_length=20,
        choices=WhenMissing.choices,
        default=WhenMissing.ZERO,
        help_text="数据未填报或分母为 0 时的处理。",
    )
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "指标"
        verbose_name_plural = "指标"
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "code"], name="indicator_unique_code")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from .scoring import BandError, parse_bands

        errors = {}
        if self.rule != self.Rule.REVIEWER:
            try:
                expression_check(self.formula or "", formula_names())
            except ExpressionError as exc:
                errors["formula"] = str(exc)
        if self.rule == self.Rule.DEDUCTION:
            if self.deduction is None or self.deduction <= 0:
                errors["deduction"] = "扣分制需要填写大于 0 的每单位扣分。"
            if self.step is not None and self.step <= 0:
                errors["step"] = "扣分单位必须大于 0。"
        if self.cap is not None and (
            self.cap <= 0 or (self.points is not None and self.cap > self.points)
        ):
            errors["cap"] = "最多扣分必须大于 0，且不超过本项分值。"
        if self.rule in (self.Rule.LINEAR, self.Rule.THRESHOLD):
            if self.target is None:
                errors["target"] = "线性计分和达标计分需要填写目标值。"
            elif self.rule == self.Rule.LINEAR and self.target <= 0:
                errors["target"] = "线性计分的目标值必须大于 0。"
        if self.rule == self.Rule.BANDS:
            try:
                bands = parse_bands(self.bands)
                if self.points is not None and any(b.points > self.points for b in bands):
                    errors["bands"] = "分档得分不能高于指标分值。"
            except BandError as exc:
                errors["bands"] = str(exc)
        if self.points is not None and self.points <= 0:
            errors["points"] = "分值必须大于 0。"
        if errors:
            raise ValidationError(errors)

    def rule_in_words(self) -> str:
        from .scoring import rule_in_words

        return rule_in_words(self)


class DeductionItem(models.Model):
    """One thing a reviewer may deduct for on a reviewer-scored indicator (审核赋分), judged from
    the report and its evidence, e.g. 未按要求公开年度报告 −0.5."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="deduction_items", verbose_name="指标"
    )
    name = models.CharField("扣分项", max_length=200)
    points = models.DecimalField(
        "扣分",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "扣分项"
        verbose_name_plural = "扣分项"

    def __str__(self):
        return f"{self.name}（扣 {self.points.normalize():f} 分）"
