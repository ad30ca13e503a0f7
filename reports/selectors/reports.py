"""Reports as users may see them, and the lists of the clerk's, the county's and the public pages."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, When
from django.http import Http404
from django.utils import timezone

from indicators.models import DataElement
from indicators.selectors import active_data_elements
from org.access import Right, may_read, report_scope, rights_at
from org.models import County, Period, Township
from org.selectors import periods
from reading.sections import SECTION_KEYS
from reportportal.db import FixedQuery, execute_prepared
from reportportal.memo import per_request

from ..models import Report, ReportSnapshot, ReportStatusChange, ReportValue
from ..workflow import EDITABLE_STATUSES, SENT_STATUSES, Move, ReportStatus, moves_from


@dataclass(frozen=True)
class Capabilities:
    """What one user may do with one report now: rights at its township (org.access) combined
    with the report's state (reports.workflow)."""

    rights: frozenset[Right]
    moves: tuple[Move, ...]  # the workflow moves to offer as buttons
    edit: bool  # change the text and figures, import a document
    answer: bool  # answer review comments
    review: bool  # see the review page, resolve comments
    comment: bool  # add review comments

    buttons: tuple[tuple[Move, str], ...]  # each move with its button's label now

    @property
    def actions(self) -> list[str]:
        return [move.action for move in self.moves]


def capabilities(user: Any, report: Report) -> Capabilities:
    rights = rights_at(user, township_id=report.township_id, county_id=report.township.county_id)
    writes = Right.WRITE in rights
    reviews = Right.REVIEW in rights
    moves = tuple(moves_from(report.status, rights))
    return Capabilities(
        rights=rights,
        moves=moves,
        buttons=tuple((move, move.button_for(report.status)) for move in moves),
        edit=writes and report.status in EDITABLE_STATUSES and not report.period.locked,
        answer=writes and report.status == ReportStatus.RETURNED,
        review=reviews,
        comment=reviews and report.status == ReportStatus.SUBMITTED,
    )


def reports_for_user(user: Any) -> QuerySet[Report]:
    """Every report the user may read: the places org.access gives, drafts only to those who
    may see a township's unfinished work."""
    scope = report_scope(user)
    if scope is None:
        return Report.objects.none()
    reports = Report.objects.filter(scope.townships)
    if not scope.drafts:
        reports = reports.exclude(status=ReportStatus.DRAFT)
    return reports.select_related("township__county", "period", "updated_by")


# Every report page starts here: the statement is compiled once (reportportal.db.FixedQuery).
_REPORT = FixedQuery(
    lambda pk: Report.objects.filter(pk=pk).select_related(
        "township__county", "period", "updated_by"
    )
)
# Without its parts, nor who saved it last (read when the page is drawn and shows them).
_REPORT_WITHOUT_TEXTS = FixedQuery(
    lambda pk: (
        Report.objects.filter(pk=pk)
        .select_related("township__county", "period")
        .defer(*SECTION_KEYS)
    )
)


def get_report_for_user(user: Any, pk: int, *, texts: bool = True) -> tuple[Report, Capabilities]:
    """The report and what the user may do with it; 404 when the user may not read it, so other
    townships' reports stay unknown. Without `texts` its parts are left unread until
    with_texts(): a page served from the cache never needs them (tens of KB to read and decode).
    Who may read it is org.access's rule for one report (may_read), as reports_for_user's is
    for lists."""
    found = (_REPORT if texts else _REPORT_WITHOUT_TEXTS)(pk)
    if not found:
        raise Http404("报告不存在或您无权查看。")
    report = found[0]
    can = capabilities(user, report)
    if not may_read(can.rights, draft=report.status == ReportStatus.DRAFT):
        raise Http404("报告不存在或您无权查看。")
    return report, can


def with_texts(report: Report) -> Report:
    """The report with its parts read, and who saved it last, in one query if they were left
    unread (get_report_for_user without texts)."""
    unread = tuple(sorted(report.get_deferred_fields() & set(SECTION_KEYS)))
    if unread:
        found = _texts_query(unread)(report.pk)
        if not found:
            raise Report.DoesNotExist("报告已被删除。")
        fresh = found[0]
        for name in unread:
            setattr(report, name, getattr(fresh, name))
        if not Report._meta.get_field("updated_by").is_cached(report):
            report.updated_by = fresh.updated_by
    return report


# One compiled statement per set of unread parts (at most 2⁵; in practice all five).
_TEXTS: dict[tuple[str, ...], FixedQuery[Report]] = {}


def _texts_query(unread: tuple[str, ...]) -> FixedQuery[Report]:
    query = _TEXTS.get(unread)
    if query is None:
        query = _TEXTS[unread] = FixedQuery(
            lambda pk: (
                Report.objects.filter(pk=pk)
                .select_related("updated_by")
                .only(*unread, "updated_by")
            )
        )
    return query


def report_figures(report: Report) -> dict[str, int | None]:
    """code → value for every figure stored for the report (None = unknown)."""
    # A copy: callers may change theirs. Every write bumps the version, so a figure saved in
    # this request is never read from before the save.
    return dict(_stored_figures(report.pk, report.version, report.township_id, report.period_id)[0])


def previous_figures(report: Report) -> dict[str, int | None]:
    """The township's figures of the year before (none: no report that year)."""
    return dict(_stored_figures(report.pk, report.version, report.township_id, report.period_id)[1])


@per_request
def _stored_figures(
    report_id: int, version: int, township_id: int, period_id: int
) -> tuple[dict[str, int | None], dict[str, int | None]]:
    """The report's figures and its township's of the year before, in one query: the pages that
    show one (the form, the report) mostly show the other beside it."""
    this: dict[str, int | None] = {}
    before: dict[str, int | None] = {}
    with connection.cursor() as cursor:
        execute_prepared(cursor, _FIGURES_SQL, [report_id, township_id, period_id])
        for of, code, value in cursor.fetchall():
            (this if of == report_id else before)[code] = value
    return this, before


# Written out: composing the ORM's subquery cost more than the statement takes to run.
_FIGURES_SQL = f"""
SELECT v.report_id, e.code, v.value
FROM {ReportValue._meta.db_table} v
JOIN {DataElement._meta.db_table} e ON e.id = v.element_id
WHERE v.report_id IN (
    SELECT CAST(%s AS bigint)
    UNION ALL
    SELECT r.id FROM {Report._meta.db_table} r
    JOIN {Period._meta.db_table} p ON p.id = r.period_id
    WHERE r.township_id = %s
      AND p.year = (SELECT y.year - 1 FROM {Period._meta.db_table} y WHERE y.id = %s)
)
"""


def figures_of(report_ids: list[int]) -> dict[int, dict[str, int | None]]:
    """report id → its figures, for many reports in one query."""
    figures: dict[int, dict[str, int | None]] = {}
    for report_id, code, value in ReportValue.objects.filter(report_id__in=report_ids).values_list(
        "report_id", "element__code", "value"
    ):
        figures.setdefault(report_id, {})[code] = value
    return figures


def figure_rows(report: Report) -> list[tuple[DataElement, int | None]]:
    """(data element, value) of every active element, in form order."""
    figures = report_figures(report)
    return [(element, figures.get(element.code)) for element in active_data_elements()]


_STATUS_CHANGES = FixedQuery(
    lambda report_id: (
        ReportStatusChange.objects.filter(report_id=report_id)
        .select_related("actor")
        .order_by("at", "id")
    )
)


def report_status_changes(report: Report) -> list[ReportStatusChange]:
    """The report's workflow moves, oldest first, with who made them (compiled once)."""
    return _STATUS_CHANGES(report.pk)


def approval_of(report: Report) -> ReportStatusChange | None:
    """The latest move to approved: who approved it, and when."""
    return (
        report.status_changes.filter(to_status=ReportStatus.APPROVED)
        .select_related("actor")
        .order_by("-at")
        .first()
    )


def latest_approval(changes: Sequence[ReportStatusChange]) -> ReportStatusChange | None:
    """approval_of over the moves already read for the page (report_status_changes, oldest
    first): no query of its own."""
    return next((c for c in reversed(changes) if c.to_status == ReportStatus.APPROVED), None)


def township_periods(township: Township) -> list[tuple[Period, Report | None]]:
    """Every period with this township's report for it (or None when not started), newest first."""
    reports = {report.period_id: report for report in _TOWNSHIP_REPORTS(township.pk)}
    return [(period, reports.get(period.pk)) for period in periods()]


# The clerk's home and the county's pages, drawn on every change in the county: compiled once.
_TOWNSHIP_REPORTS = FixedQuery(
    lambda township_id: Report.objects.filter(township_id=township_id).select_related("period")
)
_COUNTY_TOWNSHIPS = FixedQuery(
    lambda county_id: Township.objects.filter(county_id=county_id).order_by("order", "name")
)
# The county's reports of the period with their scores, without their texts.
_COUNTY_REPORTS = FixedQuery(
    lambda county_id, period_id: (
        Report.objects.filter(township__county_id=county_id, period_id=period_id)
        .select_related("score", "period")
        .defer(*SECTION_KEYS)
    )
)


def status_counts(rows: list[tuple[Township, Report | None]]) -> dict[str, int]:
    counts = {"not_started": 0, **{status: 0 for status in ReportStatus.values}}
    for _township, report in rows:
        counts[report.status if report else "not_started"] += 1
    return counts


def county_dashboard(
    county: County, period: Period, reports: list[Report] | None = None
) -> list[tuple[Township, Report | None]]:
    """Every township with its report and score for the period, in two queries (none for the
    reports when the caller has read them already)."""
    townships = _COUNTY_TOWNSHIPS(county.pk)
    by_township = {
        report.township_id: report
        for report in (_COUNTY_REPORTS(county.pk, period.pk) if reports is None else reports)
    }
    return [(township, by_township.get(township.pk)) for township in townships]


QUEUE_STATUSES = {
    ReportStatus.SUBMITTED: "待审核",
    ReportStatus.RETURNED: "已退回",
    ReportStatus.APPROVED: "已通过",
    ReportStatus.PUBLISHED: "已公开",
    "sent": "全部已报送",
}


def review_queue(
    county: County,
    *,
    period: Period | None = None,
    status: str = ReportStatus.SUBMITTED,
    township_id: int | None = None,
    search: str = "",
) -> QuerySet[Report]:
    """The county's sent reports for the reviewer's list: resubmissions first (a township that
    corrected its report waits for the second look), then the oldest submission."""
    reports = queue_members(
        county, period=period, status=status, township_id=township_id, search=search
    )
    return _in_queue_order(
        reports.select_related("township", "period", "score")
        .defer(*SECTION_KEYS)
        .annotate(
            open_comments=Count(
                "comments",
                filter=Q(comments__parent__isnull=True, comments__resolved_at__isnull=True),
                distinct=True,
            ),
            rounds=Count("snapshots", distinct=True),
        )
    )


# The first page of each status's queue, the page a reviewer opens: its statement (counts per
# report, the queue's order) compiled once per status and page size.
_FIRST_QUEUE_PAGES: dict[tuple[str, int], FixedQuery[Report]] = {}


def review_queue_first_page(county: County, period: Period, status: str, size: int) -> list[Report]:
    """review_queue(county, period=period, status=status)[:size], as a list."""
    if status not in QUEUE_STATUSES:
        raise ValueError(f"not a queue status: {status!r}")
    query = _FIRST_QUEUE_PAGES.get((status, size))
    if query is None:
        query = _FIRST_QUEUE_PAGES[(status, size)] = FixedQuery(
            lambda county_id, period_id: review_queue(
                County(pk=county_id), period=Period(pk=period_id), status=status
            )[:size]
        )
    return query(county.pk, period.pk)


# How many reports the unfiltered queue holds (queue_members' count), one statement per status
# written out: the queue asks on every visit after a move in the county.
_QUEUE_COUNT_SQL = f"""SELECT count(*) FROM {Report._meta.db_table} r
JOIN {Township._meta.db_table} t ON t.id = r.township_id
WHERE t.county_id = %s AND r.period_id = %s AND r.status """
_SENT_LIST = ", ".join(f"'{status}'" for status in sorted(SENT_STATUSES))


def review_queue_count(county: County, period: Period, status: str) -> int:
    """queue_members(county, period=period, status=status).count()."""
    if status not in QUEUE_STATUSES:
        raise ValueError(f"not a queue status: {status!r}")
    with connection.cursor() as cursor:
        if status == "sent":  # the statuses are the workflow's constants, not input
            execute_prepared(cursor, f"{_QUEUE_COUNT_SQL}IN ({_SENT_LIST})", [county.pk, period.pk])
        else:
            execute_prepared(cursor, f"{_QUEUE_COUNT_SQL}= %s", [county.pk, period.pk, status])
        return int(cursor.fetchone()[0])


def county_townships(county: County) -> list[Township]:
    """The county's townships in the official order."""
    return _COUNTY_TOWNSHIPS(county.pk)


def queue_members(
    county: County,
    *,
    period: Period | None = None,
    status: str = ReportStatus.SUBMITTED,
    township_id: int | None = None,
    search: str = "",
) -> QuerySet[Report]:
    """Which reports the queue holds, without its columns or order: what its pages are counted
    on (the queue's own query, with its counts per report, costs several times more to count)."""
    reports = Report.objects.filter(township__county=county)
    if period is not None:
        reports = reports.filter(period=period)
    reports = (
        reports.filter(status__in=SENT_STATUSES)
        if status == "sent"
        else reports.filter(status=status)
    )
    if township_id is not None:
        reports = reports.filter(township_id=township_id)
    if search:
        reports = reports.filter(township__name__contains=search)
    return reports


def _in_queue_order(reports: QuerySet[Report]) -> QuerySet[Report]:
    """Resubmissions first (a snapshot of a second round exists: rounds are numbered from 1 and
    a withdrawal takes its round's back), then the oldest submission."""
    resubmitted = Exists(ReportSnapshot.objects.filter(report=OuterRef("pk"), round__gt=1))
    return reports.order_by(Case(When(resubmitted, then=0), default=1), "submitted_at", "pk")


def next_in_queue(report: Report) -> Report | None:
    """The report a reviewer takes up after this one: the first still waiting in the same
    county and year, in queue order (without the counts the queue page shows)."""
    found = _NEXT_IN_QUEUE(report.township.county_id, report.period_id, report.pk)
    return found[0] if found else None


# Asked on every draw of the review page: compiled once.
_NEXT_IN_QUEUE = FixedQuery(
    lambda county_id, period_id, pk: _in_queue_order(
        Report.objects.filter(
            township__county_id=county_id, period_id=period_id, status=ReportStatus.SUBMITTED
        )
        .exclude(pk=pk)
        .select_related("township")
        .only("pk", "township")
    )[:1]
)


def published_reports(*, county: County | None = None, year: int | None = None) -> QuerySet[Report]:
    reports = Report.objects.filter(status=ReportStatus.PUBLISHED).select_related(
        "township__county", "period"
    )
    if county is not None:
        reports = reports.filter(township__county=county)
    if year is not None:
        reports = reports.filter(period__year=year)
    return reports.order_by("-period__year", "township__county", "township__order")


def published_list(
    *,
    county: County | None = None,
    province: str = "",
    city: str = "",
    year: int | None = None,
) -> QuerySet[Report]:
    """The public list: published reports of a county, else of a city or a province, without
    their texts (the list is paged; the texts are read on each report's page)."""
    reports = published_reports(county=county, year=year).defer(*SECTION_KEYS)
    if county is None and province:
        reports = reports.filter(township__county__province=province)
        if city:
            reports = reports.filter(township__county__city=city)
    return reports.order_by(
        "-period__year",
        "township__county__province",
        "township__county__city",
        "township__county__name",
        "township__order",
        "township__name",
        "pk",
    )


def periods_with_published() -> QuerySet[Period]:
    # A semi-join stops at each period's first published report instead of joining them all.
    return Period.objects.filter(
        Exists(Report.objects.filter(period=OuterRef("pk"), status=ReportStatus.PUBLISHED))
    ).order_by("-year")


# --- where a township stands ---------------------------------------------------------------

NEXT_STEP = {
    "not_started": "点击“开始填报”，填写本年度的报告。",
    ReportStatus.DRAFT: "继续填写，五个部分和主要数据填好后点击“保存并提交”报送县里。",
    ReportStatus.SUBMITTED: "已报送县级审核，请等待审核结果；审核员提出意见前还可以撤回修改。",
    ReportStatus.RETURNED: "县里已退回：请按退回理由和审核意见修改、答复意见，然后重新报送。",
    ReportStatus.APPROVED: "已通过县级审核，等待县里公开。",
    ReportStatus.PUBLISHED: "已公开，公众可以在公开页面查阅。",
}


@dataclass(frozen=True)
class Standing:
    """Where one township's report for one period stands, in words for the clerk."""

    status: str  # a ReportStatus value, or "not_started"
    label: str
    next_step: str
    days_left: int  # to the deadline; negative once it has passed
    owes_work: bool  # the township still has to send (not started, draft, returned)

    @property
    def deadline_text(self) -> str:
        if self.days_left > 0:
            return f"距截止还有 {self.days_left} 天"
        if self.days_left == 0:
            return "今天截止"
        return f"已逾期 {-self.days_left} 天"


def standing(period: Period, report: Report | None, today: date | None = None) -> Standing:
    today = today or timezone.localdate()
    status = report.status if report else "not_started"
    label = report.get_status_display() if report else "未开始"
    return Standing(
        status=status,
        label=label,
        next_step=NEXT_STEP[status],
        days_left=(period.deadline - today).days,
        owes_work=report is None or report.status in EDITABLE_STATUSES,
    )


def last_return(report: Report) -> ReportStatusChange | None:
    """Why the report was last sent back to the township (return or reopen), by whom, when."""
    if report.status != ReportStatus.RETURNED:
        return None
    found = _LAST_RETURN(report.pk)
    return found[0] if found else None


# A returned report's edit page is what its clerk opens most near the deadline: compiled once.
_LAST_RETURN = FixedQuery(
    lambda report_id: (
        ReportStatusChange.objects.filter(report_id=report_id, to_status=ReportStatus.RETURNED)
        .select_related("actor")
        .order_by("-at", "-id")[:1]
    )
)


# --- 督办: how urgently a county must chase a township ---------------------------------------

URGE_SOON_DAYS = 7


@dataclass(frozen=True)
class Urge:
    level: str  # "overdue" | "unsent" | "soon"
    label: str
    rank: int  # most urgent first


URGES = {
    "overdue": Urge("overdue", "逾期未报", 0),
    "unsent": Urge("unsent", "已填未报", 1),
    "soon": Urge("soon", "临近截止", 2),
}


def urge_of(period: Period, report: Report | None, today: date | None = None) -> Urge | None:
    """Red: the deadline has passed and the county still has nothing (or a returned report not
    sent again); yellow: a draft, or returned and not yet resubmitted; blue: not started and the
    deadline is near. A township that has sent needs no chasing."""
    if report is not None and report.status not in EDITABLE_STATUSES:
        return None
    days_left = (period.deadline - (today or timezone.localdate())).days
    if days_left < 0:
        return URGES["overdue"]
    if report is not None:
        return URGES["unsent"]
    if days_left <= URGE_SOON_DAYS:
        return URGES["soon"]
    return None


DASHBOARD_FILTERS = {
    "unsent": "未报送（含草稿、已退回）",
    "not_started": "未开始",
    "draft": "草稿",
    "submitted": "待审核",
    "returned": "已退回",
    "approved": "已通过",
}


def dashboard_rows(
    rows: list[tuple[Township, Report | None]], period: Period, show: str = ""
) -> list[tuple[Township, Report | None, Urge | None]]:
    """The dashboard's rows: those the county must chase first (most urgent first), then the
    rest in township order; `show` keeps one kind only (a tile's filter)."""
    today = timezone.localdate()
    marked = [(township, report, urge_of(period, report, today)) for township, report in rows]

    def shown(report: Report | None) -> bool:
        status = report.status if report else "not_started"
        if show == "unsent":
            return report is None or report.status in EDITABLE_STATUSES
        if show == "approved":
            return status in (ReportStatus.APPROVED, ReportStatus.PUBLISHED)
        return not show or status == show

    chosen = [row for row in marked if shown(row[1])]
    order = {row[0].pk: index for index, row in enumerate(chosen)}
    chosen.sort(key=lambda row: (row[2].rank if row[2] else 9, order[row[0].pk]))
    return chosen
