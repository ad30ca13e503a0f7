from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .forms import ReportForm
from .models import Membership, Period
from .permissions import can_edit_report, membership_of
from .sections import SECTIONS


def _membership_or_403(request, *roles: str) -> Membership:
    membership = membership_of(request.user)
    if membership is None or membership.role not in roles:
        raise PermissionDenied("您的账号没有访问此页面的权限。")
    return membership


@login_required
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
def report_detail(request, pk: int):
    report = selectors.get_report_for_user(request.user, pk)
    figures = selectors.report_figures(report)
    elements = selectors.active_data_elements()
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "parts": [(section, getattr(report, section.key)) for section in SECTIONS],
            "figure_rows": [(element, figures.get(element.code)) for element in elements],
            "status_changes": selectors.report_status_changes(report),
            "can_edit": can_edit_report(request.user, report) and report.is_editable,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, pk: int):
    report = selectors.get_report_for_user(request.user, pk)
    if not (can_edit_report(request.user, report) and report.is_editable):
        return redirect("report_detail", pk=report.pk)
    elements = selectors.active_data_elements()

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
        {"report": report, "form": form},
    )


def _rebase(form: ReportForm, version: int, elements) -> ReportForm:
    """The same typed data on top of a newer version, so the next save is based on what is stored."""
    data = form.data.copy()
    data["version"] = str(version)
    return ReportForm(data, elements=elements)


@login_required
def county_home(request):
    membership = _membership_or_403(request, Membership.Role.REVIEWER)
    period = _period_from_request(request)
    rows = selectors.county_status_rows(membership.county, period) if period else []
    return render(
        request,
        "reports/county_home.html",
        {
            "county": membership.county,
            "period": period,
            "periods": Period.objects.order_by("-year"),
            "rows": rows,
            "counts": selectors.status_counts(rows),
        },
    )


@login_required
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
        },
    )


def _period_from_request(request) -> Period | None:
    year = request.GET.get("year", "")
    if year.isdigit():
        return get_object_or_404(Period, year=int(year))
    return selectors.current_period()
