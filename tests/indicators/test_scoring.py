"""Scoring rules, the not-applicable rescale, division by zero and rounding (pure, no database)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from indicators.scoring import (
    BandError,
    CompiledIndicator,
    Status,
    fmt,
    note,
    parse_bands,
    rule_in_words,
    score_values,
)


def indicator(
    code="x", formula="x", rule="linear", target="10", points="10", missing="zero", bands=""
):
    model = SimpleNamespace(
        code=code,
        name=code,
        formula=formula,
        rule=rule,
        target=None if target is None else Decimal(target),
        points=Decimal(points),
        when_missing=missing,
        bands=bands,
    )
    return CompiledIndicator.from_model(model)


def points_for(ind, **values):
    return score_values([ind], values).breakdown[0]


@pytest.mark.parametrize(
    ("value", "points"),
    [(0, "0.00"), (5, "5.00"), (10, "10.00"), (25, "10.00"), (3, "3.00")],
)
def test_linear_to_target_capped_at_full_points(value, points):
    assert points_for(indicator(), x=value)["points"] == points


def test_linear_rounds_half_up_to_two_places_without_float_drift():
    # 1/3 of 10 points = 3.333… → 3.33; 2/3 → 6.666… → 6.67
    ind = indicator(formula="a / b * 3", target="3", points="10")
    assert points_for(ind, a=1, b=3)["points"] == "3.33"
    assert points_for(ind, a=2, b=3)["points"] == "6.67"
    # 0.1 + 0.2 style drift would give 0.30000000000000004 with floats.
    ind = indicator(formula="x * 0.1 + x * 0.2", target="0.3", points="1")
    assert points_for(ind, x=1)["value"] == "0.30"
    assert points_for(ind, x=1)["points"] == "1.00"


@pytest.mark.parametrize(("value", "points"), [(1, "0.00"), (2, "5.00"), (7, "5.00")])
def test_threshold(value, points):
    ind = indicator(rule="threshold", target="2", points="5")
    assert points_for(ind, x=value)["points"] == points


@pytest.mark.parametrize(
    ("value", "points"),
    [(0, "0.00"), (59.99, "0.00"), (60, "6.00"), (89, "6.00"), (90, "10.00"), (1000, "10.00")],
)
def test_bands_lower_inclusive_upper_exclusive(value, points):
    ind = indicator(rule="bands", target=None, bands="0~60=0\n60~90=6\n90~=10")
    assert points_for(ind, x=Decimal(str(value)))["points"] == points


def test_value_below_every_band_scores_zero():
    ind = indicator(rule="bands", target=None, bands="10~20=5")
    assert points_for(ind, x=3)["points"] == "0.00"


@pytest.mark.parametrize(("value", "points"), [(0, "0.00"), (1, "10.00")])
def test_boolean(value, points):
    ind = indicator(rule="boolean", target=None)
    assert points_for(ind, x=value)["points"] == points


def test_division_by_zero_not_applicable_leaves_the_maximum_and_rescales():
    rate = indicator(
        code="rate", formula="a / b * 100", target="100", points="10", missing="not_applicable"
    )
    other = indicator(code="other", formula="c", target="10", points="90")
    result = score_values([rate, other], {"a": 0, "b": 0, "c": 5})
    item = result.breakdown[0]
    assert item["status"] == Status.NOT_APPLICABLE
    assert note(item) == "分母为 0，不适用，分值不计入满分"
    assert (result.earned, result.maximum) == (Decimal("45.00"), Decimal("90.00"))
    assert result.total == Decimal("50.00")


def test_unknown_figure_with_zero_policy_scores_zero_and_keeps_maximum():
    study = indicator(code="study", formula="sessions", target="4", points="10")
    other = indicator(code="other", formula="c", target="10", points="90")
    result = score_values([study, other], {"c": 10})
    assert result.breakdown[0]["status"] == Status.ZERO
    assert note(result.breakdown[0]) == "数据未填报，计 0 分"
    assert (result.earned, result.maximum, result.total) == (
        Decimal("90.00"),
        Decimal("100.00"),
        Decimal("90.00"),
    )


def test_unknown_is_not_zero_for_not_applicable_policy():
    rate = indicator(formula="a / b", missing="not_applicable")
    assert points_for(rate, a=1)["status"] == Status.NOT_APPLICABLE
    assert points_for(rate, a=0, b=4)["status"] == Status.SCORED


def test_everything_not_applicable_gives_zero_not_an_error():
    rate = indicator(formula="a / b", missing="not_applicable")
    result = score_values([rate], {"a": 0, "b": 0})
    assert (result.maximum, result.total) == (Decimal("0.00"), Decimal("0.00"))


def test_total_rescale_rounds_half_up():
    a = indicator(code="a", formula="a", target="1", points="1", rule="threshold")
    b = indicator(code="b", formula="b", target="1", points="2", rule="threshold")
    result = score_values([a, b], {"a": 1, "b": 0})
    assert result.total == Decimal("33.33")
    result = score_values([a, b], {"a": 0, "b": 1})
    assert result.total == Decimal("66.67")


@pytest.mark.parametrize(
    "text",
    ["", "0~60", "60~30=5", "0~60=1\n50~90=2", "0~=1\n10~20=2", "甲~乙=1"],
)
def test_bad_bands_are_refused(text):
    with pytest.raises(BandError):
        parse_bands(text)


def test_bands_accept_chinese_punctuation():
    bands = parse_bands("0～60＝0、60～=5")
    assert [(b.lower, b.upper, b.points) for b in bands] == [
        (Decimal(0), Decimal(60), Decimal(0)),
        (Decimal(60), None, Decimal(5)),
    ]


def test_rules_in_words():
    def words(**kw):
        return rule_in_words(SimpleNamespace(**{"target": None, "bands": "", **kw}))

    assert (
        words(rule="linear", target=Decimal("95"), points=Decimal("10.00"))
        == "按比例计分，达到 95 得满分 10 分"
    )
    assert (
        words(rule="threshold", target=Decimal("2"), points=Decimal("5"))
        == "不低于 2 得 5 分，否则 0 分"
    )
    assert (
        words(rule="bands", points=Decimal("10"), bands="0~60=0\n60~=10")
        == "分档计分：0–60 得 0 分；60 及以上得 10 分"
    )
    assert words(rule="boolean", points=Decimal("10")) == "是得 10 分，否得 0 分"
    assert fmt(Decimal("92.50")) == "92.5"


def test_a_ranking_rows_cells_are_its_points_cells_in_the_indicators_order():
    from types import SimpleNamespace

    from indicators.scoring import Status
    from indicators.templatetags.scores import points_cell, points_cells

    indicators = [SimpleNamespace(code=code) for code in ("a", "b", "c", "d")]
    items = {
        "a": {"status": Status.SCORED, "points": "12.50"},
        "b": {"status": Status.NOT_APPLICABLE, "note": '无此项 <"村">'},
        "d": {"status": Status.ZERO, "note": "未填报"},
    }
    cells = points_cells(items, indicators)
    assert cells == "".join(
        f'<td class="text-center">{points_cell(items.get(i.code))}</td>' for i in indicators
    )
    assert cells.count("<td") == 4 and "12.5" in cells and "&lt;&quot;村&quot;&gt;" in cells
    assert points_cells(None, indicators).count("—") == 4
