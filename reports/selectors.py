"""Reads: querysets that already join what their pages show."""

from django.db.models import Count, QuerySet
from django.http import Http404

from indicators.models import DataElement

from .models import County, Period, Report, ReportStatus, ReportValue, Township
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


def county_status_rows(county: County, period: Period) -> list[tuple[Township, Report | None]]:
    """Every township of the county with its report for the period; two queries whatever the size."""
    townships = list(county.townships.order_by("order", "name"))
    reports = {
        report.township_id: report
        for report in Report.objects.filter(township__county=county, period=period).only(
            "id", "township_id", "status", "updated_at", "submitted_at", "period_id"
        )
    }
    return [(township, reports.get(township.pk)) for township in townships]


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
