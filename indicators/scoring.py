"""Scoring a report's values against an indicator set: pure functions, Decimal only, no queries.

Every indicator yields an explanation row (value, target, rule in words, points, status) so a
township can see exactly why it got its score.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

from .expressions import CompiledExpression, UnknownFigure

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def q(number: Decimal) -> Decimal:
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(number: Decimal | str | None) -> str:
    """A number as people write it: 15, 92.5, 33.33 (no trailing zeros)."""
    if number is None:
        return ""
    text = f"{Decimal(number):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class Status:
    SCORED = "scored"
    NOT_APPLICABLE = "not_applicable"
    ZERO = "zero"
    LABELS = {SCORED: "计分", NOT_APPLICABLE: "不适用", ZERO: "计 0 分"}


class BandError(ValueError):
    pass


@dataclass(frozen=True)
class Band:
    lower: Decimal
    upper: Decimal | None
    points: Decimal

    def contains(self, value: Decimal) -> bool:
        return value >= self.lower and (self.upper is None or value < self.upper)


_NUMBER = r"-?\d+(?:\.\d+)?"
_BAND = re.compile(rf"^({_NUMBER})\s*[~～\-－至]\s*({_NUMBER})?\s*[=＝:：]\s*({_NUMBER})$")


def parse_bands(text: str) -> list[Band]:
    """'0~60=0' lines (or separated by 、；;) into ordered, non-overlapping bands."""
    bands = []
    for raw in re.split(r"[\n、；;]+", text or ""):
        line = raw.strip().replace(" ", "")
        if not line:
            continue
        match = _BAND.match(line)
        if not match:
            raise BandError(f"“{raw.strip()}”的格式不对，应写成“下限~上限=得分”，例如“60~90=6”。")
        lower, upper, points = match.groups()
        band = Band(Decimal(lower), Decimal(upper) if upper else None, Decimal(points))
        if band.upper is not None and band.upper <= band.lower:
            raise BandError(f"“{raw.strip()}”的上限必须大于下限。")
        bands.append(band)
    if not bands:
        raise BandError("分档计分至少需要一档。")
    bands.sort(key=lambda b: b.lower)
    for previous, current in zip(bands, bands[1:], strict=False):
        if previous.upper is None or previous.upper > current.lower:
            raise BandError("各档的范围不能重叠。")
    return bands


DEDUCTION = "deduction"
REVIEWER = "reviewer"


@dataclass
class CompiledIndicator:
    code: str
    rule: str
    target: Decimal | None
    bands: list[Band]
    points: Decimal
    not_applicable_when_missing: bool
    expression: CompiledExpression | None  # None for a reviewer-scored indicator
    step: Decimal | None = None
    deduction: Decimal | None = None
    cap: Decimal | None = None
    # A reviewer-scored indicator's deduction items: id → (name, points).
    items: dict[int, tuple[str, Decimal]] = field(default_factory=dict)

    @classmethod
    def from_model(cls, indicator) -> "CompiledIndicator":
        bands = parse_bands(indicator.bands) if indicator.rule == "bands" else []
        reviewer = indicator.rule == REVIEWER
        return cls(
            code=indicator.code,
            rule=indicator.rule,
            target=indicator.target,
            bands=bands,
            points=indicator.points,
            not_applicable_when_missing=indicator.when_missing == "not_applicable",
            expression=None if reviewer else CompiledExpression(indicator.formula),
            step=getattr(indicator, "step", None),
            deduction=getattr(indicator, "deduction", None),
            cap=getattr(indicator, "cap", None),
            items={item.pk: (item.name, item.points) for item in indicator.deduction_items.all()}
            if reviewer
            else {},
        )

    @property
    def most(self) -> Decimal:
        """The most that can be deducted: the cap, never more than the points."""
        return min(self.cap, self.points) if self.cap is not None else self.points


def deduction_points(ind: CompiledIndicator, value: Decimal) -> tuple[Decimal, list[dict]]:
    """扣分制: a deduction for each step the value falls short of the target (or, without a
    target, for each step of the value itself, e.g. days late), at most the cap; a part of a step
    counts as a step. Returns the points and the deductions explained."""
    if ind.deduction is None:
        raise TypeError(f"indicator {ind.code}: deduction scoring needs a deduction per step")
    step = ind.step or Decimal(1)
    short = (ind.target - value) if ind.target is not None else value
    if short <= 0:
        return ind.points, []
    steps = (short / step).to_integral_value(rounding=ROUND_CEILING)
    wanted = q(steps * ind.deduction)
    taken = min(wanted, ind.most)
    unit = "" if step == 1 else f" {fmt(step)}"
    if ind.target is not None:
        words = f"比目标 {fmt(ind.target)} 少 {fmt(q(short))}，每少{unit or ' 1'} 扣 {fmt(ind.deduction)} 分"
    else:
        words = f"计 {fmt(q(short))}，每{unit or ' 1'} 扣 {fmt(ind.deduction)} 分"
    if taken < wanted:
        words += f"（应扣 {fmt(wanted)} 分，最多扣 {fmt(ind.most)} 分）"
    return q(ind.points - taken), [{"name": words, "points": str(q(taken)), "note": ""}]


def reviewer_points(
    ind: CompiledIndicator, ticks: list[tuple[int, str]]
) -> tuple[Decimal, list[dict]]:
    """审核赋分: the points less the items the reviewer ticked (each with the reviewer's note), at
    most the cap. Items no longer in the set are ignored."""
    deductions = [
        {"name": ind.items[item_id][0], "points": str(q(ind.items[item_id][1])), "note": note}
        for item_id, note in ticks
        if item_id in ind.items
    ]
    wanted = sum((Decimal(d["points"]) for d in deductions), Decimal(0))
    taken = min(wanted, ind.most)
    if taken < wanted:
        deductions.append(
            {
                "name": f"扣分合计 {fmt(wanted)} 分，超过上限，按 {fmt(ind.most)} 分扣",
                "points": str(q(taken - wanted)),
                "note": "",
            }
        )
    return q(ind.points - taken), deductions


def rule_points(ind: CompiledIndicator, value: Decimal) -> Decimal:
    if ind.rule == "linear":
        if ind.target is None:  # Indicator.clean requires one; a row written past it fails here
            raise TypeError(f"indicator {ind.code}: linear scoring needs a target")
        if value <= 0:
            return Decimal(0)
        return q(min(value / ind.target, Decimal(1)) * ind.points)
    if ind.rule == "threshold":
        if ind.target is None:
            raise TypeError(f"indicator {ind.code}: threshold scoring needs a target")
        return ind.points if value >= ind.target else Decimal(0)
    if ind.rule == "bands":
        return next((b.points for b in ind.bands if b.contains(value)), Decimal(0))
    if ind.rule == "boolean":
        return ind.points if value != 0 else Decimal(0)
    if ind.rule == DEDUCTION:
        return deduction_points(ind, value)[0]
    raise ValueError(f"unknown rule {ind.rule!r}")


REASONS = {"unknown": "数据未填报", "zero_division": "分母为 0"}


def score_indicator(
    ind: CompiledIndicator,
    values: Mapping[str, int | None],
    ticks: list[tuple[int, str]] | None = None,
) -> dict:
    """What this report got, with the target and rule it was scored by. Names and the rule in
    words are joined back from the set when shown (explain()), so 40,000 stored rows stay small.
    ticks: the deduction items a reviewer ticked on a reviewer-scored indicator, with notes."""
    value = None
    reason = ""
    deductions: list[dict] = []
    if ind.expression is None:  # reviewer-scored: nothing to compute
        points, deductions = reviewer_points(ind, ticks or [])
        status, maximum = Status.SCORED, ind.points
        return {
            "code": ind.code,
            "value": None,
            "target": None,
            "rule": ind.rule,
            "points": str(q(points)),
            "max_points": str(q(maximum)),
            "status": status,
            "reason": "",
            "deductions": deductions,
        }
    try:
        value = ind.expression.evaluate(values)
    except UnknownFigure:
        reason = "unknown"
    except ZeroDivisionError:
        reason = "zero_division"
    if value is None:
        applicable = not ind.not_applicable_when_missing
        status = Status.ZERO if applicable else Status.NOT_APPLICABLE
        points, maximum = Decimal(0), (ind.points if applicable else Decimal(0))
    elif ind.rule == DEDUCTION:
        points, deductions = deduction_points(ind, value)
        status, maximum = Status.SCORED, ind.points
    else:
        status, points, maximum = Status.SCORED, rule_points(ind, value), ind.points
    item: dict[str, Any] = {
        "code": ind.code,
        "value": None if value is None else str(q(value)),
        "target": None if ind.target is None else str(ind.target),
        "rule": ind.rule,
        "points": str(q(points)),
        "max_points": str(q(maximum)),
        "status": status,
        "reason": reason,
    }
    if ind.rule == DEDUCTION:
        item["deductions"] = deductions
    return item


def note(item: dict) -> str:
    if item["status"] == Status.SCORED:
        return ""
    reason = REASONS.get(item["reason"], "无法计算")
    if item["status"] == Status.NOT_APPLICABLE:
        return f"{reason}，不适用，分值不计入满分"
    return f"{reason}，计 0 分"


def explain(breakdown: list[dict], indicators) -> list[dict]:
    """Stored items with each indicator's name, target, rule in words and full points."""
    by_code = {indicator.code: indicator for indicator in indicators}
    explained = []
    for item in breakdown:
        indicator = by_code.get(item["code"])
        explained.append(
            {
                **item,
                "name": indicator.name if indicator else item["code"],
                "rule_words": rule_in_words(indicator) if indicator else "",
                "full_points": indicator.points if indicator else item["max_points"],
                "note": note(item),
            }
        )
    return explained


@dataclass
class ScoreResult:
    earned: Decimal
    maximum: Decimal
    total: Decimal
    breakdown: list[dict]


def score_values(
    indicators: list[CompiledIndicator],
    values: Mapping[str, int | None],
    ticks: Mapping[str, list[tuple[int, str]]] | None = None,
) -> ScoreResult:
    """Earned points, applicable maximum, and the total rescaled to 100 (two places, half up).
    ticks: indicator code → the deduction items a reviewer ticked, with their notes."""
    ticks = ticks or {}
    breakdown = [score_indicator(ind, values, ticks.get(ind.code)) for ind in indicators]
    earned = sum((Decimal(item["points"]) for item in breakdown), Decimal(0))
    maximum = sum((Decimal(item["max_points"]) for item in breakdown), Decimal(0))
    total = q(earned / maximum * HUNDRED) if maximum else Decimal("0.00")
    return ScoreResult(earned=q(earned), maximum=q(maximum), total=total, breakdown=breakdown)


def rule_in_words(indicator) -> str:
    points, target = fmt(indicator.points), fmt(indicator.target)
    if indicator.rule == "linear":
        return f"按比例计分，达到 {target} 得满分 {points} 分"
    if indicator.rule == "threshold":
        return f"不低于 {target} 得 {points} 分，否则 0 分"
    if indicator.rule == "bands":
        try:
            bands = parse_bands(indicator.bands)
        except BandError:
            return "分档计分（分档设置有误）"
        parts = [
            f"{fmt(b.lower)}–{fmt(b.upper)} 得 {fmt(b.points)} 分"
            if b.upper is not None
            else f"{fmt(b.lower)} 及以上得 {fmt(b.points)} 分"
            for b in bands
        ]
        return "分档计分：" + "；".join(parts)
    if indicator.rule == "boolean":
        return f"是得 {points} 分，否得 0 分"
    cap = getattr(indicator, "cap", None)
    most = f"，最多扣 {fmt(cap)} 分" if cap is not None else "，扣完为止"
    if indicator.rule == DEDUCTION:
        step = getattr(indicator, "step", None) or Decimal(1)
        per = fmt(getattr(indicator, "deduction", None))
        if indicator.target is not None:
            return f"扣分制：满分 {points} 分，比 {target} 每少 {fmt(step)} 扣 {per} 分{most}"
        return f"扣分制：满分 {points} 分，每 {fmt(step)} 扣 {per} 分{most}"
    if indicator.rule == REVIEWER:
        return f"审核赋分：满分 {points} 分，审核员对照佐证材料按扣分项扣分{most}"
    return ""
