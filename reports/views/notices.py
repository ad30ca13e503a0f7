"""Notices inside the portal (站内通知): the list, opening one, marking all read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from reportportal.types import AuthedRequest

from ..models import Notice
from ..services.notices import notice_read, notices_read_all


@login_required
@require_safe
def notice_list(request: AuthedRequest) -> HttpResponse:
    page = Paginator(Notice.objects.filter(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "reports/notice_list.html", {"page": page})


@login_required
@require_POST
def notice_open(request: AuthedRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notice, pk=pk, user=request.user)
    notice_read(notice=notice)
    if notice.link and url_has_allowed_host_and_scheme(notice.link, allowed_hosts=None):
        return redirect(notice.link)
    return redirect("notice_list")


@login_required
@require_POST
def notices_read(request: AuthedRequest) -> HttpResponse:
    notices_read_all(user=request.user)
    return redirect("notice_list")
