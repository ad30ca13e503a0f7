"""Ids and years read from a request: the one parser every view uses.

An id is 1–18 ASCII digits (below PostgreSQL's bigint limit), a year four ASCII digits. Anything
else is refused with BadRequest (400, its Chinese message shown on the error page), never passed
on: 「²」 is a digit to str.isdigit() but not to int(), and a 5,000-digit number is no id.
"""

from collections.abc import Mapping

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls.converters import StringConverter

from .models import Period
from .selectors import current_period, periods

MAX_ID_DIGITS = 18


def parse_id(value: str) -> int | None:
    """The id written in value, or None when it is not one."""
    if 1 <= len(value) <= MAX_ID_DIGITS and value.isascii() and value.isdigit():
        return int(value)
    return None


def parse_year(value: str) -> int | None:
    if len(value) == 4 and value.isascii() and value.isdigit():
        return int(value)
    return None


def optional_id(params: Mapping[str, str], name: str, what: str) -> int | None:
    """An optional id parameter: None when absent or empty; 400 when it is not an id."""
    value = params.get(name, "")
    if value == "":
        return None
    parsed = parse_id(value)
    if parsed is None:
        raise BadRequest(f"{what}参数不正确，请从页面上的选项中选择，不要手工修改网址。")
    return parsed


def id_list(values: list[str], what: str) -> list[int]:
    """Several ids (checkboxes): 400 when any is not an id."""
    ids = [parse_id(value) for value in values]
    if any(parsed is None for parsed in ids):
        raise BadRequest(f"{what}参数不正确，请返回页面重新勾选。")
    return [parsed for parsed in ids if parsed is not None]


def optional_year(params: Mapping[str, str]) -> int | None:
    value = params.get("year", "")
    if value == "":
        return None
    parsed = parse_year(value)
    if parsed is None:
        raise BadRequest("年度参数不正确，请从页面上的年度列表中选择。")
    return parsed


PLACE_MAX_CHARS = 50


def place_from_query(params: Mapping[str, str]) -> dict[str, str]:
    """The chooser's province and city names (free text: compared, never parsed), cut short."""
    return {key: params.get(key, "").strip()[:PLACE_MAX_CHARS] for key in ("province", "city")}


def period_from_query(request: HttpRequest) -> Period | None:
    """The period named by ?year=, else the current one; 404 for a year with no period."""
    year = optional_year(request.GET)
    if year is not None:
        # From the request's one read of the periods, which the page's year picker lists too.
        period = next((period for period in periods() if period.year == year), None)
        if period is None:
            raise Http404("没有这个报告年度。")
        return period
    return current_period()


def period_from_post(request: HttpRequest) -> Period:
    year = optional_year(request.POST)
    if year is None:
        raise BadRequest("缺少报告年度，请返回页面重新操作。")
    return get_object_or_404(Period, year=year)


class IdConverter(StringConverter):
    """<id:pk> in URLs: 1–18 digits, so an overlong number is a 404, not a database error."""

    regex = f"[0-9]{{1,{MAX_ID_DIGITS}}}"

    def to_python(self, value: str) -> int:  # type: ignore[override]
        return int(value)

    def to_url(self, value: object) -> str:
        return str(value)


class YearConverter(IdConverter):
    regex = "[0-9]{4}"
