"""The township clerk's pages: the township's years, filling in a report, importing a document,
answering review comments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from indicators.models import DataElement
from indicators.selectors import active_data_elements, validation_rules
from org.access import landing_page, own_township
from org.audit import Event, audit_record
from org.models import Period
from org.selectors import current_period, township_names
from reading.documents import Document
from reading.extract import Extraction, extract
from reading.sections import SECTION_KEYS, SECTIONS, SECTIONS_BY_KEY
from reportportal.fragments import cached_fragment, live_slot
from reportportal.types import AuthedRequest
from reports.selectors.vocabulary import reading_vocabulary

from ..checks import submission_errors
from ..forms import ImportConfirmForm, ImportUploadForm, ReportForm
from ..models import ImportJob, Report, ReviewComment
from ..selectors.plausibility import figure_plausibility
from ..selectors.reports import (
    Capabilities,
    get_report_for_user,
    last_return,
    report_figures,
    standing,
    township_periods,
    with_texts,
)
from ..selectors.review import comment_threads, open_comments
from ..selectors.stamps import FRAGMENT_SECONDS, report_has, township_page_key
from ..services import comments, drafts, imports, transitions
from ..services.common import ReportError, SubmissionRefused, VersionConflict
from ..templatetags.badges import figure_check_forms
from ..templatetags.badges import figure_plausibility as plausibility_note
from ..workflow import WORKFLOW, Action
from .report import comment_thread, report_page


@login_required
@require_safe
def home(request: AuthedRequest) -> HttpResponse:
    page = landing_page(request.user)
    if page is None:
        return render(request, "reports/no_role.html", status=403)
    return redirect(page)


@login_required
@require_safe
def township_home(request: AuthedRequest) -> HttpResponse:
    township = own_township(request.user)

    def context() -> dict[str, object]:
        return {
            "township": township,
            "rows": [
                (period, report, standing(period, report), last_return(report) if report else None)
                for period, report in township_periods(township)
            ],
            "current_period": current_period(),
        }

    body = cached_fragment(
        request,
        template="reports/partials/township_home_body.html",
        key=township_page_key(request.user, township),
        context=context,
        seconds=FRAGMENT_SECONDS,
    )
    return render(request, "reports/township_home.html", {"township": township, "body": body})


@login_required
@require_POST
def report_start(request: AuthedRequest, year: int) -> HttpResponse:
    township = own_township(request.user)
    period = get_object_or_404(Period, year=year)
    try:
        report = drafts.report_start(township=township, period=period, actor=request.user)
    except ReportError as exc:
        messages.error(request, str(exc))
        return redirect("township_home")
    return redirect("report_edit", pk=report.pk)


def _editable_report_or_redirect(
    request: AuthedRequest, pk: int, *, texts: bool = True
) -> tuple[Report, Capabilities, HttpResponse | None]:
    report, can = get_report_for_user(request.user, pk, texts=texts)
    if not can.edit:
        return report, can, redirect("report_detail", pk=report.pk)
    return report, can, None


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    # A page served from the cache needs no part of the text; a save locks the report and reads
    # it all again (drafts.report_save_draft), and a page drawn reads it (with_texts).
    report, can, refused = _editable_report_or_redirect(request, pk, texts=False)
    if refused:
        return refused
    # A page shown again after a POST holds the clerk's text; unless it was saved, the browser
    # must treat it as unsaved work (back it up, ask before leaving).
    unsaved = request.method == "POST"

    form: ReportForm | None = None
    if request.method == "POST":
        elements = active_data_elements()
        form = ReportForm(request.POST, elements=elements)
        if form.is_valid():
            try:
                if "submit" in request.POST:
                    transitions.report_save_and_submit(
                        report=report,
                        actor=request.user,
                        base_version=form.cleaned_data["version"],
                        parts=form.parts(),
                        figures=form.figures(),
                    )
                    messages.success(request, "报告已提交至县级审核。")
                    return redirect("report_detail", pk=report.pk)
                drafts.report_save_draft(
                    report=report,
                    actor=request.user,
                    base_version=form.cleaned_data["version"],
                    parts=form.parts(),
                    figures=form.figures(),
                )
                messages.success(request, "草稿已保存。")
                return redirect("report_edit", pk=report.pk)
            except VersionConflict as exc:
                messages.error(request, str(exc))
                stored_figures = report_figures(exc.current)
                form = _rebase(form, exc.current.version, elements)
                form.is_valid()
                form.mark_conflicts(exc.current, stored_figures)
            except SubmissionRefused as exc:
                unsaved = False
                messages.warning(request, "草稿已保存，但" + str(exc))
                report.refresh_from_db()
                form = _rebase(form, report.version, elements)
                form.is_valid()
                form.add_check_errors(exc.errors)
            except ReportError as exc:
                messages.error(request, str(exc))
        else:
            messages.error(
                request, "未保存：有数据填写不正确，请按红色提示修改。您填写的内容都还在。"
            )

    def context() -> dict[str, object]:
        with_texts(report)
        elements = active_data_elements()  # read once a request (per-request memo)
        shown = form or ReportForm(
            initial=ReportForm.initial_for(report, report_figures(report)), elements=elements
        )
        return {
            "report": report,
            "form": shown,
            "can_answer": can.answer,
            "unsaved": unsaved,
            # Drawn apart (figure_notes): the body prints each figure's note through a slot.
            "figure_notes": {
                f"fig:{element.code}": live_slot(f"fig:{element.code}") for element in elements
            },
        } | _edit_overview(report, elements, show_warnings=not shown.errors)

    # The stored report as it is is the same for every visit until its stamps move; a page with
    # the clerk's typing is drawn for this request only. 「草稿已保存」 beside the buttons is
    # this request's: the page after a save is kept for the visits that follow.
    saved_note = format_html_join(
        "",
        '<span class="small text-success ms-2 fw-semibold" role="status" id="saved-note">✓ {}'
        "</span>",
        (
            (message,)
            for message in messages.get_messages(request)
            if message.level_tag == "success"
        ),
    )
    return report_page(
        request,
        report,
        can,
        page="report_edit",
        context=context,
        county_parts=lambda: figure_notes(report),
        store=form is None,
        live={"saved_note": saved_note},
    )


def figure_notes(report: Report) -> dict[str, str]:
    """Last year and 「请核实」 under each figure of the edit page (they compare with the county's
    medians), and the forms their 「标记已核实」 buttons submit: the parts of the page that
    follow the county's sent reports (report_page's county_parts)."""
    rows = figure_plausibility(report)
    notes: dict[str, str] = {
        f"fig:{code}": plausibility_note(row, True) for code, row in rows.items()
    }
    notes["figure_check_forms"] = figure_check_forms(report, rows)
    return notes


def _edit_overview(
    report: Report, elements: list[DataElement], *, show_warnings: bool
) -> dict[str, object]:
    """What the edit page shows around the form: where the report stands, why it came back, the
    open comments, each part's state, the figures that break a rule (warnings while a draft;
    refused at submission), and what submitting asks first."""
    threads = comment_threads(report)
    labels = {section.key: f"{section.number}、{section.heading}" for section in SECTIONS}
    labels |= {f"fig:{e.code}": f"数据：{e.name}" for e in elements}
    open_ = open_comments(threads, labels)
    unanswered = sum(1 for item in open_ if not item.answered)
    commented = {item.comment.target for item in open_}
    text = report.parts()
    part_states = [
        (
            section,
            "有意见"
            if section.key in commented
            else "已填"
            if section.key not in report.missing_parts and text[section.key].strip()
            else "未填",
        )
        for section in SECTIONS
    ]
    warnings: dict[str, list[str]] = {}
    if show_warnings:
        warnings = submission_errors(
            parts={},
            missing=[],
            figures=report_figures(report),
            rules=validation_rules(report.period),
        )
    move = WORKFLOW[Action.SUBMIT]
    confirm = (
        f"还有 {unanswered} 条审核意见没有答复。确定不答复就重新报送吗？"
        if unanswered
        else move.confirm
    )
    return {
        "threads": threads,
        "standing": standing(report.period, report),
        "returned": last_return(report),
        "open_comments": open_,
        "part_states": part_states,
        "figure_warnings": {f"fig:{code}": messages for code, messages in warnings.items()},
        # Not counted when this request's stamp of the report found none.
        "evidence_count": report.evidence.count() if report_has(report.pk, "evidence") else 0,
        "submit_move": move,
        "submit_confirm": confirm,
    }


def _rebase(form: ReportForm, version: int, elements: list) -> ReportForm:
    """The same typed data on top of a newer version, so the next save is based on what is stored."""
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict: the POST
    data["version"] = str(version)
    return ReportForm(data, elements=elements)


@login_required
@require_http_methods(["GET", "POST"])
def report_import(request: AuthedRequest, pk: int) -> HttpResponse:
    """Step 1: the clerk gives a document; step 2 (same request) shows what was found in it."""
    report, can, refused = _editable_report_or_redirect(request, pk)
    if refused:
        return refused
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if "deferred" in form.cleaned_data:
            name, source = form.cleaned_data["deferred"]
            job = imports.import_job_create(
                report=report, actor=request.user, name=name, source=source
            )
            return redirect("report_import_job", pk=report.pk, job_pk=job.pk)
        parsed = form.cleaned_data.get("parsed")
        document = form.cleaned_data.get("document")
        audit_record(
            event=Event.UPLOAD,
            obj=report,
            detail=f"导入：{document.name if document else '粘贴的文字'}",
        )
        if parsed is None:
            parsed = Document(form.cleaned_data["pasted"])
        extraction = extract(
            parsed.text,
            known_townships=township_names(),
            hints=parsed.heading_lines,
            vocabulary=reading_vocabulary(),
        )
        if not extraction.sections and not extraction.metrics:
            form.add_error(None, imports.NOTHING_FOUND)
        else:
            return _offer(request, report, extraction)
    return render(request, "reports/report_import.html", {"report": report, "form": form})


def _offer(request: AuthedRequest, report: Report, extraction: Extraction) -> HttpResponse:
    """The confirmation page of what was found in a document."""
    elements = active_data_elements()
    codes = {e.code for e in elements}
    offered = {c: f for c, f in extraction.metrics.items() if c in codes}
    confirm = ImportConfirmForm(
        initial=ImportConfirmForm.initial_for(report, extraction, offered),
        report=report,
        elements=elements,
        found_parts=extraction.sections,
        figures_found=offered,
        stored_figures=report_figures(report),
    )
    return _render_import_confirm(request, report, confirm, extraction=extraction)


@login_required
@require_safe
def report_import_job(request: AuthedRequest, pk: int, job_pk: int) -> HttpResponse:
    """A document read by the task queue: its progress, then (the same page) what was found."""
    report, _can, refused = _editable_report_or_redirect(request, pk)
    if refused:
        return refused
    job = get_object_or_404(ImportJob, pk=job_pk, report=report, requested_by=request.user)
    if job.status == ImportJob.Status.DONE and job.result is not None:
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return _offer(request, report, Extraction.from_json(job.result))
    return render(
        request,
        "reports/partials/import_status.html" if request.htmx else "reports/report_import_job.html",
        {"report": report, "job": job},
    )


def _render_import_confirm(
    request: AuthedRequest,
    report: Report,
    confirm: ImportConfirmForm,
    *,
    extraction: Extraction | None = None,
    status: int = 200,
) -> HttpResponse:
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
def report_import_apply(request: AuthedRequest, pk: int) -> HttpResponse:
    report, can, refused = _editable_report_or_redirect(request, pk)
    if refused:
        return refused
    elements = active_data_elements()
    found_parts = [key for key in SECTION_KEYS if f"part_{key}" in request.POST]
    figures_found = [e.code for e in elements if f"fig_{e.code}" in request.POST]
    confirm = ImportConfirmForm(
        request.POST,
        report=report,
        elements=elements,
        found_parts=found_parts,
        figures_found=figures_found,
        stored_figures=report_figures(report),
    )
    if confirm.is_valid():
        try:
            drafts.report_import_apply(
                report=report,
                actor=request.user,
                base_version=confirm.cleaned_data["version"],
                parts=confirm.accepted_parts(),
                figures=confirm.accepted_figures(),
            )
        except VersionConflict:
            messages.error(
                request,
                "导入未完成：报告刚刚被修改过（可能在另一个窗口）。请核对下方“已填内容”后再次确认导入。",
            )
            report, _can = get_report_for_user(request.user, pk)
            data = request.POST.copy()
            data["version"] = str(
                report.version
            )  # the next confirmation is based on what is stored
            confirm = ImportConfirmForm(
                data,
                report=report,
                elements=elements,
                found_parts=found_parts,
                figures_found=figures_found,
                stored_figures=report_figures(report),
            )
            confirm.is_valid()
            return _render_import_confirm(request, report, confirm, status=409)
        except ReportError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已导入所选内容，请核对后保存或提交。")
            return redirect("report_edit", pk=report.pk)
    else:
        messages.error(request, "未导入：有数据填写不正确，请按红色提示修改。")
    return _render_import_confirm(request, report, confirm, status=400)


@login_required
@require_POST
def comment_answer(request: AuthedRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(ReviewComment, pk=pk)
    report, can = get_report_for_user(request.user, comment.report_id)
    try:
        comments.comment_answer(
            comment=comment, actor=request.user, body=request.POST.get("body", "")
        )
    except ReportError as exc:
        if request.htmx:
            return comment_thread(request, report, can, comment.target, error=str(exc), status=422)
        messages.error(request, str(exc))
    if request.htmx:
        return comment_thread(request, report, can, comment.target)
    messages.success(request, "答复已保存。")
    return redirect(
        f"{reverse('report_detail', args=[report.pk])}#{ReviewComment.anchor(comment.target)}"
    )
