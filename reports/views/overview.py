"""The admin's overview of every county: the country by province, a province by city, and the
counties one page at a time (?province=…&city=…&q=…&page=…)."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from org.access import Page, require
from org.models import County
from org.params import PLACE_MAX_CHARS, period_from_query, place_from_query
from org.selectors import periods
from reportportal.types import AuthedRequest

from ..selectors.overview import (
    city_tallies,
    county_page,
    known_city,
    known_province,
    province_tallies,
    total_of,
)


@login_required
@require_safe
def admin_home(request: AuthedRequest) -> HttpResponse:
    require(request.user, Page.OVERVIEW)
    period = period_from_query(request)
    place = place_from_query(request.GET)
    province, city = place["province"], place["city"]
    search = request.GET.get("q", "").strip()[:PLACE_MAX_CHARS]
    # A place that is not in the portal (a typo, an old link) shows the level above with a
    # message, never an error page: the admin chooses again from the table.
    problem = ""
    if province and not known_province(province):
        problem = f"没有找到「{province}」，请从下表中选择省（自治区、直辖市）。"
        province = city = ""
    elif city and not province:
        problem = "请先选择省（自治区、直辖市），再选择市（州、盟）。"
        city = ""
    elif city and not known_city(province, city):
        problem = f"{province}没有「{city}」，请从下表中选择市（州、盟）。"
        city = ""
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
        counties = County.objects.all()
        if province:
            counties = counties.filter(province=province)
        if city:
            counties = counties.filter(city=city)
        if search:
            counties = counties.filter(name__contains=search)
        # A search shows what was searched for; the tables are one click away (清除).
        if province and not city and not search:
            tallies = city_tallies(period, province)
            context.update(tallies=tallies, total=total_of(tallies, province))
        elif not province and not search:
            tallies = province_tallies(period)
            context.update(tallies=tallies, total=total_of(tallies, "全国"))
        # The country's counties are only listed when searched for: 3,000 rows are no overview.
        if province or search:
            page, rows = county_page(period, counties, request.GET.get("page"))
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
    return render(request, "reports/admin_home.html", context)
