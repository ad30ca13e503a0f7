"""扣分制 and 审核赋分 in the pure scoring."""

from decimal import Decimal
from types import SimpleNamespace

from indicators.expressions import CompiledExpression
from indicators.scoring import CompiledIndicator, rule_in_words, score_indicator, score_values


def deduction(formula, *, points, target, per, step=None, cap=None, code="x"):
    return CompiledIndicator(
        code=code,
        rule="deduction",
        target=None if target is None else Decimal(target),
        bands=[],
        points=Decimal(points),
        not_applicable_when_missing=False,
        expression=CompiledExpression(formula),
        step=None if step is None else Decimal(step),
        deduction=Decimal(per),
        cap=None if cap is None else Decimal(cap),
    )


STUDY = dict(points="1.5", target="6", per="0.3", cap="1.2")


def test_each_session_short_of_six_costs_0_3_at_most_1_2():
    ind = deduction("leadership_study_sessions", **STUDY)
    assert score_indicator(ind, {"leadership_study_sessions": 6})["points"] == "1.50"
    assert score_indicator(ind, {"leadership_study_sessions": 9})["deductions"] == []
    item = score_indicator(ind, {"leadership_study_sessions": 3})
    assert item["points"] == "0.60"
    assert item["deductions"] == [
        {"name": "比目标 6 少 3，每少 1 扣 0.3 分", "points": "0.90", "note": ""}
    ]
    capped = score_indicator(ind, {"leadership_study_sessions": 0})
    assert capped["points"] == "0.30"
    assert capped["deductions"][0]["name"].endswith("（应扣 1.8 分，最多扣 1.2 分）")
    assert capped["deductions"][0]["points"] == "1.20"


def test_none_and_late_lose_the_item_and_a_part_of_a_step_counts():
    advisor = deduction("gov_legal_advisors", points="1", target="1", per="1")
    assert score_indicator(advisor, {"gov_legal_advisors": 0})["points"] == "0.00"
    assert score_indicator(advisor, {"gov_legal_advisors": 2})["points"] == "1.00"
    late = deduction("submitted_on_time", points="0.5", target="1", per="0.5")
    assert score_indicator(late, {"submitted_on_time": 0})["points"] == "0.00"
    rate = deduction("r", points="2", target="90", per="0.5", step="5")
    assert score_indicator(rate, {"r": 88})["points"] == "1.50"  # 2 short: one step of 5
    days = deduction("days_late", points="1", target=None, per="0.1")
    item = score_indicator(days, {"days_late": 4})
    assert item["points"] == "0.60" and item["deductions"][0]["name"] == "计 4，每 1 扣 0.1 分"


def reviewer_indicator(cap=None):
    return CompiledIndicator(
        code="law_enforcement",
        rule="reviewer",
        target=None,
        bands=[],
        points=Decimal("1"),
        not_applicable_when_missing=False,
        expression=None,
        cap=None if cap is None else Decimal(cap),
        items={1: ("执法案卷评查不合格", Decimal("0.5")), 2: ("发生执法过错被追责", Decimal("1"))},
    )


def test_reviewer_items_are_deducted_with_their_notes_up_to_the_cap():
    ind = reviewer_indicator()
    assert score_indicator(ind, {})["points"] == "1.00"
    item = score_indicator(ind, {}, [(1, "见佐证材料第 3 页")])
    assert item["points"] == "0.50" and item["value"] is None and item["status"] == "scored"
    assert item["deductions"] == [
        {"name": "执法案卷评查不合格", "points": "0.50", "note": "见佐证材料第 3 页"}
    ]
    both = score_indicator(ind, {}, [(1, "a"), (2, "b")])
    assert both["points"] == "0.00"
    assert both["deductions"][-1]["name"] == "扣分合计 1.5 分，超过上限，按 1 分扣"
    assert score_indicator(ind, {}, [(99, "an item since deleted")])["points"] == "1.00"


def test_the_total_uses_the_reviewer_deductions():
    result = score_values(
        [reviewer_indicator(), deduction("s", **STUDY, code="study")],
        {"s": 6},
        {"law_enforcement": [(1, "见佐证")]},
    )
    assert (result.earned, result.maximum, result.total) == (
        Decimal("2.00"),
        Decimal("2.50"),
        Decimal("80.00"),
    )


def test_rules_in_words():
    study = SimpleNamespace(
        rule="deduction",
        points=Decimal("1.5"),
        target=Decimal(6),
        step=None,
        deduction=Decimal("0.3"),
        cap=Decimal("1.2"),
    )
    assert rule_in_words(study) == "扣分制：满分 1.5 分，比 6 每少 1 扣 0.3 分，最多扣 1.2 分"
    reviewer = SimpleNamespace(rule="reviewer", points=Decimal("1"), target=None, cap=None)
    assert (
        rule_in_words(reviewer) == "审核赋分：满分 1 分，审核员对照佐证材料按扣分项扣分，扣完为止"
    )
