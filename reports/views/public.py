"""What anyone may read without logging in: published reports."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from org.params import optional_id, optional_year, place_from_query
from org.selectors import chosen_place
from reportportal.middleware import public_when_anonymous

from ..selectors.reports import (
    approval_of,
    figure_rows,
    periods_with_published,
    published_list,
    published_reports,
)

PUBLIC_PAGE_SIZE = 50


@require_safe
@public_when_anonymous
def public_index(request: HttpRequest) -> HttpResponse:
    """Published reports, narrowed by province → city → county and year, 50 a page."""
    county_id = optional_id(request.GET, "county", "县（市、区）")
    year = optional_year(request.GET)
    place = chosen_place(county_id, **place_from_query(request.GET))
    reports = published_list(
        county=place.county, province=place.province, city=place.city, year=year
    )
    page = Paginator(reports, PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    here = {"province": place.province, "city": place.city, "year": year or ""}
    if place.county is not None:
        here["county"] = place.county.pk
    return render(
        request,
        "reports/public_index.html",
        {
            "page": page,
            "reports": page.object_list,
            "place": place,
            "periods": periods_with_published(),
            "county": place.county,
            "year": year,
            "query": urlencode({key: value for key, value in here.items() if value}),
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
