"""Ids and years read from a request's parameters."""

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from .models import Period
from .selectors import current_period


def int_or_none(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def period_from_query(request: HttpRequest) -> Period | None:
    """The period named by ?year=, else the current one."""
    year = int_or_none(request.GET.get("year", ""))
    if year is not None:
        return get_object_or_404(Period, year=year)
    return current_period()


def period_from_post(request: HttpRequest) -> Period:
    year = int_or_none(request.POST.get("year", ""))
    if year is None:
        raise Http404
    return get_object_or_404(Period, year=year)
