"""Reads about places and periods."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Case, F, Min, QuerySet, When

from reportportal.db import FixedQuery
from reportportal.memo import per_request

from .access import OFFICIAL_ORDER, AnyUser, chooses_county, viewable_counties
from .models import County, Membership, Period, Township


def current_period() -> Period | None:
    """The newest period not yet locked, else the newest: what a clerk is most likely working on."""
    listed = periods()
    return next((period for period in listed if not period.locked), listed[0] if listed else None)


def periods() -> list[Period]:
    """Every period, newest first (a handful: one a year), read once per request: the year
    picker and the current period of a page come from the same read."""
    return list(_periods())


@per_request
def _periods() -> tuple[Period, ...]:
    return tuple(_ALL_PERIODS())


_ALL_PERIODS = FixedQuery(lambda: Period.objects.order_by("-year"))
_TOWNSHIP = FixedQuery(lambda pk: Township.objects.filter(pk=pk).select_related("county"))


def township_or_none(pk: int) -> Township | None:
    """The township with its county (compiled once), or None."""
    found = _TOWNSHIP(pk)
    return found[0] if found else None


def counties() -> QuerySet[County]:
    return County.objects.order_by("province", "city", "name")


def provinces() -> list[str]:
    return list(County.objects.order_by("province").values_list("province", flat=True).distinct())


def township_names() -> tuple[str, ...]:
    """Every township's name: reading a document, a known name beats a guessed one."""
    return tuple(Township.objects.values_list("name", flat=True))


def county_reviewers(county_ids: Iterable[int]) -> QuerySet[User]:
    """The active reviewers of these counties (who is told of a submission)."""
    return User.objects.filter(
        is_active=True,
        membership__role=Membership.Role.REVIEWER,
        membership__county_id__in=list(county_ids),
    )


def township_clerks(township_ids: Iterable[int]) -> QuerySet[User]:
    """The active clerks of these townships, with their membership."""
    return User.objects.filter(
        is_active=True,
        membership__role=Membership.Role.CLERK,
        membership__township_id__in=list(township_ids),
    ).select_related("membership")


@dataclass(frozen=True)
class PlaceChoices:
    """What a province → city → county chooser offers, each list bounded by one level of the
    map (34 provinces, a province's cities, a city's counties) however many counties the portal
    holds; empty province or city means 全部 (none chosen)."""

    provinces: list[str]
    cities: list[str]  # of the chosen province
    counties: list[County]  # of the chosen city
    province: str = ""
    city: str = ""
    county: County | None = None

    @property
    def narrows(self) -> bool:
        """Whether there is a province or a city to choose at all (not for a city reviewer)."""
        return len(self.provinces) > 1 or len(self.cities) > 1


def _names_in_order(counties: QuerySet[County], level: str) -> list[str]:
    """The provinces (or cities) of these counties in the register's order: by their first
    code (北京市 11…, 天津市 12…), names without a code last."""
    first_code = Min(Case(When(code="", then=None), default=F("code")))
    return list(
        counties.order_by()
        .values_list(level, flat=True)
        .annotate(first_code=first_code)
        .order_by(F("first_code").asc(nulls_last=True), level)
    )


def place_choices(
    counties: QuerySet[County],
    *,
    province: str = "",
    city: str = "",
    county: County | None = None,
) -> PlaceChoices:
    """The chooser's lists among ``counties`` in at most three queries; a chosen county sets its
    province and city."""
    if county is not None:
        province, city = county.province, county.city
    provinces = _names_in_order(counties, "province")
    cities = _names_in_order(counties.filter(province=province), "city") if province else []
    in_city = (
        list(counties.filter(province=province, city=city).order_by(*OFFICIAL_ORDER))
        if province and city
        else []
    )
    return PlaceChoices(provinces, cities, in_city, province, city, county)


def county_chooser(user: AnyUser, county: County | None) -> PlaceChoices | None:
    """The chooser of a county page for a user who picks the county (admins: any, province →
    city → county; a city reviewer: the city's counties); None for everyone else."""
    if county is None or not chooses_county(user):
        return None
    return place_choices(viewable_counties(user), county=county)


def chosen_place(county_id: int | None, *, province: str = "", city: str = "") -> PlaceChoices:
    """The place chosen with province → city → county selects where 全部 is allowed (the public
    list, the place of a new account): a county (kept while it lies in the province and city
    sent), else a city of a province, else a province, else none. A name that is no place
    narrows to nothing rather than failing."""
    county = County.objects.filter(pk=county_id).first() if county_id is not None else None
    if county is not None and (
        (province and county.province != province) or (city and county.city != city)
    ):
        county = None  # the province or city was just changed
    if not province:
        city = ""
    return place_choices(County.objects.all(), province=province, city=city, county=county)
