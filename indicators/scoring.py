"""Scoring a report's values against an indicator set: pure functions, Decimal only, no queries.

Every indicator yields an explanation row (value, target, rule in words, points, status) so a
township can see exactly why it got its score.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

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


@dataclass
class CompiledIndicator:
    code: str
    rule: str
    target: Decimal | None
    bands: list[Band]
    points: Decimal
    not_applicable_when_missing: bool
    expression: CompiledExpression

    @classmethod
    def from_model(cls, indicator) -> "CompiledIndicator":
        bands = parse_bands(indicator.bands) if indicator.rule == "bands" else []
        return cls(
            code=indicator.code,
            rule=indicator.rule,
            target=indicator.target,
            bands=bands,
            points=indicator.points,
            not_applicable_when_missing=indicator.when_missing == "not_applicable",
            expression=CompiledExpression(indicator.formula),
        )


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
    raise ValueError(f"unknown rule {ind.rule!r}")


REASONS = {"unknown": "数据未填报", "zero_division": "分母为 0"}


def score_indicator(ind: CompiledIndicator, values: Mapping[str, int | None]) -> dict:
    """What this report got, with the target and rule it was scored by. Names and the rule in
    words are joined back from the set when shown (explain()), so 40,000 stored rows stay small."""
    value = None
    reason = ""
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
    else:
        status, points, maximum = Status.SCORED, rule_points(ind, value), ind.points
    return {
        "code": ind.code,
        "value": None if value is None else str(q(value)),
        "target": None if ind.target is None else str(ind.target),
        "rule": ind.rule,
        "points": str(q(points)),
        "max_points": str(q(maximum)),
        "status": status,
        "reason": reason,
    }


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
    indicators: list[CompiledIndicator], values: Mapping[str, int | None]
) -> ScoreResult:
    """Earned points, applicable maximum, and the total rescaled to 100 (two places, half up)."""
    breakdown = [score_indicator(ind, values) for ind in indicators]
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
    return ""
