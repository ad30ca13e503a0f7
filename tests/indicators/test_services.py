from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from indicators.models import Indicator, IndicatorSet


def test_default_set_is_domains_hundred_points(personas):
    indicator_set = IndicatorSet.objects.get(period=personas.period, active=True)
    indicators = list(indicator_set.indicators.all())
    assert [i.code for i in indicators] == [
        "legal_advisor_coverage",
        "mediation_success_rate",
        "leadership_study",
        "rule_of_law_meetings",
        "certified_officers",
        "legality_review",
        "head_appearance_rate",
        "publicity_per_village",
        "report_completeness",
        "on_time",
    ]
    assert sum(i.points for i in indicators) == Decimal(100)
    assert indicator_set.validation_rules.count() == 3
    for indicator in indicators:
        indicator.full_clean()


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("villages_with_advisor / villages_total", "villages_with_advisor"),
        ("villages_total *", "无法解析"),
    ],
)
def test_formula_with_unknown_code_or_bad_syntax_is_refused_with_known_codes(
    personas, formula, message
):
    indicator = Indicator(
        indicator_set=IndicatorSet.objects.get(period=personas.period),
        code="bad",
        name="坏公式",
        formula=formula,
        rule="linear",
        target=Decimal(1),
        points=Decimal(5),
    )
    with pytest.raises(ValidationError) as error:
        indicator.full_clean()
    text = " ".join(error.value.message_dict["formula"])
    assert message in text
    if "未知" in text:
        assert "villages_total" in text and "parts_present" in text


def test_linear_rule_needs_positive_target_and_bands_need_valid_bands(personas):
    indicator_set = IndicatorSet.objects.get(period=personas.period)
    linear = Indicator(
        indicator_set=indicator_set,
        code="a",
        name="a",
        formula="villages_total",
        rule="linear",
        target=Decimal(0),
        points=Decimal(5),
    )
    with pytest.raises(ValidationError) as error:
        linear.full_clean()
    assert "target" in error.value.message_dict
    bands = Indicator(
        indicator_set=indicator_set,
        code="b",
        name="b",
        formula="villages_total",
        rule="bands",
        bands="0~10=8",
        points=Decimal(5),
    )
    with pytest.raises(ValidationError) as error:
        bands.full_clean()
    assert "分档得分不能高于指标分值" in error.value.message_dict["bands"][0]
