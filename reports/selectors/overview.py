"""The admin's overview of every county (全部报送情况), read level by level: the country by
province, a province by city, and one page of counties at a time.

With the whole country loaded (about 3,000 counties, 40,000 townships) nothing here reads a row
per county or per township into Python: every level is one grouped query for the places and one for
the reports, and the county rows are paged before their figures are read.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, Min, OuterRef, QuerySet, Subquery, Sum, When

from org.access import OFFICIAL_ORDER
from org.models import County, Period, Township

from ..models import Report
from ..workflow import ReportStatus

COUNTY_PAGE_SIZE = 50


@dataclass
class Tally:
    """Townships of a place and their reports of the period by status."""

    name: str
    counties: int = 0
    townships: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    # One property per status for the templates (row.draft …), no lookup by name.
    @property
    def draft(self) -> int:
        return self.by_status.get(ReportStatus.DRAFT, 0)

    @property
    def submitted(self) -> int:
        return self.by_status.get(ReportStatus.SUBMITTED, 0)

    @property
    def returned(self) -> int:
        return self.by_status.get(ReportStatus.RETURNED, 0)

    @property
    def approved(self) -> int:
        return self.by_status.get(ReportStatus.APPROVED, 0)

    @property
    def published(self) -> int:
        return self.by_status.get(ReportStatus.PUBLISHED, 0)

    @property
    def started(self) -> int:
        return sum(self.by_status.values())

    @property
    def not_started(self) -> int:
        return self.townships - self.started

    @property
    def sent(self) -> int:
        return self.started - self.by_status.get(ReportStatus.DRAFT, 0)

    @property
    def sent_percent(self) -> int:
        return round(100 * self.sent / self.townships) if self.townships else 0


def _tallies(period: Period, level: str, **place: str) -> list[Tally]:
    """One row per province (level "province") or per city of a province (level "city"): two
    grouped queries whatever the number of counties, one for the places (each county's
    townships counted by its index, no COUNT(DISTINCT) over 40,000 joined rows), one for the
    reports."""
    townships = (
        Township.objects.filter(county=OuterRef("pk"))
        .order_by()
        .values("county")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = {
        name: Tally(name, counties=counties, townships=n or 0)
        for name, counties, n, _code in County.objects.filter(**place)
        .annotate(n_townships=Subquery(townships))
        .values_list(level)
        .annotate(
            n_counties=Count("id"),
            n_sum=Sum("n_townships"),
            # The register's order: a place's first code (河南省 41…, 郑州市 4101…).
            first_code=Min(Case(When(code="", then=None), default=F("code"))),
        )
        .order_by(F("first_code").asc(nulls_last=True), level)
    }
    in_place = {f"county__{key}": value for key, value in place.items()}
    for name, status, n in (
        Report.objects.filter(
            period=period, **{f"township__{key}": value for key, value in in_place.items()}
        )
        .values_list(f"township__county__{level}", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        if name in rows:
            rows[name].by_status[status] = n
    return list(rows.values())


def province_tallies(period: Period) -> list[Tally]:
    return _tallies(period, "province")


def city_tallies(period: Period, province: str) -> list[Tally]:
    return _tallies(period, "city", province=province)


def total_of(tallies: list[Tally], name: str) -> Tally:
    total = Tally(name)
    for tally in tallies:
        total.counties += tally.counties
        total.townships += tally.townships
        for status, n in tally.by_status.items():
            total.by_status[status] = total.by_status.get(status, 0) + n
    return total


@dataclass
class CountyRow:
    county: County
    tally: Tally


def county_page(
    period: Period, counties: QuerySet[County], number: Any
) -> tuple[Page[County], list[CountyRow]]:
    """One page of the counties with their townships and reports by status: four queries (count,
    page, townships, reports) whatever the number of counties. A page number that is not one
    gives the first page, one past the end the last (Paginator.get_page)."""
    page = Paginator(counties.order_by(*OFFICIAL_ORDER), COUNTY_PAGE_SIZE).get_page(number)
    shown = list(page.object_list)
    ids = [county.pk for county in shown]
    townships = dict(
        Township.objects.filter(county_id__in=ids)
        .values_list("county_id")
        .annotate(n=Count("id"))
        .order_by()  # Township's default order would join County for nothing
    )
    by_status: dict[int, dict[str, int]] = {}
    for county_id, status, n in (
        Report.objects.filter(period=period, township__county_id__in=ids)
        .values("township__county_id", "status")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("township__county_id", "status", "n")
    ):
        by_status.setdefault(county_id, {})[status] = n
    rows = [
        CountyRow(
            county,
            Tally(
                county.name,
                counties=1,
                townships=townships.get(county.pk, 0),
                by_status=by_status.get(county.pk, {}),
            ),
        )
        for county in shown
    ]
    return page, rows


def overview_place(province: str, city: str) -> tuple[str, str, str]:
    """The province and city to show, and what to tell the admin when the ones asked for are
    not in the portal (a typo, an old link): the level above with a message, never an error
    page, so the admin chooses again from the table."""
    if province and not County.objects.filter(province=province).exists():
        return "", "", f"没有找到「{province}」，请从下表中选择省（自治区、直辖市）。"
    if city and not province:
        return "", "", "请先选择省（自治区、直辖市），再选择市（州、盟）。"
    if city and not County.objects.filter(province=province, city=city).exists():
        return province, "", f"{province}没有「{city}」，请从下表中选择市（州、盟）。"
    return province, city, ""


def overview_counties(*, province: str = "", city: str = "", search: str = "") -> QuerySet[County]:
    """The counties of a province, of a city, or whose name contains the search."""
    counties = County.objects.all()
    if province:
        counties = counties.filter(province=province)
    if city:
        counties = counties.filter(city=city)
    if search:
        counties = counties.filter(name__contains=search)
    return counties
