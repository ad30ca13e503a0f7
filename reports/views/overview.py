"""The admin's overview of every county: the country by province, a province by city, and the
counties one page at a time (?province=…&city=…&q=…&page=…)."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from org.access import Page, require
from org.models import Period
from org.params import PLACE_MAX_CHARS, period_from_query, place_from_query
from org.selectors import periods
from reportportal.fragments import cached_fragment
from reportportal.types import AuthedRequest

from ..selectors.overview import (
    city_tallies,
    county_page,
    overview_counties,
    overview_place,
    province_tallies,
    total_of,
)
from ..selectors.stamps import FRAGMENT_SECONDS, workflow_stamp
from .public import page_number


@login_required
@require_safe
def admin_home(request: AuthedRequest) -> HttpResponse:
    """The body is cached on how it was asked for, the period as read for this request and the
    workflow stamp (a move, a report started, a place or a period added or changed anywhere): the
    same for every administrator, whose forms get their own CSRF token. A warm page reads the
    period and the stamp."""
    require(request.user, Page.OVERVIEW)
    period = period_from_query(request)
    province, city, problem = overview_place(**place_from_query(request.GET))
    search = request.GET.get("q", "").strip()[:PLACE_MAX_CHARS]
    number = page_number(request.GET.get("page"))

    def context() -> dict[str, object]:
        return overview_context(period, province, city, search, problem, number)

    body = cached_fragment(
        request,
        template="reports/partials/admin_home_body.html",
        key=(
            (period.pk, period.year, period.deadline.isoformat(), period.locked)
            if period
            else None,
            province,
            city,
            search,
            problem,
            number,
            workflow_stamp(),
        ),
        context=context,
        seconds=FRAGMENT_SECONDS,
    )
    return render(
        request,
        "reports/admin_home.html",
        {"province": province, "city": city, "body": body},
    )


def overview_context(
    period: Period | None, province: str, city: str, search: str, problem: str, number: int
) -> dict[str, object]:
    context: dict[str, object] = {
        "period": period,
        "periods": periods(),
        "province": province,
        "city": city,
        "search": search,
        "problem": problem,
        "tallies": None,
        "page": None,
        "rows": [],
    }
    if period is not None:
        counties = overview_counties(province=province, city=city, search=search)
        # A search shows what was searched for; the tables are one click away (清除).
        if province and not city and not search:
            tallies = city_tallies(period, province)
            context.update(tallies=tallies, total=total_of(tallies, province))
        elif not province and not search:
            tallies = province_tallies(period)
            context.update(tallies=tallies, total=total_of(tallies, "全国"))
        # The country's counties are only listed when searched for: 3,000 rows are no overview.
        if province or search:
            page, rows = county_page(period, counties, number)
            context.update(page=page, rows=rows)
        here = {
            key: value
            for key, value in (
                ("year", period.year),
                ("province", province),
                ("city", city),
                ("q", search),
            )
            if value
        }
        context["query"] = urlencode(here)
    return context
