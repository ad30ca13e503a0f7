"""Scoring reports against their period's active indicator set (indicators.scoring does the
arithmetic). Scoring reads in bulk: no query per report."""

from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from indicators.models import DataElement, IndicatorSet
from indicators.scoring import CompiledIndicator, score_values
from indicators.selectors import active_indicator_set, compiled_indicators
from org.models import Period
from reading.sections import REQUIRED_SECTION_KEYS
from reportportal.db import execute_prepared

from ..models import Report, ReportScore, ReportValue, ReviewerDeduction

BATCH = 2000
_ONE_REPORT_VALUES = f"""
SELECT e.code, v.value
FROM {ReportValue._meta.db_table} v
JOIN {DataElement._meta.db_table} e ON e.id = v.element_id
WHERE v.report_id = %s
"""


def _score_batch(
    *,
    period: Period,
    indicator_set: IndicatorSet,
    compiled: list[CompiledIndicator],
    report_ids: list[int],
    now: datetime,
    rows: list[tuple[int, list[str], datetime | None]] | None = None,
) -> list[ReportScore]:
    if rows is None:
        rows = list(
            Report.objects.filter(pk__in=report_ids).values_list(
                "pk", "missing_parts", "submitted_at"
            )
        )
    values: dict[int, dict[str, int | None]] = defaultdict(dict)
    if len(report_ids) == 1:
        # A save or a move scores its one report: a statement prepared once, not composed.
        with connection.cursor() as cursor:
            execute_prepared(cursor, _ONE_REPORT_VALUES, report_ids)
            values[report_ids[0]] = dict(cursor.fetchall())
    else:
        for report_id, code, value in ReportValue.objects.filter(
            report_id__in=report_ids
        ).values_list("report_id", "element__code", "value"):
            values[report_id][code] = value
    ticks: dict[int, dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
    if any(ind.items for ind in compiled):
        for report_id, code, item_id, note in (
            ReviewerDeduction.objects.filter(report_id__in=report_ids, withdrawn_at__isnull=True)
            .order_by("created_at", "pk")
            .values_list("report_id", "item__indicator__code", "item_id", "note")
        ):
            ticks[report_id][code].append((item_id, note))
    scores = []
    for report_id, missing, submitted_at in rows:
        figures = values[report_id]
        # Which parts are really there was decided when the text was saved (reading.completeness).
        figures["parts_present"] = len(REQUIRED_SECTION_KEYS) - len(missing)
        figures["submitted_on_time"] = (
            None
            if submitted_at is None
            else int(timezone.localdate(submitted_at) <= period.deadline)
        )
        result = score_values(compiled, figures, ticks.get(report_id))
        scores.append(
            ReportScore(
                report_id=report_id,
                indicator_set=indicator_set,
                earned=result.earned,
                maximum=result.maximum,
                total=result.total,
                breakdown=result.breakdown,
                computed_at=now,
            )
        )
    return scores


def _upsert(scores: list[ReportScore]) -> None:
    ReportScore.objects.bulk_create(
        scores,
        update_conflicts=True,
        unique_fields=["report"],
        update_fields=["indicator_set", "earned", "maximum", "total", "breakdown", "computed_at"],
    )


def scores_compute_for(
    *,
    period: Period,
    report_ids: Iterable[int],
    rows: list[tuple[int, list[str], datetime | None]] | None = None,
) -> int:
    """Scores (or re-scores) these reports of one period against its active set, in batches;
    `rows` (id, missing parts, submitted at) when the caller holds them for one batch."""
    ids = list(report_ids)
    indicator_set = active_indicator_set(period)
    if indicator_set is None:
        ReportScore.objects.filter(report_id__in=ids).delete()
        return 0
    compiled = compiled_indicators(indicator_set)
    now = timezone.now()
    batches = [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]

    def score(batch: list[int]) -> list[ReportScore]:
        return _score_batch(
            period=period,
            indicator_set=indicator_set,
            compiled=compiled,
            report_ids=batch,
            now=now,
            rows=rows if len(batches) == 1 else None,
        )

    if len(batches) <= 1 or connection.in_atomic_block:
        # One batch, or inside the caller's transaction: write here, so it commits with the caller
        # (as part of it: a savepoint would only add two round trips).
        for batch in batches:
            with transaction.atomic(savepoint=False):
                _upsert(score(batch))
        return len(ids)

    # Bulk: PostgreSQL writes batch N on a second connection (psycopg2 releases the GIL) while
    # this thread reads and scores batch N+1, so both cores work.
    with ThreadPoolExecutor(max_workers=1) as writer:
        pending: Future[None] | None = None
        for batch in batches:
            scores = score(batch)
            if pending is not None:
                pending.result()
            pending = writer.submit(_write_batch, scores)
        if pending is not None:
            pending.result()
        writer.submit(_close_thread_connection).result()
    return len(ids)


def _close_thread_connection() -> None:
    # Resolved inside the writer thread: Django connections belong to the thread that opened them.
    connection.close()


def _write_batch(scores: list[ReportScore]) -> None:
    with transaction.atomic():
        _upsert(scores)


def report_score_compute(*, report: Report) -> None:
    """One report's score, called inside the save/submit transaction so both land together: the
    report as locked and written there (its missing parts and submission time are not read
    again)."""
    scores_compute_for(
        period=report.period,
        report_ids=[report.pk],
        rows=[(report.pk, report.missing_parts, report.submitted_at)],
    )


def scores_recompute(*, period: Period | None = None) -> int:
    """Every report of one period, or of all periods."""
    periods = [period] if period is not None else list(Period.objects.all())
    total = 0
    for each in periods:
        ids = Report.objects.filter(period=each).order_by("pk").values_list("pk", flat=True)
        total += scores_compute_for(period=each, report_ids=ids)
    return total


def indicator_set_changed(*, indicator_set: IndicatorSet) -> None:
    """After an admin edits a set: re-score its period once the edit has committed."""
    period = indicator_set.period
    transaction.on_commit(lambda: scores_recompute(period=period))


def period_deadline_changed(*, period: Period) -> None:
    """按时报送 depends on the deadline: re-score the period once the change has committed."""
    transaction.on_commit(lambda: scores_recompute(period=period))
