"""Reads: querysets that already join what their pages show."""

from dataclasses import dataclass
from difflib import SequenceMatcher

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.html import escape
from django.utils.safestring import mark_safe

from indicators.models import DataElement
from reading.sections import SECTION_KEYS, SECTIONS

from .models import (
    County,
    Period,
    Report,
    ReportStatus,
    ReportStatusChange,
    ReportValue,
    ReviewComment,
    Township,
)
from .permissions import visible_reports_filter


def reports_for_user(user) -> QuerySet[Report]:
    criteria = visible_reports_filter(user)
    if criteria is None:
        return Report.objects.none()
    return Report.objects.filter(**criteria).select_related(
        "township__county", "period", "updated_by"
    )


def get_report_for_user(user, pk: int) -> Report:
    """The report if this user may read it; 404 otherwise, so other townships' reports stay unknown."""
    try:
        return reports_for_user(user).get(pk=pk)
    except Report.DoesNotExist:
        raise Http404("报告不存在或您无权查看。") from None


def active_data_elements() -> list[DataElement]:
    return list(DataElement.objects.filter(active=True).order_by("order", "code"))


def township_names() -> tuple[str, ...]:
    """Every township's name: reading a document, a known name beats a guessed one."""
    return tuple(Township.objects.values_list("name", flat=True))


def report_figures(report: Report) -> dict[str, int | None]:
    """code → value for every figure stored for the report (None = unknown)."""
    return dict(ReportValue.objects.filter(report=report).values_list("element__code", "value"))


def report_status_changes(report: Report):
    return report.status_changes.select_related("actor").order_by("at", "id")


def township_periods(township: Township) -> list[tuple[Period, Report | None]]:
    """Every period with this township's report for it (or None when not started), newest first."""
    reports = {
        report.period_id: report
        for report in Report.objects.filter(township=township).select_related("period")
    }
    return [(period, reports.get(period.pk)) for period in Period.objects.order_by("-year")]


def status_counts(rows) -> dict[str, int]:
    counts = {"not_started": 0, **{status: 0 for status in ReportStatus.values}}
    for _township, report in rows:
        counts[report.status if report else "not_started"] += 1
    return counts


def counties_overview(period: Period) -> list[dict]:
    """Per county: number of townships and of reports in each status, in two queries."""
    counties = list(County.objects.annotate(township_count=Count("townships")))
    per_status = (
        Report.objects.filter(period=period)
        .values("township__county_id", "status")
        .annotate(n=Count("id"))
    )
    counts: dict[int, dict[str, int]] = {}
    for row in per_status:
        counts.setdefault(row["township__county_id"], {})[row["status"]] = row["n"]
    overview = []
    for county in counties:
        by_status = counts.get(county.pk, {})
        started = sum(by_status.values())
        overview.append(
            {
                "county": county,
                "townships": county.township_count,
                "not_started": county.township_count - started,
                **{status: by_status.get(status, 0) for status in ReportStatus.values},
            }
        )
    return overview


def current_period() -> Period | None:
    """The newest period not yet locked, else the newest: what a clerk is most likely working on."""
    return Period.objects.filter(locked=False).order_by("-year").first() or (
        Period.objects.order_by("-year").first()
    )


def review_queue(county) -> list[Report]:
    """Reports of the county waiting for review, oldest submission first."""
    return list(
        Report.objects.filter(township__county=county, status=ReportStatus.SUBMITTED)
        .select_related("township", "period", "score")
        .defer(*SECTION_KEYS)
        .annotate(
            open_comments=Count(
                "comments",
                filter=Q(comments__parent__isnull=True, comments__resolved_at__isnull=True),
            ),
            rounds=Count("snapshots", distinct=True),
        )
        .order_by("submitted_at", "pk")
    )


def comment_threads(report: Report) -> dict[str, list[ReviewComment]]:
    """target → its comments (newest round last), each with its answers prefetched."""
    threads: dict[str, list[ReviewComment]] = {}
    comments = (
        report.comments.filter(parent__isnull=True)
        .select_related("author", "resolved_by")
        .prefetch_related(
            Prefetch("answers", queryset=ReviewComment.objects.select_related("author"))
        )
    )
    for comment in comments:
        threads.setdefault(comment.target, []).append(comment)
    return threads


@dataclass
class PartChange:
    key: str
    heading: str
    before: str
    after: str
    html: str  # the new text with insertions marked <ins> and deletions <del>

    @property
    def changed(self) -> bool:
        return self.before != self.after


def round_changes(report: Report) -> dict[str, PartChange] | None:
    """Part key → its change between the last two submissions; None before a second submission."""
    snapshots = list(report.snapshots.order_by("-round")[:2])
    if len(snapshots) < 2:
        return None
    latest, previous = snapshots
    changes = {}
    for section in SECTIONS:
        before = previous.parts.get(section.key, "")
        after = latest.parts.get(section.key, "")
        changes[section.key] = PartChange(
            section.key, section.heading, before, after, diff_html(before, after)
        )
    return changes


def figure_changes(report: Report) -> list[tuple[str, int | None, int | None]]:
    """(name, before, after) of every figure that differs between the last two submissions."""
    snapshots = list(report.snapshots.order_by("-round")[:2])
    if len(snapshots) < 2:
        return []
    latest, previous = snapshots
    return [
        (name, previous.figures.get(code), latest.figures.get(code))
        for code, name in DataElement.objects.order_by("order", "code").values_list("code", "name")
        if previous.figures.get(code) != latest.figures.get(code)
    ]


def diff_html(before: str, after: str) -> str:
    """Character-level difference (Chinese has no spaces to split on), escaped, as HTML."""
    matcher = SequenceMatcher(a=before, b=after, autojunk=False)
    pieces = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(escape(after[b1:b2]))
        if op in ("delete", "replace"):
            pieces.append(f"<del>{escape(before[a1:a2])}</del>")
        if op in ("insert", "replace"):
            pieces.append(f"<ins>{escape(after[b1:b2])}</ins>")
    return mark_safe("".join(pieces).replace("\n", "<br>"))  # noqa: S308 - every piece escaped


def county_dashboard(county: County, period: Period) -> list[tuple[Township, Report | None]]:
    """Every township with its report and score for the period, in three queries."""
    townships = list(county.townships.order_by("order", "name"))
    reports = {
        report.township_id: report
        for report in Report.objects.filter(township__county=county, period=period)
        .select_related("score", "period")
        .defer(*SECTION_KEYS)
    }
    return [(township, reports.get(township.pk)) for township in townships]


def published_reports(*, county: County | None = None, year: int | None = None) -> QuerySet[Report]:
    reports = Report.objects.filter(status=ReportStatus.PUBLISHED).select_related(
        "township__county", "period"
    )
    if county is not None:
        reports = reports.filter(township__county=county)
    if year is not None:
        reports = reports.filter(period__year=year)
    return reports.order_by("-period__year", "township__county", "township__order")


def approval_of(report: Report) -> ReportStatusChange | None:
    """The latest move to approved: who approved it, and when."""
    return (
        report.status_changes.filter(to_status=ReportStatus.APPROVED)
        .select_related("actor")
        .order_by("-at")
        .first()
    )
