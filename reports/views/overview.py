"""The admin's overview of every county."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from org.access import Page, require
from org.params import period_from_query
from org.selectors import periods, provinces
from reportportal.types import AuthedRequest

from ..selectors.reports import counties_overview


@login_required
@require_safe
def admin_home(request: AuthedRequest) -> HttpResponse:
    require(request.user, Page.OVERVIEW)
    period = period_from_query(request)
    return render(
        request,
        "reports/admin_home.html",
        {
            "period": period,
            "periods": periods(),
            "overview": counties_overview(period) if period else [],
            "provinces": provinces(),
        },
    )
