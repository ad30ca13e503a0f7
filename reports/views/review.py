"""The county reviewer's pages: the county's townships, the queue, reviewing one report, its
copied passages, writing and resolving comments."""

import hashlib
from typing import cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import BadRequest, ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST, require_safe

from indicators.selectors import validation_rules
from org.access import (
    Page,
    chooses_county,
    county_in_view,
    manages_county,
    own_county,
    require,
)
from org.params import (
    id_list,
    optional_id,
    period_from_post,
    period_from_query,
    place_from_query,
)
from org.selectors import county_chooser, periods
from reportportal.fragments import cached_fragment
from reportportal.types import AuthedRequest

from .. import similarity
from ..checks import submission_errors
from ..models import Report, ReportSimilarity, ReviewComment
from ..selectors.evidence import evidence_by_target
from ..selectors.plausibility import figure_plausibility
from ..selectors.reports import (
    DASHBOARD_FILTERS,
    QUEUE_STATUSES,
    Capabilities,
    county_dashboard,
    county_townships,
    dashboard_rows,
    figure_rows,
    get_report_for_user,
    next_in_queue,
    queue_members,
    report_figures,
    report_status_changes,
    reports_for_user,
    review_queue_count,
    review_queue_first_page,
    status_counts,
    with_texts,
)
from ..selectors.reports import (
    review_queue as queue_of,
)
from ..selectors.review import (
    comment_threads,
    figure_changes,
    plan_follow_up,
    reminder_policy_of,
    round_changes,
)
from ..selectors.scores import report_score, reviewer_scoring
from ..selectors.stamps import (
    FRAGMENT_SECONDS,
    county_page_key,
    county_period_stamp,
)
from ..services import comments, deductions, figure_checks, reminders, transitions
from ..services.comments import comment_targets
from ..services.common import ReportError
from ..templatetags.badges import figure_check_forms
from ..workflow import ReportStatus
from .report import comment_thread, report_page

QUEUE_PAGE_SIZE = 20


@login_required
@require_safe
def county_home(request: AuthedRequest) -> HttpResponse:
    try:
        county = county_in_view(
            request.user,
            Page.COUNTY,
            optional_id(request.GET, "county", "县（市、区）"),
            **place_from_query(request.GET),
        )
    except ObjectDoesNotExist:
        raise Http404 from None
    if county is None:  # a city without counties in the portal yet
        raise Http404("本市还没有县（市、区）。")
    period = period_from_query(request)
    show = request.GET.get("show", "")
    if show and show not in DASHBOARD_FILTERS:
        raise BadRequest("筛选参数不正确，请点击页面上的统计方块筛选。")
    manages = manages_county(request.user)
    policy = reminder_policy_of(county)

    def context() -> dict[str, object]:
        rows = county_dashboard(county, period) if period else []
        return {
            "county": county,
            "period": period,
            "periods": periods(),
            "rows": dashboard_rows(rows, period, show) if period else [],
            "townships": len(rows),
            "counts": status_counts(rows),
            "today": timezone.localdate(),
            "show": show,
            "filters": DASHBOARD_FILTERS,
            "days_left": (period.deadline - timezone.localdate()).days if period else None,
            "policy": policy,
            "manages": manages,
            "counties": county_chooser(request.user, county),
        }

    body = cached_fragment(
        request,
        template="reports/partials/county_home_body.html",
        key=county_page_key(
            request.user,
            county,
            period,
            show,
            manages,
            (policy.pk, policy.active, policy.days_before, policy.every_days_after),
        ),
        context=context,
        seconds=FRAGMENT_SECONDS,
    )
    return render(request, "reports/county_home.html", {"county": county, "body": body})


@login_required
@require_POST
def county_remind(request: AuthedRequest) -> HttpResponse:
    county = own_county(request.user)
    period = period_from_post(request)
    count = reminders.county_remind(county=county, period=period, actor=request.user)
    messages.success(
        request, f"已向 {count} 个尚未报送的乡镇（街道）的填报员发送提醒（站内通知和邮件）。"
    )
    return redirect(f"{reverse('county_home')}?year={period.year}")


@login_required
@require_POST
def county_reminder_policy(request: AuthedRequest) -> HttpResponse:
    """The county's schedule of automatic reminders."""
    county = own_county(request.user)
    every = request.POST.get("every_days_after", "")
    try:
        reminders.reminder_policy_update(
            county=county,
            actor=request.user,
            active=request.POST.get("active") == "on",
            days_before=request.POST.get("days_before", "")[:50],
            every_days_after=int(every)
            if every.isascii() and every.isdigit() and len(every) < 4
            else -1,
        )
    except ReportError as exc:
        messages.error(request, f"提醒设置未保存：{exc}")
    else:
        messages.success(request, "提醒设置已保存。")
    return redirect("county_home")


@login_required
@require_safe
def review_queue(request: AuthedRequest) -> HttpResponse:
    try:
        county = county_in_view(
            request.user,
            Page.REVIEW_QUEUE,
            optional_id(request.GET, "county", "县（市、区）"),
            **place_from_query(request.GET),
        )
    except ObjectDoesNotExist:
        raise Http404 from None
    period = period_from_query(request)
    status = request.GET.get("status", ReportStatus.SUBMITTED)
    if status not in QUEUE_STATUSES:
        raise BadRequest("状态参数不正确，请从页面上的选项中选择。")
    township_id = optional_id(request.GET, "township", "乡镇（街道）")
    search = request.GET.get("q", "").strip()[:50]
    queue, members = (
        (
            queue_of(county, period=period, status=status, township_id=township_id, search=search),
            queue_members(
                county, period=period, status=status, township_id=township_id, search=search
            ),
        )
        if county
        else (Report.objects.none(), Report.objects.none())
    )
    paginator = Paginator(queue, QUEUE_PAGE_SIZE)
    # Counted on the bare filter (a cached_property, set before the paginator asks), and kept on
    # the county's stamp, which the body's key reads anyway: a move in the county changes both.
    if county and period and not search:
        stamp = hashlib.sha256(county_period_stamp(county, period).encode()).hexdigest()
        paginator.count = cast(
            int,
            cache.get_or_set(
                f"queue-count:{county.pk}:{period.pk}:{status}:{township_id}:{stamp}",
                members.count
                if township_id is not None
                else lambda: review_queue_count(county, period, status),
                FRAGMENT_SECONDS,
            ),
        )
    else:
        paginator.count = members.count()
    page = paginator.get_page(request.GET.get("page"))
    filters = {"year": period.year if period else "", "status": status, "q": search}
    if township_id is not None:
        filters["township"] = township_id
    if county is not None and chooses_county(request.user):
        filters["county"] = county.pk

    def context() -> dict[str, object]:
        return {
            "county": county,
            "counties": county_chooser(request.user, county),
            "townships": county_townships(county) if county else [],
            "periods": periods(),
            "period": period,
            "statuses": QUEUE_STATUSES,
            "status": status,
            "township_id": township_id,
            "search": search,
            "page": page,
            # The page a reviewer opens comes from a statement compiled once.
            "queue": review_queue_first_page(county, period, status, paginator.per_page)
            if county and period and page.number == 1 and township_id is None and not search
            else page.object_list,
            "query": urlencode(filters),
        }

    body = cached_fragment(
        request,
        template="reports/partials/review_queue_body.html",
        key=county_page_key(
            request.user, county, period, status, township_id, page.number, page.paginator.per_page
        )
        if county
        else (),
        context=context,
        seconds=FRAGMENT_SECONDS,
        # A search is the reviewer's own, seldom asked twice: not kept.
        store=county is not None and not search,
        live={"next_path": request.get_full_path()},
    )
    return render(request, "reports/review_queue.html", {"county": county, "body": body})


@login_required
@require_POST
def review_queue_approve(request: AuthedRequest) -> HttpResponse:
    require(request.user, Page.REVIEW_QUEUE)
    ids = id_list(request.POST.getlist("report"), "报告")
    visible = list(reports_for_user(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    approved, refused = transitions.reports_approve_many(report_ids=visible, actor=request.user)
    if approved:
        messages.success(request, "已审核通过：" + "、".join(str(r.township) for r in approved))
    for report, reason in refused:
        messages.warning(request, f"{report.township}未通过批量审核：{reason}")
    if not ids:
        messages.info(request, "请先勾选要审核通过的报告。")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("review_queue")
    return redirect(back)


@login_required
@require_safe
def report_review(request: AuthedRequest, pk: int) -> HttpResponse:
    report, can = get_report_for_user(request.user, pk, texts=False)
    if not can.review:
        raise Http404
    return report_page(
        request,
        report,
        can,
        page="report_review",
        context=lambda: _review_context(report, can),
        county_wide=True,
    )


def _review_context(report: Report, can: Capabilities) -> dict[str, object]:
    with_texts(report)
    threads = comment_threads(report)
    score, score_items = report_score(report)
    scoring, deduction_history = reviewer_scoring(report)
    plausibility = figure_plausibility(report)
    return {
        "report": report,
        "can": can,
        "parts": report.part_rows(),
        "threads": threads,
        "figure_rows": figure_rows(report),
        "evidence": evidence_by_target(report),
        "plausibility": plausibility,
        "figure_check_forms": figure_check_forms(report, plausibility),
        "score": score,
        "score_items": score_items,
        "reviewer_scoring": scoring,
        "deduction_history": deduction_history,
        "check_errors": submission_errors(
            parts=report.parts(),
            missing=report.missing_parts,
            figures=report_figures(report),
            rules=validation_rules(report.period),
        ),
        "changes": round_changes(report),
        "figure_changes": figure_changes(report),
        "status_changes": report_status_changes(report),
        "targets": comment_targets(),
        "similarity": similarity.report_similarity_check(report),
        "follow_up": plan_follow_up(report),
        "next_report": next_in_queue(report),
        "confirm_for": _confirms(threads),
    }


def _confirms(threads: dict[str, list[ReviewComment]]) -> dict[str, str]:
    """What a button asks first on this report, beyond the workflow table's own question."""
    unresolved = sum(1 for comments in threads.values() for c in comments if not c.resolved_at)
    if not unresolved:
        return {}
    return {
        "approve": f"还有 {unresolved} 条审核意见未解决，审核通过后将全部标为已解决。确定通过吗？"
    }


@login_required
@require_GET
def report_similar(request: AuthedRequest, pk: int, other_pk: int) -> HttpResponse:
    """The shared passages of a report and one of its stored similar reports, side by side."""
    report, can = get_report_for_user(request.user, pk)
    if not can.review:
        raise Http404
    row = get_object_or_404(
        ReportSimilarity.objects.select_related("other__township__county", "other__period"),
        report=report,
        other_id=other_pk,
    )
    # The other report may be another county's: its reviewer sees only the passages that
    # both reports contain (which are in their own report anyway), not its full text.
    readable = reports_for_user(request.user).filter(pk=row.other_id).exists()
    return render(
        request,
        "reports/report_similar.html",
        {
            "report": report,
            "row": row,
            "other": row.other,
            "compared": similarity.side_by_side(report, row.other, show_other=readable),
        },
    )


@login_required
@require_POST
def comment_create(request: AuthedRequest, pk: int) -> HttpResponse:
    report, can = get_report_for_user(request.user, pk)
    target = request.POST.get("target", "")
    try:
        comments.comment_add(
            report=report, actor=request.user, target=target, body=request.POST.get("body", "")
        )
    except ReportError as exc:
        if request.htmx:
            return comment_thread(request, report, can, target, error=str(exc), status=422)
        messages.error(request, str(exc))
    if request.htmx:
        return comment_thread(request, report, can, target)
    return redirect(f"{reverse('report_review', args=[report.pk])}#{ReviewComment.anchor(target)}")


@login_required
@require_POST
def comment_resolve(request: AuthedRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(ReviewComment, pk=pk)
    report, can = get_report_for_user(request.user, comment.report_id)
    comments.comment_resolve(comment=comment, actor=request.user)
    if request.htmx:
        return comment_thread(request, report, can, comment.target)
    return redirect(
        f"{reverse('report_review', args=[report.pk])}#{ReviewComment.anchor(comment.target)}"
    )


@login_required
@require_POST
def figure_check(request: AuthedRequest, pk: int) -> HttpResponse:
    """A figure marked 「请核实」 checked with a note, by the clerk (from the form) or the
    reviewer (from the review page); back to the figure on the page it came from."""
    report, can = get_report_for_user(request.user, pk)
    code = request.POST.get("code", "")
    try:
        figure_checks.figure_check_mark(
            report=report, code=code, actor=request.user, note=request.POST.get("note", "")
        )
        messages.success(request, "已标记为已核实。")
    except ReportError as exc:
        messages.error(request, str(exc))
    page = "report_review" if can.review else "report_edit"
    anchor = f"figure-{code}" if code.isascii() and code.replace("_", "").isalnum() else "figures"
    return redirect(f"{reverse(page, args=[report.pk])}#{anchor}")


@login_required
@require_POST
def report_deduction(request: AuthedRequest, pk: int) -> HttpResponse:
    """审核赋分: a reviewer ticks (or withdraws) a deduction item with a note."""
    report, _can = get_report_for_user(request.user, pk)
    item_id = optional_id(request.POST, "item", "扣分项")
    action = request.POST.get("action", "")
    if item_id is None or action not in ("add", "withdraw"):
        raise BadRequest("扣分参数不正确，请从页面上的按钮提交。")
    try:
        if action == "add":
            deductions.report_deduction_add(
                report=report,
                item_id=item_id,
                actor=request.user,
                note=request.POST.get("note", ""),
            )
            messages.success(request, "已扣分，得分已重新计算。")
        else:
            deductions.report_deduction_withdraw(report=report, item_id=item_id, actor=request.user)
            messages.success(request, "已撤销扣分，得分已重新计算。")
    except ReportError as exc:
        messages.error(request, str(exc))
    return redirect(f"{reverse('report_review', args=[report.pk])}#deduction-{item_id}")
