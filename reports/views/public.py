"""What anyone may read without logging in: published reports."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from org.models import County
from org.params import optional_id, optional_year
from reportportal.middleware import public_when_anonymous

from ..selectors.reports import (
    approval_of,
    counties_with_published,
    figure_rows,
    periods_with_published,
    published_reports,
)


@require_safe
@public_when_anonymous
def public_index(request: HttpRequest) -> HttpResponse:
    county_id = optional_id(request.GET, "county", "县（市、区）")
    year = optional_year(request.GET)
    county = County.objects.filter(pk=county_id).first() if county_id is not None else None
    return render(
        request,
        "reports/public_index.html",
        {
            "reports": published_reports(county=county, year=year),
            "counties": counties_with_published(),
            "periods": periods_with_published(),
            "county": county,
            "year": year,
        },
    )


@require_safe
@public_when_anonymous
def public_report(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(published_reports(), pk=pk)
    return render(
        request,
        "reports/public_report.html",
        {
            "report": report,
            "parts": report.part_rows(),
            "figure_rows": figure_rows(report),
            "approval": approval_of(report),
        },
    )
