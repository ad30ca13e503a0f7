"""org.access: the one table of rights, per role and place, and the pages each role may open."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from org.access import (
    Page,
    Right,
    county_in_view,
    landing_page,
    may_export_summary,
    may_read,
    may_remind,
    may_see_job,
    pages,
    report_scope,
    require,
    rights_at,
    viewable_counties,
)
from org.models import City, County, Membership, Township
from org.services import membership_assign
from reports.models import Report
from tests.factories import PeriodFactory, UserFactory

ALL_OF_THEM = {Right.READ, Right.READ_DRAFTS, Right.REVIEW, Right.REOPEN}


def at(user, township):
    return rights_at(user, township_id=township.pk, county_id=township.county_id)


def test_a_clerk_writes_in_its_township_only(personas):
    fengying = Township.objects.get(name="冯营镇")  # same county
    assert at(personas.clerk_lianchi, personas.lianchi) == {
        Right.READ,
        Right.READ_DRAFTS,
        Right.WRITE,
    }
    assert at(personas.clerk_lianchi, fengying) == frozenset()
    assert at(personas.clerk_lianchi, personas.huatai) == frozenset()


def test_a_reviewer_reviews_its_county_and_never_writes(personas):
    fengying = Township.objects.get(name="冯营镇")
    assert at(personas.reviewer_shenqiu, personas.lianchi) == {Right.READ, Right.REVIEW}
    assert at(personas.reviewer_shenqiu, fengying) == {Right.READ, Right.REVIEW}
    assert at(personas.reviewer_shenqiu, personas.huatai) == frozenset()


def test_an_admin_reads_reviews_and_reopens_everywhere_but_writes_nowhere(personas):
    assert at(personas.admin, personas.lianchi) == ALL_OF_THEM
    assert at(personas.admin, personas.huatai) == ALL_OF_THEM


def test_no_role_and_anonymous_have_nothing(personas):
    nobody = UserFactory(username="nobody")
    for user in (nobody, AnonymousUser()):
        assert at(user, personas.lianchi) == frozenset()
        assert report_scope(user) is None
        assert pages(user) == frozenset()
        assert landing_page(user) is None
        with pytest.raises(PermissionDenied):
            require(user, Page.TOWNSHIP)


def test_the_scope_lists_the_places_and_says_whether_drafts_are_in_it(personas):
    reports = {
        name: Report.objects.create(township=Township.objects.get(name=name), period=p)
        for name, p in (("莲池镇", personas.period), ("冯营镇", personas.period))
    }
    reports["花台乡"] = Report.objects.create(township=personas.huatai, period=personas.period)

    def listed(user):
        scope = report_scope(user)
        names = Report.objects.filter(scope.townships).values_list("township__name", flat=True)
        return set(names), scope.drafts

    assert listed(personas.clerk_lianchi) == ({"莲池镇"}, True)
    assert listed(personas.reviewer_shenqiu) == ({"莲池镇", "冯营镇"}, False)
    assert listed(personas.admin) == ({"莲池镇", "冯营镇", "花台乡"}, True)


def test_one_report_is_readable_exactly_when_the_lists_would_show_it(personas):
    """get_report_for_user decides on one report with may_read; the lists filter with
    report_scope. Both must say the same for every role, place and state."""
    zhoukou = City.objects.create(province="河南省", name="周口市")
    city_reviewer = UserFactory(username="zhoukou")
    membership_assign(user=city_reviewer, role=Membership.Role.CITY_REVIEWER, city=zhoukou)
    reports = []
    for township in (
        Township.objects.filter(name__in=["莲池镇", "冯营镇", "花台乡"])
        | Township.objects.filter(county__name="民权县")[:1]
    ):
        for status in ("draft", "submitted"):
            period = (
                personas.period if status == "draft" else PeriodFactory(year=2000 + len(reports))
            )
            reports.append(Report.objects.create(township=township, period=period, status=status))
    users = [
        personas.clerk_lianchi,
        personas.clerk_huatai,
        personas.reviewer_shenqiu,
        personas.admin,
        personas.security,
        personas.auditor,
        city_reviewer,
        UserFactory(username="nobody"),
    ]
    for user in users:
        scope = report_scope(user)
        listed = set()
        if scope is not None:
            visible = Report.objects.filter(scope.townships)
            if not scope.drafts:
                visible = visible.exclude(status="draft")
            listed = set(
                visible.filter(pk__in=[r.pk for r in reports]).values_list("pk", flat=True)
            )
        readable = {
            r.pk for r in reports if may_read(at(user, r.township), draft=r.status == "draft")
        }
        assert readable == listed, user.username
    assert len({r.pk for r in reports if may_read(at(personas.admin, r.township), draft=True)}) == 8


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("clerk_lianchi", {Page.TOWNSHIP}),
        ("reviewer_shenqiu", {Page.COUNTY, Page.REVIEW_QUEUE, Page.RANKING}),
        ("admin", {Page.REVIEW_QUEUE, Page.RANKING, Page.OVERVIEW, Page.ADMIN_SITE}),
        ("security", {Page.PEOPLE}),
        ("auditor", {Page.AUDIT}),
    ],
)
def test_pages_per_role(personas, persona, expected):
    user = getattr(personas, persona)
    assert pages(user) == expected
    for page in Page:
        if page in expected:
            require(user, page)
        else:
            with pytest.raises(PermissionDenied):
                require(user, page)


def test_exports_and_reminders_follow_the_county(personas):
    wuxi = County.objects.get(name="巫溪县")
    assert may_export_summary(personas.reviewer_shenqiu, county=personas.shenqiu)
    assert not may_export_summary(personas.reviewer_shenqiu, county=wuxi)
    assert not may_export_summary(personas.reviewer_shenqiu, county=None)  # several counties
    assert may_export_summary(personas.admin, county=None)
    assert not may_export_summary(personas.clerk_lianchi, county=personas.shenqiu)
    assert may_remind(personas.reviewer_shenqiu, personas.shenqiu)
    assert not may_remind(personas.reviewer_shenqiu, wuxi)
    assert not may_remind(personas.clerk_lianchi, personas.shenqiu)
    assert may_see_job(personas.clerk_lianchi, requested_by_id=personas.clerk_lianchi.pk)
    assert not may_see_job(personas.reviewer_shenqiu, requested_by_id=personas.clerk_lianchi.pk)
    assert may_see_job(personas.admin, requested_by_id=personas.clerk_lianchi.pk)


def test_the_security_and_audit_administrators_read_no_report(personas):
    for persona in (personas.security, personas.auditor):
        assert at(persona, personas.lianchi) == frozenset()
        assert report_scope(persona) is None


def test_a_city_reviewer_reads_and_ranks_the_citys_counties_and_approves_nothing(client, personas):
    zhoukou = City.objects.create(province="河南省", name="周口市")
    user = UserFactory(username="zhoukou")
    membership_assign(user=user, role=Membership.Role.CITY_REVIEWER, city=zhoukou)
    minquan = County.objects.get(name="民权县")  # 商丘市
    assert at(user, personas.lianchi) == frozenset({Right.READ})
    assert at(user, Township.objects.filter(county=minquan).first()) == frozenset()
    assert report_scope(user) is not None and not report_scope(user).drafts
    assert list(viewable_counties(user)) == [personas.shenqiu]
    assert may_export_summary(user, county=personas.shenqiu)
    assert not may_export_summary(user, county=minquan)
    assert not may_export_summary(user, county=None)

    client.force_login(user)
    assert client.get(reverse("county_home")).context["county"] == personas.shenqiu
    assert client.get(reverse("county_home"), {"county": minquan.pk}).status_code == 404
    assert client.get(reverse("ranking"), {"county": minquan.pk}).status_code == 404
    assert client.get(reverse("ranking"), {"county": personas.shenqiu.pk}).status_code == 200
    assert client.get(reverse("review_queue")).status_code == 403
    assert client.post(reverse("county_remind"), {"year": 2023}).status_code == 403


def test_an_admin_narrows_the_county_by_province_then_city(personas):
    minquan, wuxi = County.objects.get(name="民权县"), County.objects.get(name="巫溪县")
    shenqiu = personas.shenqiu

    def shown(requested=None, **place):
        return county_in_view(personas.admin, Page.RANKING, requested, **place)

    assert shown(province="重庆市") == wuxi
    assert shown(shenqiu.pk, province="河南省", city="周口市") == shenqiu
    assert shown(shenqiu.pk) == shenqiu  # a link with the county alone
    # The province or the city was just changed: the county still sent gives way.
    assert shown(shenqiu.pk, province="重庆市", city="周口市") == wuxi
    assert shown(shenqiu.pk, province="河南省", city="商丘市") == minquan
    with pytest.raises(County.DoesNotExist):
        shown(province="火星省")


def test_a_city_reviewer_chooses_among_the_citys_counties_only(personas):
    zhoukou = City.objects.create(province="河南省", name="周口市")
    user = UserFactory(username="zhoukou")
    membership_assign(user=user, role=Membership.Role.CITY_REVIEWER, city=zhoukou)
    assert county_in_view(user, Page.RANKING, None, province="河南省") == personas.shenqiu
    with pytest.raises(County.DoesNotExist):
        county_in_view(user, Page.RANKING, None, province="重庆市")
    # A county reviewer has their county whatever is asked.
    assert (
        county_in_view(personas.reviewer_shenqiu, Page.RANKING, None, province="重庆市")
        == personas.shenqiu
    )
