"""What anyone may read without logging in: published reports."""

from dataclasses import dataclass
from functools import cache
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe

from org.models import Period
from org.params import optional_id, optional_year, place_from_query
from org.selectors import PlaceChoices, chosen_place
from reportportal.middleware import public_when_anonymous

from ..models import Report
from ..selectors.reports import (
    approval_of,
    figure_rows,
    periods_with_published,
    published_list,
    published_reports,
)
from ..selectors.stamps import FRAGMENT_SECONDS, public_report_digest, workflow_stamp

PUBLIC_PAGE_SIZE = 50


@dataclass(frozen=True)
class PublicListing:
    page: Page[Report]
    place: PlaceChoices
    periods: list[Period]
    query: str


def public_listing(
    county_id: int | None, year: int | None, number: int, *, province: str, city: str
) -> PublicListing:
    place = chosen_place(county_id, province=province, city=city)
    reports = published_list(
        county=place.county, province=place.province, city=place.city, year=year
    )
    page = Paginator(reports, PUBLIC_PAGE_SIZE).get_page(number)
    here = {"province": place.province, "city": place.city, "year": year or ""}
    if place.county is not None:
        here["county"] = place.county.pk
    return PublicListing(
        page=page,
        place=place,
        periods=list(periods_with_published()),
        query=urlencode({key: value for key, value in here.items() if value}),
    )


def page_number(value: str | None) -> int:
    """The page asked for as Paginator.get_page reads it: not a number is the first page."""
    try:
        return int(value or "")
    except ValueError:
        return 1


@require_safe
@public_when_anonymous
def public_index(request: HttpRequest) -> HttpResponse:
    """Published reports, narrowed by province → city → county and year, 50 a page.

    The form and the table are cached on what was asked for and on the workflow stamp (a report
    published or withdrawn anywhere moves it): a hit reads the stamp and nothing else; the
    places, the page and the years are read only when the fragment is drawn."""
    county_id = optional_id(request.GET, "county", "县（市、区）")
    year = optional_year(request.GET)
    names = place_from_query(request.GET)
    number = page_number(request.GET.get("page"))

    @cache
    def listing() -> PublicListing:
        return public_listing(county_id, year, number, **names)

    return render(
        request,
        "reports/public_index.html",
        {
            "page": SimpleLazyObject(lambda: listing().page),
            "reports": SimpleLazyObject(lambda: listing().page.object_list),
            "place": SimpleLazyObject(lambda: listing().place),
            "periods": SimpleLazyObject(lambda: listing().periods),
            "county": SimpleLazyObject(lambda: listing().place.county),
            "year": year,
            "query": SimpleLazyObject(lambda: listing().query),
            "asked": [county_id, names["province"], names["city"], year, number],
            "stamp": workflow_stamp(),
            "fragment_seconds": FRAGMENT_SECONDS,
        },
    )


@require_safe
@public_when_anonymous
def public_report(request: HttpRequest, pk: int) -> HttpResponse:
    """One published report. The article is cached on a digest of every row it shows, read with
    the report (reports.selectors.stamps.public_report_digest): a hit runs that one query."""
    report = get_object_or_404(published_reports().annotate(digest=public_report_digest()), pk=pk)
    return render(
        request,
        "reports/public_report.html",
        {
            "report": report,
            "parts": SimpleLazyObject(report.part_rows),
            "figure_rows": SimpleLazyObject(lambda: figure_rows(report)),
            "approval": SimpleLazyObject(lambda: approval_of(report)),
            "stamp": report.digest,  # type: ignore[attr-defined]
            "fragment_seconds": FRAGMENT_SECONDS,
        },
    )
