"""Reads about places and periods."""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db.models import QuerySet

from .models import County, Membership, Period, Township


def current_period() -> Period | None:
    """The newest period not yet locked, else the newest: what a clerk is most likely working on."""
    return Period.objects.filter(locked=False).order_by("-year").first() or (
        Period.objects.order_by("-year").first()
    )


def periods() -> QuerySet[Period]:
    return Period.objects.order_by("-year")


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
