"""The PDF documents: one report, a county summary, a summary of several counties."""

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Avg, Count, Max, Min, Q
from django.utils import timezone

from indicators.charts import bar_chart, totals_chart
from indicators.selectors import active_data_elements
from org.models import County, Period
from reading.sections import SECTIONS_BY_KEY
from reports.models import Evidence, Report, ReportScore, ReportValue
from reports.selectors.evidence import report_evidence
from reports.selectors.reports import approval_of, county_dashboard, report_figures, status_counts
from reports.selectors.scores import county_ranking, report_score
from reports.services.comments import comment_targets
from reports.workflow import SENT_STATUSES, ReportStatus

from .pdf import render_pdf

KEY_FIGURES = [
    "villages_total",
    "villages_with_legal_advisor",
    "rule_of_law_meetings",
    "leadership_study_sessions",
    "publicity_events",
    "disputes_mediated",
    "disputes_resolved",
]
KEY_INDICATORS = ["legal_advisor_coverage", "mediation_success_rate", "publicity_per_village"]
# Bars per chart figure: one figure of 40 and its heading fill at most an A4 page (official.css).
CHART_ROWS = 40
Progress = Callable[[int], None]


def _noop(_percent: int) -> None:
    pass


# --- one report -----------------------------------------------------------------------------

# Part of every stored PDF's name: raise it when the report PDF's layout changes, so that PDFs
# stored before are made again.
REPORT_PDF_LAYOUT = 1


def report_pdf_name(report: Report) -> str:
    """Where the report's PDF is stored: a new name whenever anything it shows may have changed
    (every save and move bumps the version; re-scoring changes the score's time)."""
    scored = ReportScore.objects.filter(report=report).values_list("computed_at", flat=True).first()
    stamp = int(scored.timestamp() * 1000) if scored else 0
    # Evidence is listed in the PDF but does not change the report's version (that would clash
    # with the form's optimistic locking): its count and newest row name the file too.
    files = Evidence.objects.filter(report=report).aggregate(n=Count("id"), last=Max("id"))
    evidence = f"-e{files['n']}x{files['last'] or 0}" if files["n"] else ""
    return f"pdf/reports/{report.pk}/v{report.version}-s{stamp}{evidence}-l{REPORT_PDF_LAYOUT}.pdf"


def report_pdf_is_long(report: Report) -> bool:
    """Long reports are rendered by the task queue, not inside a request."""
    return sum(len(text) for text in report.parts().values()) > settings.REPORT_PDF_INLINE_MAX_CHARS


def stored_report_pdf(report: Report) -> str | None:
    """The storage name of the report's PDF as it is now, if it has been rendered."""
    name = report_pdf_name(report)
    return name if default_storage.exists(name) else None


def report_pdf_store(report: Report) -> str:
    """Renders the report's PDF once for its current state and keeps it; older ones of the same
    report are removed. Returns the storage name."""
    stored = stored_report_pdf(report)
    if stored is not None:
        return stored
    name = report_pdf_name(report)
    data = report_pdf(report)
    folder = name.rsplit("/", 1)[0]
    if default_storage.exists(folder):
        for old in default_storage.listdir(folder)[1]:
            default_storage.delete(f"{folder}/{old}")
    return default_storage.save(name, ContentFile(data))


def report_pdf(report: Report) -> bytes:
    figures = report_figures(report)
    score, items = report_score(report)
    context = {
        "report": report,
        "parts": report.part_rows(),
        "figure_rows": [(e, figures.get(e.code)) for e in active_data_elements()],
        "score": score,
        "score_items": items,
        "approval": approval_of(report),
        "evidence": evidence_annex(report),
        "generated_at": timezone.now(),
    }
    return render_pdf("pdf/report.html", context)


def evidence_annex(report: Report) -> list[tuple[str, Evidence]]:
    """(what it supports, the file) for the PDF's list of 佐证材料, figures first as on the form."""
    labels = comment_targets()
    order = {target: index for index, target in enumerate(labels)}
    files = sorted(
        report_evidence(report), key=lambda e: (order.get(e.target, len(order)), e.uploaded_at)
    )
    return [(labels.get(item.target, item.target), item) for item in files]


# --- county summary -------------------------------------------------------------------------


def county_summary_context(county: County, period: Period, progress: Progress = _noop) -> dict:
    # The county's reports are read once: the status table, the ranking and the lists below
    # all come from these rows.
    rows = county_dashboard(county, period)
    progress(15)
    ranking = county_ranking(county=county, period=period, dashboard=rows)
    progress(30)
    reports = [report for _township, report in rows if report is not None]
    township_of = {report.pk: report.township_id for report in reports}
    figures: dict[int, dict[str, int | None]] = defaultdict(dict)
    for report_id, code, value in ReportValue.objects.filter(
        report_id__in=list(township_of), element__code__in=KEY_FIGURES
    ).values_list("report_id", "element__code", "value"):
        figures[township_of[report_id]][code] = value
    progress(45)
    ranked = [row for row in ranking.rows if row.score is not None and not row.provisional]
    names = {e.code: e for e in active_data_elements() if e.code in KEY_FIGURES}
    charts = [totals_chart(ranking, county, period, rows_per_part=CHART_ROWS)]
    for indicator in ranking.indicators:
        if indicator.code in KEY_INDICATORS:
            charts.append(
                bar_chart(
                    [
                        (
                            row.township.name,
                            None
                            if row.items.get(indicator.code, {}).get("value") is None
                            else Decimal(row.items[indicator.code]["value"]),
                        )
                        for row in ranked
                    ],
                    title=f"{indicator.name}（目标 {indicator.target.normalize():f}）"
                    if indicator.target is not None
                    else indicator.name,
                    rows_per_part=CHART_ROWS,
                )
            )
    progress(55)
    return {
        "county": county,
        "period": period,
        "rows": rows,
        "counts": status_counts(rows),
        "ranking": ranking,
        "ranked": ranked,
        "charts": charts,
        "key_elements": [names[code] for code in KEY_FIGURES if code in names],
        "figures": figures,
        # Required parts missing as the portal counts them everywhere (reading.completeness,
        # stored with the text), for the reports the county has received.
        "missing": [
            (township, [SECTIONS_BY_KEY[key].heading for key in report.missing_parts])
            for township, report in rows
            if report is not None and report.status in SENT_STATUSES and report.missing_parts
        ],
        "not_sent": [
            t for t, report in rows if report is None or report.status not in SENT_STATUSES
        ],
        "late": [report for _t, report in rows if report is not None and report.is_late],
        "generated_at": timezone.now(),
    }


def county_summary_pdf(county: County, period: Period, progress: Progress = _noop) -> bytes:
    context = county_summary_context(county, period, progress)
    pdf = render_pdf("pdf/county_summary.html", context)
    progress(95)
    return pdf


# --- province (all counties) summary ---------------------------------------------------------


def city_groups(rows: list[dict]) -> list[dict]:
    """The county rows (ordered by province, city) grouped by city, each group with its totals
    and the average score over all its sent reports (each county's average weighed by its sent
    reports, so a large county counts as much as its townships)."""
    groups: list[dict] = []
    for row in rows:
        county = row["county"]
        if not groups or (groups[-1]["province"], groups[-1]["city"]) != (
            county.province,
            county.city,
        ):
            groups.append({"province": county.province, "city": county.city, "rows": []})
        groups[-1]["rows"].append(row)
    for group in groups:
        members = group["rows"]
        for key in ("townships", "sent", "not_sent", "late", "missing"):
            group[key] = sum(r[key] for r in members)
        scored = [(r["average"], r["sent"]) for r in members if r["average"] is not None]
        weight = sum(sent for _average, sent in scored)
        group["average"] = (
            (sum(average * sent for average, sent in scored) / weight).quantize(Decimal("0.01"))
            if weight
            else None
        )
    return groups


def province_summary_context(
    period: Period, province: str = "", progress: Progress = _noop
) -> dict:
    """Per county of one province (or of every province when empty)."""
    counties_in = County.objects.filter(province=province) if province else County.objects.all()
    counties = list(
        counties_in.annotate(
            township_count=Count("townships", distinct=True),
            sent=Count(
                "townships__reports",
                filter=Q(
                    townships__reports__period=period, townships__reports__status__in=SENT_STATUSES
                ),
                distinct=True,
            ),
            average=Avg(
                "townships__reports__score__total",
                filter=Q(
                    townships__reports__period=period, townships__reports__status__in=SENT_STATUSES
                ),
            ),
            best=Max(
                "townships__reports__score__total",
                filter=Q(
                    townships__reports__period=period, townships__reports__status__in=SENT_STATUSES
                ),
            ),
            worst=Min(
                "townships__reports__score__total",
                filter=Q(
                    townships__reports__period=period, townships__reports__status__in=SENT_STATUSES
                ),
            ),
        ).order_by("province", "city", "name")
    )
    progress(30)
    sent_reports = Report.objects.filter(
        period=period, status__in=SENT_STATUSES, township__county__in=counties_in
    )
    late: dict[int, int] = defaultdict(int)
    missing_by_county: dict[int, int] = defaultdict(int)
    for county_id, submitted_at, missing in sent_reports.values_list(
        "township__county_id", "submitted_at", "missing_parts"
    ):
        if submitted_at and timezone.localdate(submitted_at) > period.deadline:
            late[county_id] += 1
        if missing:
            missing_by_county[county_id] += 1
    progress(50)
    rows = [
        {
            "county": county,
            "townships": county.township_count,
            "sent": county.sent,
            "not_sent": county.township_count - county.sent,
            "late": late[county.pk],
            "missing": missing_by_county[county.pk],
            "average": None
            if county.average is None
            else Decimal(county.average).quantize(Decimal("0.01")),
            "best": county.best,
            "worst": county.worst,
        }
        for county in counties
    ]
    ranked = sorted((r for r in rows if r["average"] is not None), key=lambda r: -r["average"])
    chart = bar_chart(
        [(r["county"].name, r["average"]) for r in ranked],
        title=f"{period.year}年度各县（市、区）乡镇平均得分",
        maximum=Decimal(100),
        unit="分",
        rows_per_part=CHART_ROWS,
    )
    coverage = bar_chart(
        [
            (
                r["county"].name,
                Decimal(r["sent"]) * 100 / r["townships"] if r["townships"] else None,
            )
            for r in rows
        ],
        title="报送率（已报送乡镇占比）",
        maximum=Decimal(100),
        unit="%",
        rows_per_part=CHART_ROWS,
    )
    progress(60)
    totals = {
        key: sum(r[key] for r in rows)
        for key in ("townships", "sent", "not_sent", "late", "missing")
    }
    return {
        "period": period,
        "province": province,
        "rows": rows,
        "cities": city_groups(rows),
        "ranked": ranked,
        "charts": [chart, coverage],
        "totals": totals,
        "generated_at": timezone.now(),
    }


def province_summary_pdf(period: Period, province: str = "", progress: Progress = _noop) -> bytes:
    context = province_summary_context(period, province, progress)
    pdf = render_pdf("pdf/province_summary.html", context)
    progress(95)
    return pdf


# --- 通报 (a county's bulletin on who has not reported) -------------------------------------


def bulletin_context(county: County, period: Period) -> dict[str, Any]:
    """Who has not sent, who was returned and has not sent again, who sent late: the draft of the
    通报 a county issues after its deadline (the county edits the wording before issuing it)."""
    rows = county_dashboard(county, period)
    return {
        "title": f"关于{period.year}年度法治政府建设情况报告报送情况的通报",
        "county": county,
        "period": period,
        "as_of": timezone.localdate(),
        "townships": len(rows),
        "sent": sum(1 for _t, r in rows if r is not None and r.status in SENT_STATUSES),
        "not_sent": [(t, r) for t, r in rows if r is None or r.status == ReportStatus.DRAFT],
        "returned": [
            (t, r) for t, r in rows if r is not None and r.status == ReportStatus.RETURNED
        ],
        "late": [r for _t, r in rows if r is not None and r.is_late],
    }


def bulletin_pdf(county: County, period: Period, progress: Progress = _noop) -> bytes:
    pdf = render_pdf("pdf/bulletin.html", bulletin_context(county, period))
    progress(95)
    return pdf
