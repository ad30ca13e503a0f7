"""Who may see and do what: the one place where a user's role and place become rights.

Every "may this user see or do this to that object" question of the portal is answered here,
from the user's Membership, never from the URL. The other apps ask in terms of places:

- ``rights_at(user, township_id=…, county_id=…)``: what the user may do with the reports of one
  township (read, read drafts, write, review, reopen). reports.selectors.get_report_for_user
  combines these rights with the report's state (the workflow table says which right each move
  needs) into the report's capabilities.
- ``report_scope(user)``: which townships' reports a list may show, and whether drafts among them.
- ``Page`` and ``require(user, page)``: which of the portal's pages a role may open at all.
- the few rules about one kind of object: exports, reminders, a township's score history.

A refusal raises PermissionDenied (403) for a page the role may never open; an object the user
may not see is answered with 404 by the caller, so other townships' reports stay unknown.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Q, QuerySet, When

from .models import County, Membership, Township

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser
else:
    AnyUser = Any

Role = Membership.Role

# Counties in the register's order (区划代码: 郑州市's districts before 开封市's), those without
# a code last: the order of the chooser's lists and of the county it shows first.
OFFICIAL_ORDER = (Case(When(code="", then=1), default=0), "code", "name", "pk")


class Right(enum.StrEnum):
    """What a user may do with one township's reports."""

    READ = "read"  # read its reports once sent to the county
    READ_DRAFTS = "read_drafts"  # also read drafts, the township's unfinished work
    WRITE = "write"  # fill in, import, submit, withdraw, answer review comments
    REVIEW = "review"  # comment, return, approve, publish, resolve comments
    REOPEN = "reopen"  # send an approved or published report back to the township


# The one table of rights: role → rights at a place it covers (the place check is _covers).
ROLE_RIGHTS: dict[str, frozenset[Right]] = {
    Role.CLERK: frozenset({Right.READ, Right.READ_DRAFTS, Right.WRITE}),
    Role.REVIEWER: frozenset({Right.READ, Right.REVIEW}),
    # Reads what the city's counties were sent; the county's approval stays the county's.
    Role.CITY_REVIEWER: frozenset({Right.READ}),
    Role.ADMIN: frozenset({Right.READ, Right.READ_DRAFTS, Right.REVIEW, Right.REOPEN}),
    # 三员分立: the security and audit administrators read no report.
    Role.SECURITY: frozenset(),
    Role.AUDITOR: frozenset(),
}


class Page(enum.StrEnum):
    """The portal's pages (and page-like actions) that only some roles may open."""

    TOWNSHIP = "township"  # 本乡镇报告: start a report, see the township's years
    COUNTY = "county"  # 本县报送情况 and its reminders
    REVIEW_QUEUE = "review_queue"  # 待审核 and bulk approval
    RANKING = "ranking"  # 得分排名
    OVERVIEW = "overview"  # 全部报送情况 of every county
    PEOPLE = "people"  # 用户管理: accounts, roles and places, password resets, sessions, lock-outs
    AUDIT = "audit"  # 安全审计日志
    ADMIN_SITE = "admin_site"  # 系统管理 (the Django admin; is_staff follows this)


PAGE_ROLES: dict[Page, frozenset[str]] = {
    Page.TOWNSHIP: frozenset({Role.CLERK}),
    Page.COUNTY: frozenset({Role.REVIEWER, Role.CITY_REVIEWER}),
    Page.REVIEW_QUEUE: frozenset({Role.REVIEWER, Role.ADMIN}),
    Page.RANKING: frozenset({Role.REVIEWER, Role.CITY_REVIEWER, Role.ADMIN}),
    Page.OVERVIEW: frozenset({Role.ADMIN}),
    Page.PEOPLE: frozenset({Role.SECURITY}),
    Page.AUDIT: frozenset({Role.AUDITOR}),
    Page.ADMIN_SITE: frozenset({Role.ADMIN}),
}
# Where each role lands after log-in (a URL name).
LANDING: dict[str, str] = {
    Role.CLERK: "township_home",
    Role.REVIEWER: "county_home",
    Role.CITY_REVIEWER: "county_home",
    Role.ADMIN: "admin_home",
    Role.SECURITY: "people",
    Role.AUDITOR: "audit_log",
}
REFUSED = "您的账号没有访问此页面的权限。"


def membership_of(user: AnyUser) -> Membership | None:
    """The user's role and place, read once per request (the user object keeps it)."""
    if not user.is_authenticated:
        return None
    try:
        membership: Membership = user.membership  # type: ignore[attr-defined]
    except Membership.DoesNotExist:
        return None
    return membership


def _covers(membership: Membership, *, township_id: int, county_id: int) -> bool:
    if membership.role == Role.ADMIN:
        return True
    if membership.role == Role.CLERK:
        return membership.township_id == township_id
    if membership.role == Role.REVIEWER:
        return membership.county_id == county_id
    if membership.role == Role.CITY_REVIEWER:
        return county_id in city_county_ids(membership)
    return False


def city_county_ids(membership: Membership) -> frozenset[int]:
    """The counties of a city reviewer's city, read once per request (kept on the membership)."""
    cached: frozenset[int] | None = getattr(membership, "_city_county_ids", None)
    if cached is None:
        assert membership.city is not None  # the membership constraint guarantees it
        cached = frozenset(membership.city.counties().values_list("pk", flat=True))
        membership._city_county_ids = cached  # type: ignore[attr-defined]
    return cached


def rights_at(user: AnyUser, *, township_id: int, county_id: int) -> frozenset[Right]:
    """What the user may do with the reports of this township (of this county)."""
    membership = membership_of(user)
    if membership is None or not _covers(membership, township_id=township_id, county_id=county_id):
        return frozenset()
    return ROLE_RIGHTS.get(membership.role, frozenset())


def may_read(rights: frozenset[Right], *, draft: bool) -> bool:
    """Whether these rights at a report's township let the user read the report: a draft is
    the township's unfinished work. The same rule as report_scope's, for one report."""
    return Right.READ in rights and (not draft or Right.READ_DRAFTS in rights)


@dataclass(frozen=True)
class Scope:
    """The townships whose reports a user may list: a filter over a path to Township, and
    whether drafts are among what the user may see."""

    townships: Q
    drafts: bool


def report_scope(user: AnyUser, *, township: str = "township") -> Scope | None:
    """Which reports the user may list (``township`` is the lookup path from the listed model to
    Township); None means none at all."""
    membership = membership_of(user)
    if membership is None or Right.READ not in ROLE_RIGHTS.get(membership.role, frozenset()):
        return None
    drafts = Right.READ_DRAFTS in ROLE_RIGHTS[membership.role]
    if membership.role == Role.ADMIN:
        return Scope(Q(), drafts)
    if membership.role == Role.CLERK:
        return Scope(Q(**{f"{township}_id": membership.township_id}), drafts)
    if membership.role == Role.CITY_REVIEWER:
        assert membership.city is not None
        return Scope(
            Q(
                **{
                    f"{township}__county__province": membership.city.province,
                    f"{township}__county__city": membership.city.name,
                }
            ),
            drafts,
        )
    return Scope(Q(**{f"{township}__county_id": membership.county_id}), drafts)


def pages(user: AnyUser) -> frozenset[Page]:
    """The pages the user may open, for the navigation bar."""
    membership = membership_of(user)
    if membership is None:
        return frozenset()
    return frozenset(page for page, roles in PAGE_ROLES.items() if membership.role in roles)


def require(user: AnyUser, page: Page) -> Membership:
    """The user's membership if the role may open the page; PermissionDenied (403) otherwise."""
    membership = membership_of(user)
    if membership is None or membership.role not in PAGE_ROLES[page]:
        raise PermissionDenied(REFUSED)
    return membership


def landing_page(user: AnyUser) -> str | None:
    """The URL name where the user starts; None for an account without a role."""
    membership = membership_of(user)
    return LANDING.get(membership.role) if membership else None


def is_staff_role(role: str) -> bool:
    """Whether the role works in 系统管理 (the Django admin): users' is_staff follows it."""
    return role in PAGE_ROLES[Page.ADMIN_SITE]


def own_township(user: AnyUser) -> Township:
    """The clerk's township (PermissionDenied for anyone else)."""
    membership = require(user, Page.TOWNSHIP)
    assert membership.township is not None  # the membership constraint guarantees it
    return membership.township


def own_county(user: AnyUser) -> County:
    """The county reviewer's county, for what only the county does (reminders, their
    schedule); PermissionDenied for anyone else, city reviewers included."""
    membership = require(user, Page.COUNTY)
    if membership.county is None:
        raise PermissionDenied(REFUSED)
    return membership.county


def manages_county(user: AnyUser) -> bool:
    """Whether the user acts for the county (a county reviewer) rather than follows it."""
    membership = membership_of(user)
    return membership is not None and membership.role == Role.REVIEWER


def chooses_county(user: AnyUser) -> bool:
    """Whether the user picks the county on county pages (admins, city reviewers) rather than
    having one."""
    membership = membership_of(user)
    return membership is not None and membership.role in (Role.ADMIN, Role.CITY_REVIEWER)


def viewable_counties(user: AnyUser) -> QuerySet[County]:
    """The counties a user who chooses may choose from: all for admins, the city's for a city
    reviewer, none for anyone else."""
    membership = membership_of(user)
    # The register's order: the first county shown is the first of the register (东城区 for an
    # admin, the city's first district for a city reviewer), not the first name in code points.
    counties = County.objects.order_by(*OFFICIAL_ORDER)
    if membership is None:
        return counties.none()
    if membership.role == Role.ADMIN:
        return counties
    if membership.role == Role.CITY_REVIEWER:
        return counties.filter(pk__in=city_county_ids(membership))
    return counties.none()


def county_in_view(
    user: AnyUser, page: Page, requested: int | None, *, province: str = "", city: str = ""
) -> County | None:
    """The county a county-level page shows: a reviewer's own county whatever was asked, the
    requested one (or the first) for a role that chooses; PermissionDenied for other roles,
    County.DoesNotExist for a requested county or province that does not exist.

    ``province`` and ``city`` come from the chooser (province → city → county): when the user
    has just changed the province or the city, the county still sent is the old one, so a
    county outside them gives way to the first county of the new city (or province)."""
    membership = require(user, page)
    if not chooses_county(user):
        return membership.county
    choices = viewable_counties(user)
    if province:
        in_province = choices.filter(province=province)
        narrowed = in_province.filter(city=city) if city else in_province
        if requested is not None:
            county = narrowed.filter(pk=requested).first()
            if county is not None:
                return county
        # A city of another province (the province was just changed) is ignored.
        county = narrowed.first() or (in_province.first() if city else None)
        if county is None:
            raise County.DoesNotExist
        return county
    if requested is not None:
        # Another city's county is as unknown as one that does not exist.
        return choices.get(pk=requested)
    return choices.first()


def may_view_township(user: AnyUser, township: Township) -> bool:
    """A township's pages (its score history): its clerk, its county's reviewers, admins."""
    return Right.READ in rights_at(user, township_id=township.pk, county_id=township.county_id)


def sees_drafts_of(user: AnyUser, township: Township) -> bool:
    return Right.READ_DRAFTS in rights_at(
        user, township_id=township.pk, county_id=township.county_id
    )


def may_remind(user: AnyUser, county: County) -> bool:
    """Reminding a county's late townships: its reviewers and admins."""
    membership = membership_of(user)
    return membership is not None and (
        membership.role == Role.ADMIN
        or (membership.role == Role.REVIEWER and membership.county_id == county.pk)
    )


def may_export_summary(user: AnyUser, *, county: County | None) -> bool:
    """A county summary: that county's reviewers and admins; a summary of several counties
    (county None): admins only."""
    membership = membership_of(user)
    if membership is None:
        return False
    if membership.role == Role.ADMIN:
        return True
    if county is not None and membership.role == Role.CITY_REVIEWER:
        return county.pk in city_county_ids(membership)
    return (
        county is not None
        and membership.role == Role.REVIEWER
        and membership.county_id == county.pk
    )


def may_see_job(user: AnyUser, *, requested_by_id: int) -> bool:
    """An export job and its file: the user who asked for it, and admins."""
    membership = membership_of(user)
    return user.pk == requested_by_id or (membership is not None and membership.role == Role.ADMIN)
