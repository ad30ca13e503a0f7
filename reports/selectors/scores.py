"""Reads of scores: rankings and histories in a fixed number of queries."""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from indicators.models import DeductionItem, Indicator, IndicatorSet
from indicators.scoring import explain
from indicators.selectors import active_indicator_set, set_indicators
from org.models import County, Period, Township
from org.selectors import periods
from reading.sections import SECTION_KEYS
from reportportal.db import FixedQuery

from ..models import Report, ReportScore, ReviewerDeduction
from ..workflow import ReportStatus
from .reports import county_dashboard
from .stamps import report_has


@dataclass
class RankRow:
    township: Township
    report: Report | None
    score: ReportScore | None
    rank: int | None = None
    items: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def provisional(self) -> bool:
        """A draft's score: shown as an estimate, never ranked."""
        return self.report is not None and self.report.status == ReportStatus.DRAFT


@dataclass
class Ranking:
    indicator_set: IndicatorSet | None
    indicators: list[Indicator]
    rows: list[RankRow]


def _score_of(report: Report | None) -> ReportScore | None:
    if report is None:
        return None
    try:
        return report.score
    except ReportScore.DoesNotExist:
        return None


def assign_ranks(rows: list[RankRow]) -> None:
    """Competition ranking (1, 2, 2, 4) of sent reports by total; equal totals share a rank."""
    scored = [(r.score.total, r) for r in rows if r.score is not None and not r.provisional]
    scored.sort(key=lambda pair: pair[0], reverse=True)
    previous_total: Decimal | None = None
    previous_rank = 0
    for position, (total, row) in enumerate(scored, start=1):
        if total != previous_total:
            previous_total, previous_rank = total, position
        row.rank = previous_rank


def county_ranking(
    *,
    county: County,
    period: Period,
    sort: str = "total",
    descending: bool = True,
    dashboard: list[tuple[Township, Report | None]] | None = None,
) -> Ranking:
    """Every township of the county with its score for the period, ranked; from the county's
    dashboard rows when the caller has them (no second read of the reports)."""
    indicator_set = active_indicator_set(period)
    indicators = set_indicators(indicator_set.pk) if indicator_set else []
    rows = []
    for township, report in (
        dashboard if dashboard is not None else county_dashboard(county, period)
    ):
        score = _score_of(report)
        items = (
            {item["code"]: item for item in explain(score.breakdown, indicators)} if score else {}
        )
        rows.append(RankRow(township=township, report=report, score=score, items=items))
    assign_ranks(rows)
    rows.sort(key=_sort_key(sort, descending))
    return Ranking(indicator_set=indicator_set, indicators=indicators, rows=rows)


def _sort_key(sort: str, descending: bool) -> Callable[[RankRow], tuple[Decimal, int, str]]:
    missing = Decimal("-1") if descending else Decimal("100000")

    def key(row: RankRow) -> tuple[Decimal, int, str]:
        if sort == "name":
            return (Decimal(0), row.township.order, row.township.name)
        if sort == "total":
            value = row.score.total if row.score and not row.provisional else missing
        else:
            item = row.items.get(sort) if not row.provisional else None
            value = (
                Decimal(item["points"]) if item and item["status"] != "not_applicable" else missing
            )
        return (-value if descending else value, row.township.order, row.township.name)

    return key


_TOWNSHIP_REPORTS = FixedQuery(
    lambda township_id: (
        Report.objects.filter(township_id=township_id)
        .select_related("score", "period")
        .defer(*SECTION_KEYS)
    )
)


def township_history(township: Township) -> list[tuple[Period, Report | None, ReportScore | None]]:
    """Every year, oldest first, with the township's report (without its parts) and score."""
    reports = {r.period_id: r for r in _TOWNSHIP_REPORTS(township.pk)}
    return [
        (period, reports.get(period.pk), _score_of(reports.get(period.pk)))
        for period in reversed(periods())
    ]


_SCORE = FixedQuery(
    lambda pk: ReportScore.objects.filter(report_id=pk).select_related("indicator_set")[:1]
)


def report_score(report: Report) -> tuple[ReportScore | None, list[dict[str, Any]]]:
    """The report's score and its breakdown explained with the set's names and rules."""
    found = _SCORE(report.pk)
    score = found[0] if found else None
    if score is None:
        return None, []
    return score, explain(score.breakdown, set_indicators(score.indicator_set_id))


# The reviewer-scored indicators of a period's active set and their deduction items, and the
# deductions made on a report (withdrawn ones too, oldest first).
def _reviewer_scored(period_id: int, via: str = "") -> dict[str, object]:
    """The filter of the reviewer-scored indicators of the period's active set (`via`: the path
    from another model to the indicator)."""
    return {
        f"{via}indicator_set__period_id": period_id,
        f"{via}indicator_set__active": True,
        f"{via}rule": Indicator.Rule.REVIEWER,
    }


_REVIEWER_INDICATORS = FixedQuery(
    lambda period_id: Indicator.objects.filter(**_reviewer_scored(period_id)).order_by(
        "order", "id"
    )
)
_REVIEWER_ITEMS = FixedQuery(
    lambda period_id: DeductionItem.objects.filter(
        **_reviewer_scored(period_id, via="indicator__")
    ).order_by("order", "id")
)
_DEDUCTIONS = FixedQuery(
    lambda report_id: ReviewerDeduction.objects.filter(report_id=report_id).select_related(
        "item", "created_by", "withdrawn_by"
    )
)


def reviewer_scoring(
    report: Report,
) -> tuple[
    list[tuple[Indicator, list[tuple[DeductionItem, ReviewerDeduction | None]]]],
    list[ReviewerDeduction],
]:
    """The reviewer-scored indicators of the report's active set, each with its deduction items
    and the one ticked on this report (or None); and every deduction ever made on it, withdrawn
    ones too, oldest first. Each query compiled once, the last two only when there is something
    to find."""
    indicators = _REVIEWER_INDICATORS(report.period_id)
    if not indicators:
        return [], []
    items: dict[int, list[DeductionItem]] = {}
    for item in _REVIEWER_ITEMS(report.period_id):
        items.setdefault(item.indicator_id, []).append(item)
    history = _DEDUCTIONS(report.pk) if report_has(report.pk, "deductions") else []
    active = {d.item_id: d for d in history if d.withdrawn_at is None}
    return (
        [
            (indicator, [(item, active.get(item.pk)) for item in items.get(indicator.pk, [])])
            for indicator in indicators
        ],
        history,
    )
