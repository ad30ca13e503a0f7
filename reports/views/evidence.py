"""佐证材料: the clerk attaches files to figures and parts; whoever may read the report downloads
them (always as a download, never shown from the portal's own address)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from indicators.selectors import active_data_elements
from org.audit import Event, audit_record
from reading.sections import SECTIONS
from reportportal.files import stored_file_response
from reportportal.types import AuthedRequest

from ..models import Evidence, Report
from ..selectors.evidence import evidence_by_target
from ..selectors.reports import get_report_for_user, published_reports
from ..services.common import ReportError
from ..services.evidence import ACCEPTED, evidence_add, evidence_delete


class EvidenceUploadForm(forms.Form):
    target = forms.CharField(widget=forms.HiddenInput, max_length=80)
    file = forms.FileField(
        label="选择文件",
        error_messages={"required": "请先选择要上传的文件。", "empty": "文件是空的，请重新选择。"},
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"}),
    )


def _targets() -> list[tuple[str, str]]:
    """Figures first (what evidence mostly proves), then the parts, with their labels."""
    figures = [(f"fig:{e.code}", f"{e.name}（{e.unit}）") for e in active_data_elements()]
    parts = [(s.key, f"{s.number}、{s.heading}") for s in SECTIONS]
    return figures + parts


@login_required
@require_http_methods(["GET", "POST"])
def report_evidence(request: AuthedRequest, pk: int) -> HttpResponse:
    report, can = get_report_for_user(request.user, pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = EvidenceUploadForm(request.POST, request.FILES)
        target = request.POST.get("target", "")
        if form.is_valid():
            try:
                evidence = evidence_add(
                    report=report,
                    actor=request.user,
                    target=form.cleaned_data["target"],
                    upload=form.cleaned_data["file"],
                )
            except ReportError as exc:
                errors[target] = str(exc)
            else:
                messages.success(request, f"已上传佐证材料“{evidence.name}”。")
                return redirect(f"{reverse('report_evidence', args=[report.pk])}#ev-{target}")
        else:
            errors[target] = " ".join(str(e) for field in form.errors.values() for e in field)
    grouped = evidence_by_target(report)
    return render(
        request,
        "reports/report_evidence.html",
        {
            "report": report,
            "can_edit": can.edit,
            "rows": [(key, label, grouped.get(key, [])) for key, label in _targets()],
            "has_files": bool(grouped),
            "errors": errors,
            "accepted": ACCEPTED,
            "max_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
            "max_per_target": settings.EVIDENCE_MAX_PER_TARGET,
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def evidence_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(Evidence, pk=pk)
    report, _can = get_report_for_user(request.user, evidence.report_id)
    try:
        evidence_delete(evidence=evidence, actor=request.user)
    except ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已删除佐证材料“{evidence.name}”。")
    return redirect(f"{reverse('report_evidence', args=[report.pk])}#ev-{evidence.target}")


def _download(evidence: Evidence) -> HttpResponseBase:
    response = stored_file_response(
        name=evidence.file.name,
        filename=evidence.download_name,
        content_type=evidence.content_type,
        attachment=True,
    )
    # Even if a browser opened it, nothing in it may run as the portal.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@login_required
@require_safe
def evidence_download(request: AuthedRequest, pk: int) -> HttpResponseBase:
    evidence = get_object_or_404(Evidence, pk=pk)
    report: Report
    report, _can = get_report_for_user(request.user, evidence.report_id)
    audit_record(event=Event.DOWNLOAD, obj=report, detail=f"佐证材料：{evidence.name}")
    return _download(evidence)


@require_safe
def public_evidence_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A published report's evidence, only where the admin made the year's evidence public."""
    evidence = get_object_or_404(Evidence.objects.select_related("report__period"), pk=pk)
    if not evidence.report.period.evidence_public:
        raise Http404
    get_object_or_404(published_reports(), pk=evidence.report_id)
    return _download(evidence)
