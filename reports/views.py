from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from indicators.selectors import report_score
from reading.documents import Document
from reading.extract import extract
from reading.sections import SECTION_KEYS, SECTIONS, SECTIONS_BY_KEY

from . import exports, selectors, services, similarity
from .checks import submission_errors
from .forms import ImportConfirmForm, ImportUploadForm, ReportForm
from .models import (
    Action,
    County,
    ExportJob,
    Membership,
    Period,
    ReportSimilarity,
    ReportStatus,
    ReviewComment,
)
from .pdf import report_pdf
from .permissions import available_actions, can_edit_report, can_review, membership_of


def _membership_or_403(request, *roles: str) -> Membership:
    membership = membership_of(request.user)
    if membership is None or membership.role not in roles:
        raise PermissionDenied("您的账号没有访问此页面的权限。")
    return membership


@login_required
@require_safe
def home(request):
    membership = membership_of(request.user)
    if membership is None:
        return render(request, "reports/no_role.html", status=403)
    if membership.role == Membership.Role.CLERK:
        return redirect("township_home")
    if membership.role == Membership.Role.REVIEWER:
        return redirect("county_home")
    return redirect("admin_home")


@login_required
@require_safe
def township_home(request):
    membership = _membership_or_403(request, Membership.Role.CLERK)
    township = membership.township
    return render(
        request,
        "reports/township_home.html",
        {
            "township": township,
            "rows": selectors.township_periods(township),
            "current_period": selectors.current_period(),
        },
    )


@login_required
@require_POST
def report_start(request, year: int):
    membership = _membership_or_403(request, Membership.Role.CLERK)
    period = get_object_or_404(Period, year=year)
    try:
        report = services.report_start(
            township=membership.township, period=period, actor=request.user
        )
    except services.ReportError as exc:
        messages.error(request, str(exc))
        return redirect("township_home")
    return redirect("report_edit", pk=report.pk)


@login_required
@require_safe
def report_detail(request, pk: int):
    report = selectors.get_report_for_user(request.user, pk)
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "parts": [(section, getattr(report, section.key)) for section in SECTIONS],
            "figure_rows": _figure_rows(report),
            "status_changes": selectors.report_status_changes(report),
            "threads": selectors.comment_threads(report),
            "can_edit": can_edit_report(request.user, report) and report.is_editable,
            "can_answer": report.status == ReportStatus.RETURNED
            and can_edit_report(request.user, report),
            "can_review": can_review(request.user, report),
            "actions": available_actions(request.user, report),
            "approval": selectors.approval_of(report),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, pk: int):
    report = selectors.get_report_for_user(request.user, pk)
    if not (can_edit_report(request.user, report) and report.is_editable):
        return redirect("report_detail", pk=report.pk)
    elements = selectors.active_data_elements()
    # A page shown again after a POST holds the clerk's text; unless it was saved, the browser
    # must treat it as unsaved work (back it up, ask before leaving).
    unsaved = request.method == "POST"

    if request.method == "POST":
        form = ReportForm(request.POST, elements=elements)
        if form.is_valid():
            try:
                report = services.report_save_draft(
                    report=report,
                    actor=request.user,
                    base_version=form.cleaned_data["version"],
                    parts=form.parts(),
                    figures=form.figures(),
                )
                if "submit" not in request.POST:
                    messages.success(request, "草稿已保存。")
                    return redirect("report_edit", pk=report.pk)
                services.report_submit(report=report, actor=request.user)
                messages.success(request, "报告已提交至县级审核。")
                return redirect("report_detail", pk=report.pk)
            except services.VersionConflict as exc:
                messages.error(request, str(exc))
                stored_figures = selectors.report_figures(exc.current)
                form = _rebase(form, exc.current.version, elements)
                form.is_valid()
                form.mark_conflicts(exc.current, stored_figures)
            except services.SubmissionRefused as exc:
                unsaved = False
                messages.warning(request, "草稿已保存，但" + str(exc))
                form = _rebase(form, report.version, elements)
                form.is_valid()
                form.add_check_errors(exc.errors)
            except services.ReportError as exc:
                messages.error(request, str(exc))
        else:
            messages.error(
                request, "未保存：有数据填写不正确，请按红色提示修改。您填写的内容都还在。"
            )
    else:
        form = ReportForm(
            initial=ReportForm.initial_for(report, selectors.report_figures(report)),
            elements=elements,
        )

    return render(
        request,
        "reports/report_edit.html",
        {
            "report": report,
            "form": form,
            "threads": selectors.comment_threads(report),
            "can_answer": report.status == ReportStatus.RETURNED,
            "unsaved": unsaved,
        },
    )


def _editable_report_or_redirect(request, pk: int):
    report = selectors.get_report_for_user(request.user, pk)
    if not (can_edit_report(request.user, report) and report.is_editable):
        return report, redirect("report_detail", pk=report.pk)
    return report, None


@login_required
@require_http_methods(["GET", "POST"])
def report_import(request, pk: int):
    """Step 1: the clerk gives a document; step 2 (same request) shows what was found in it."""
    report, refused = _editable_report_or_redirect(request, pk)
    if refused:
        return refused
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        parsed = form.cleaned_data.get("parsed")
        if parsed is None:
            parsed = Document(form.cleaned_data["pasted"])
        extraction = extract(
            parsed.text,
            known_townships=selectors.township_names(),
            hints=parsed.heading_lines,
        )
        if not extraction.sections and not extraction.metrics:
            form.add_error(
                None, "没有从文件中识别出报告的任何部分或数据，请检查是否上传了正确的报告。"
            )
        else:
            elements = selectors.active_data_elements()
            codes = {e.code for e in elements}
            offered = {c: f for c, f in extraction.metrics.items() if c in codes}
            confirm = ImportConfirmForm(
                initial=ImportConfirmForm.initial_for(report, extraction, offered),
                report=report,
                elements=elements,
                found_parts=extraction.sections,
                figures_found=offered,
                stored_figures=selectors.report_figures(report),
            )
            return _render_import_confirm(request, report, confirm, extraction=extraction)
    return render(request, "reports/report_import.html", {"report": report, "form": form})


def _render_import_confirm(request, report, confirm, *, extraction=None, status=200):
    warnings = []
    if extraction is not None:
        if extraction.township and extraction.township != report.township.name:
            warnings.append(
                f"文件中的乡镇是“{extraction.township}”，与本报告（{report.township.name}）不同，"
                "请确认上传的是本乡镇的报告。"
            )
        if extraction.year and extraction.year != report.period.year:
            warnings.append(
                f"文件中的年度是 {extraction.year} 年，与本报告（{report.period.year} 年度）不同，"
                "请确认上传的是本年度的报告。"
            )
    missing = [SECTIONS_BY_KEY[key] for key in extraction.missing_sections] if extraction else []
    return render(
        request,
        "reports/report_import_confirm.html",
        {"report": report, "form": confirm, "warnings": warnings, "missing": missing},
        status=status,
    )


@login_required
@require_POST
def report_import_apply(request, pk: int):
    report, refused = _editable_report_or_redirect(request, pk)
    if refused:
        return refused
    elements = selectors.active_data_elements()
    found_parts = [key for key in SECTION_KEYS if f"part_{key}" in request.POST]
    figures_found = [e.code for e in elements if f"fig_{e.code}" in request.POST]
    confirm = ImportConfirmForm(
        request.POST,
        report=report,
        elements=elements,
        found_parts=found_parts,
        figures_found=figures_found,
        stored_figures=selectors.report_figures(report),
    )
    if confirm.is_valid():
        try:
            services.report_import_apply(
                report=report,
                actor=request.user,
                base_version=confirm.cleaned_data["version"],
                parts=confirm.accepted_parts(),
                figures=confirm.accepted_figures(),
            )
        except services.VersionConflict:
            messages.error(
                request,
                "导入未完成：报告刚刚被修改过（可能在另一个窗口）。请核对下方“已填内容”后再次确认导入。",
            )
            report = selectors.get_report_for_user(request.user, pk)
            data = request.POST.copy()
            data["version"] = report.version  # the next confirmation is based on what is stored
            confirm = ImportConfirmForm(
                data,
                report=report,
                elements=elements,
                found_parts=found_parts,
                figures_found=figures_found,
                stored_figures=selectors.report_figures(report),
            )
            confirm.is_valid()
            return _render_import_confirm(request, report, confirm, status=409)
        except services.ReportError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已导入所选内容，请核对后保存或提交。")
            return redirect("report_edit", pk=report.pk)
    else:
        messages.error(request, "未导入：有数据填写不正确，请按红色提示修改。")
    return _render_import_confirm(request, report, confirm, status=400)


def _rebase(form: ReportForm, version: int, elements) -> ReportForm:
    """The same typed data on top of a newer version, so the next save is based on what is stored."""
    data = form.data.copy()
    data["version"] = str(version)
    return ReportForm(data, elements=elements)


@login_required
@require_safe
def county_home(request):
    membership = _membership_or_403(request, Membership.Role.REVIEWER)
    period = _period_from_request(request)
    rows = selectors.county_dashboard(membership.county, period) if period else []
    return render(
        request,
        "reports/county_home.html",
        {
            "county": membership.county,
            "period": period,
            "periods": Period.objects.order_by("-year"),
            "rows": rows,
            "counts": selectors.status_counts(rows),
            "days_left": (period.deadline - timezone.localdate()).days if period else None,
        },
    )


@login_required
@require_POST
def county_remind(request):
    membership = _membership_or_403(request, Membership.Role.REVIEWER)
    period = _posted_period(request)
    count = services.county_remind(county=membership.county, period=period, actor=request.user)
    messages.success(request, f"已向 {count} 个尚未报送的乡镇（街道）的填报员发送提醒邮件。")
    return redirect(f"{reverse('county_home')}?year={period.year}")


@login_required
@require_safe
def review_queue(request):
    membership = _membership_or_403(request, Membership.Role.REVIEWER, Membership.Role.ADMIN)
    county = _county_for(request, membership)
    return render(
        request,
        "reports/review_queue.html",
        {
            "county": county,
            "counties": County.objects.all() if membership.role == Membership.Role.ADMIN else None,
            "queue": selectors.review_queue(county) if county else [],
        },
    )


@login_required
@require_POST
def review_queue_approve(request):
    _membership_or_403(request, Membership.Role.REVIEWER, Membership.Role.ADMIN)
    ids = [int(pk) for pk in request.POST.getlist("report") if pk.isdigit()]
    reports = selectors.reports_for_user(request.user).filter(pk__in=ids)
    approved, refused = services.reports_approve_many(reports=reports, actor=request.user)
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


def _county_for(request, membership: Membership) -> County | None:
    if membership.role == Membership.Role.REVIEWER:
        return membership.county
    county_id = request.GET.get("county", "")
    if county_id.isdigit():
        return get_object_or_404(County, pk=int(county_id))
    return County.objects.first()


@login_required
@require_safe
def report_review(request, pk: int):
    report = selectors.get_report_for_user(request.user, pk)
    if not can_review(request.user, report):
        raise Http404
    score, score_items = report_score(report)
    parts = {key: getattr(report, key) for key in SECTION_KEYS}
    return render(
        request,
        "reports/report_review.html",
        {
            "report": report,
            "parts": [(section, getattr(report, section.key)) for section in SECTIONS],
            "threads": selectors.comment_threads(report),
            "figure_rows": _figure_rows(report),
            "score": score,
            "score_items": score_items,
            "check_errors": submission_errors(
                period=report.period, parts=parts, figures=selectors.report_figures(report)
            ),
            "changes": selectors.round_changes(report),
            "figure_changes": selectors.figure_changes(report),
            "actions": available_actions(request.user, report),
            "status_changes": selectors.report_status_changes(report),
            "can_comment": report.status == ReportStatus.SUBMITTED,
            "targets": services.comment_targets(),
            "similarity": similarity.report_similarity_check(report),
        },
    )


@login_required
@require_GET
def report_similar(request, pk: int, other_pk: int):
    """The shared passages of a report and one of its stored similar reports, side by side."""
    report = selectors.get_report_for_user(request.user, pk)
    if not can_review(request.user, report):
        raise Http404
    row = get_object_or_404(
        ReportSimilarity.objects.select_related("other__township__county", "other__period"),
        report=report,
        other_id=other_pk,
    )
    # The other report may be another county's: its reviewer sees only the passages that
    # both reports contain (which are in their own report anyway), not its full text.
    readable = selectors.reports_for_user(request.user).filter(pk=row.other_id).exists()
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


def _figure_rows(report):
    figures = selectors.report_figures(report)
    return [(element, figures.get(element.code)) for element in selectors.active_data_elements()]


ACTION_SERVICES = {
    Action.SUBMIT: lambda report, user, note: services.report_submit(report=report, actor=user),
    Action.WITHDRAW: lambda report, user, note: services.report_withdraw(report=report, actor=user),
    Action.RETURN: lambda report, user, note: services.report_return(
        report=report, actor=user, reason=note
    ),
    Action.APPROVE: lambda report, user, note: services.report_approve(report=report, actor=user),
    Action.PUBLISH: lambda report, user, note: services.report_publish(report=report, actor=user),
    Action.REOPEN: lambda report, user, note: services.report_reopen(
        report=report, actor=user, reason=note
    ),
}
DONE_MESSAGES = {
    Action.SUBMIT: "报告已提交至县级审核。",
    Action.WITHDRAW: "报告已撤回，可以继续修改。",
    Action.RETURN: "报告已退回乡镇修改，填报员将收到邮件通知。",
    Action.APPROVE: "报告已审核通过。",
    Action.PUBLISH: "报告已公开，公众可以在公开页面查看。",
    Action.REOPEN: "报告已重新打开并退回乡镇修改。",
}


@login_required
@require_POST
def report_act(request, pk: int, action: str):
    if action not in ACTION_SERVICES:
        raise Http404
    report = selectors.get_report_for_user(request.user, pk)
    try:
        ACTION_SERVICES[action](report, request.user, request.POST.get("note", ""))
    except services.SubmissionRefused:
        messages.error(request, "报告未能提交：有必填部分或数据需要修改，请在填写页面按提示修改。")
        return redirect("report_edit", pk=report.pk)
    except services.ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, DONE_MESSAGES[action])
    if can_review(request.user, report):
        return redirect("report_review", pk=report.pk)
    return redirect("report_detail", pk=report.pk)


@login_required
@require_POST
def comment_create(request, pk: int):
    report = selectors.get_report_for_user(request.user, pk)
    target = request.POST.get("target", "")
    try:
        services.comment_add(
            report=report, actor=request.user, target=target, body=request.POST.get("body", "")
        )
    except services.ReportError as exc:
        if request.htmx:
            return _thread(request, report, target, error=str(exc), status=422)
        messages.error(request, str(exc))
    if request.htmx:
        return _thread(request, report, target)
    return redirect(f"{reverse('report_review', args=[report.pk])}#thread-{target}")


@login_required
@require_POST
def comment_answer(request, pk: int):
    comment = get_object_or_404(ReviewComment, pk=pk)
    report = selectors.get_report_for_user(request.user, comment.report_id)
    try:
        services.comment_answer(
            comment=comment, actor=request.user, body=request.POST.get("body", "")
        )
    except services.ReportError as exc:
        if request.htmx:
            return _thread(request, report, comment.target, error=str(exc), status=422)
        messages.error(request, str(exc))
    if request.htmx:
        return _thread(request, report, comment.target)
    messages.success(request, "答复已保存。")
    return redirect(f"{reverse('report_detail', args=[report.pk])}#thread-{comment.target}")


@login_required
@require_POST
def comment_resolve(request, pk: int):
    comment = get_object_or_404(ReviewComment, pk=pk)
    report = selectors.get_report_for_user(request.user, comment.report_id)
    services.comment_resolve(comment=comment, actor=request.user)
    if request.htmx:
        return _thread(request, report, comment.target)
    return redirect(f"{reverse('report_review', args=[report.pk])}#thread-{comment.target}")


def _thread(request, report, target, error="", status=200):
    return render(
        request,
        "partials/comment_thread.html",
        {
            "report": report,
            "target": target,
            "comments": selectors.comment_threads(report).get(target, []),
            "can_comment": report.status == ReportStatus.SUBMITTED
            and can_review(request.user, report),
            "can_answer": report.status == ReportStatus.RETURNED
            and can_edit_report(request.user, report),
            "can_resolve": can_review(request.user, report),
            "error": error,
        },
        status=status,
    )


@require_safe
def public_index(request):
    county_id = request.GET.get("county", "")
    year = request.GET.get("year", "")
    county = County.objects.filter(pk=int(county_id)).first() if county_id.isdigit() else None
    return render(
        request,
        "reports/public_index.html",
        {
            "reports": selectors.published_reports(
                county=county, year=int(year) if year.isdigit() else None
            ),
            "counties": County.objects.filter(
                townships__reports__status=ReportStatus.PUBLISHED
            ).distinct(),
            "periods": Period.objects.filter(reports__status=ReportStatus.PUBLISHED).distinct(),
            "county": county,
            "year": int(year) if year.isdigit() else None,
        },
    )


@require_safe
def public_report(request, pk: int):
    report = get_object_or_404(selectors.published_reports(), pk=pk)
    return render(
        request,
        "reports/public_report.html",
        {
            "report": report,
            "parts": [(section, getattr(report, section.key)) for section in SECTIONS],
            "figure_rows": _figure_rows(report),
            "approval": selectors.approval_of(report),
        },
    )


@login_required
@require_safe
def admin_home(request):
    _membership_or_403(request, Membership.Role.ADMIN)
    period = _period_from_request(request)
    return render(
        request,
        "reports/admin_home.html",
        {
            "period": period,
            "periods": Period.objects.order_by("-year"),
            "overview": selectors.counties_overview(period) if period else [],
            "provinces": County.objects.order_by("province")
            .values_list("province", flat=True)
            .distinct(),
        },
    )


def _posted_period(request) -> Period:
    year = request.POST.get("year", "")
    if not year.isdigit():
        raise Http404
    return get_object_or_404(Period, year=int(year))


def _period_from_request(request) -> Period | None:
    year = request.GET.get("year", "")
    if year.isdigit():
        return get_object_or_404(Period, year=int(year))
    return selectors.current_period()


def _pdf_response(data: bytes, filename: str, *, download: bool = False) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
@require_safe
def report_pdf_view(request, pk: int):
    report = selectors.get_report_for_user(request.user, pk)
    return _pdf_response(report_pdf(report), f"{report}.pdf")


@require_safe
def public_report_pdf(request, pk: int):
    report = get_object_or_404(selectors.published_reports(), pk=pk)
    return _pdf_response(report_pdf(report), f"{report}.pdf")


@login_required
@require_POST
def export_create(request):
    kind = request.POST.get("kind", "")
    if kind not in ExportJob.Kind.values:
        raise Http404
    period = _posted_period(request)
    county_id = request.POST.get("county", "")
    county = get_object_or_404(County, pk=int(county_id)) if county_id.isdigit() else None
    if kind == ExportJob.Kind.COUNTY and county is None:
        raise Http404
    province = request.POST.get("province", "")
    if province and not County.objects.filter(province=province).exists():
        raise Http404
    job = exports.export_job_create(
        kind=kind, period=period, county=county, actor=request.user, province=province
    )
    return redirect("export_detail", pk=job.pk)


def _job_for(request, pk: int) -> ExportJob:
    job = get_object_or_404(ExportJob.objects.select_related("period", "county"), pk=pk)
    membership = membership_of(request.user)
    is_admin = membership is not None and membership.role == Membership.Role.ADMIN
    if job.requested_by_id != request.user.pk and not is_admin:
        raise Http404
    return job


@login_required
@require_safe
def export_detail(request, pk: int):
    job = _job_for(request, pk)
    template = "partials/export_status.html" if request.htmx else "reports/export_detail.html"
    return render(request, template, {"job": job})


@login_required
@require_safe
def export_download(request, pk: int):
    job = _job_for(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=f"{job.title}.pdf")
