"""The report page that everyone who may read a report shares, its workflow buttons, and the
comment threads (answered by the clerk, written and resolved by the reviewer)."""

from collections.abc import Callable, Mapping

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from org.access import Right
from reportportal.fragments import cached_fragment, fragment_key
from reportportal.types import AuthedRequest

from ..models import Report
from ..selectors.reports import (
    Capabilities,
    figure_rows,
    get_report_for_user,
    latest_approval,
    report_status_changes,
    with_texts,
)
from ..selectors.review import comment_threads
from ..selectors.stamps import FRAGMENT_SECONDS, report_page_key, report_stamps
from ..services import transitions
from ..services.common import ReportError, SubmissionRefused
from ..workflow import WORKFLOW


def report_page(
    request: AuthedRequest,
    report: Report,
    can: Capabilities,
    *,
    page: str,
    context: Callable[[], dict[str, object]],
    county_wide: bool = False,
    county_parts: Callable[[], dict[str, str]] | None = None,
    store: bool = True,
    live: Mapping[str, str] | None = None,
) -> HttpResponse:
    """One report's page: reports/<page>.html around the body reports/partials/<page>_body.html,
    which is kept in the cache on the report's stamp (and its county's sent reports', for a
    page whose body shows the county's medians or queue: `county_wide`) unless `store` is false;
    `context` is called only to draw; `live` values are this request's (cached_fragment).

    `county_parts` returns what the page shows of the county's other reports as HTML parts,
    each printed by the body through a live slot of its name (live_slot): they are drawn and
    kept apart, on both stamps, so that the body stays in the cache on the report's stamp alone
    while other townships send and withdraw their reports."""
    live = dict(live or {})
    key: tuple[object, ...] = ()
    if store:
        own, sent = report_stamps(report, county_wide=county_wide or county_parts is not None)
        key = report_page_key(request.user, report, can, own, sent if county_wide else "")
        if county_parts is not None:
            parts_key = fragment_key(
                f"{page}:county", report_page_key(request.user, report, can, own, sent)
            )
            parts = cache.get(parts_key)
            if parts is None:
                parts = county_parts()
                cache.set(parts_key, parts, FRAGMENT_SECONDS)
            live |= parts
    elif county_parts is not None:
        live |= county_parts()
    body = cached_fragment(
        request,
        template=f"reports/partials/{page}_body.html",
        key=key,
        context=context,
        seconds=FRAGMENT_SECONDS,
        store=store,
        live=live,
    )
    return render(request, f"reports/{page}.html", {"report": report, "body": body})


@login_required
@require_safe
def report_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    report, can = get_report_for_user(request.user, pk, texts=False)

    def context() -> dict[str, object]:
        with_texts(report)
        changes = list(report_status_changes(report))
        return {
            "report": report,
            "can": can,
            "township_user": Right.WRITE in can.rights,
            "parts": report.part_rows(),
            "figure_rows": figure_rows(report),
            "status_changes": changes,
            "threads": comment_threads(report),
            "approval": latest_approval(changes),
        }

    return report_page(request, report, can, page="report_detail", context=context)


@login_required
@require_POST
def report_act(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    if action not in WORKFLOW:
        raise Http404
    report, can = get_report_for_user(request.user, pk)
    try:
        transitions.report_move(
            report=report, actor=request.user, action=action, note=request.POST.get("note", "")
        )
    except SubmissionRefused:
        messages.error(request, "报告未能提交：有必填部分或数据需要修改，请在填写页面按提示修改。")
        return redirect("report_edit", pk=report.pk)
    except ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, WORKFLOW[action].done)
    if can.review:
        return redirect("report_review", pk=report.pk)
    return redirect("report_detail", pk=report.pk)


def comment_thread(
    request: AuthedRequest,
    report: Report,
    can: Capabilities,
    target: str,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """One part's or figure's thread, for htmx to swap in after a change."""
    return render(
        request,
        "partials/comment_thread.html",
        {
            "report": report,
            "target": target,
            "comments": comment_threads(report).get(target, []),
            "can_comment": can.comment,
            "can_answer": can.answer,
            "can_resolve": can.review,
            "error": error,
        },
        status=status,
    )
