"""Hot pages and bulk work run a fixed number of queries whatever the number of townships: each is
measured on a county of 1 township and on one of 40, every township with a report (sent in
2023, published in 2022), and the counts must be equal."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exports.documents import county_summary_context
from indicators.models import DataElement
from org.models import City, County, Membership, Period, Township
from org.services import membership_assign
from reports.models import Report, ReportValue, ReviewComment
from reports.services.drafts import report_save_draft
from reports.services.scoring import scores_recompute
from reports.services.transitions import reports_approve_many
from reports.workflow import ReportStatus
from tests.conftest import FULL_PARTS
from tests.factories import PeriodFactory, ReportFactory, UserFactory


@dataclass
class County_:
    county: County
    reviewer: User
    clerk: User
    sent: list[Report]


def build_county(name: str, size: int, period: Period, earlier: Period) -> County_:
    county = County.objects.create(province="测试省", city="测试市", name=name)
    townships = [
        Township.objects.create(county=county, name=f"{name}第{i}镇", kind=Township.Kind.ZHEN)
        for i in range(size)
    ]
    reviewer = UserFactory(username=f"{name}-reviewer")
    membership_assign(user=reviewer, role=Membership.Role.REVIEWER, county=county)
    clerk = UserFactory(username=f"{name}-clerk")
    membership_assign(user=clerk, role=Membership.Role.CLERK, township=townships[0])
    villages = DataElement.objects.get(code="villages_total")
    sent = []
    for index, township in enumerate(townships):
        report = ReportFactory(
            township=township, period=period, status=ReportStatus.SUBMITTED, **FULL_PARTS
        )
        ReportValue.objects.create(report=report, element=villages, value=10 + index)
        ReviewComment.objects.create(
            report=report, target="shortcomings", author=reviewer, body="请补充。", round=1
        )
        sent.append(report)
        ReportFactory(
            township=township, period=earlier, status=ReportStatus.PUBLISHED, **FULL_PARTS
        )
    scores_recompute(period=period)
    return County_(county, reviewer, clerk, sent)


@pytest.fixture
def small_and_large(geography, personas):
    period = Period.objects.get(year=2023)
    earlier = PeriodFactory(year=2022)
    return (
        build_county("一镇县", 1, period, earlier),
        build_county("四十镇县", 40, period, earlier),
    )


def queries(user: User | None, url: str, method: str = "get", data=None) -> int:
    """The queries of one request with the fragment cache empty: the most a page ever runs."""
    cache.clear()
    client = Client()
    if user is not None:
        client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302), (url, response.status_code)
    return len(captured)


REVIEWER_PAGES = [
    "county_home",
    "ranking",
    "review_queue",
]


@pytest.mark.parametrize("name", REVIEWER_PAGES)
def test_reviewer_pages(small_and_large, name):
    small, large = small_and_large
    url = reverse(name) + "?year=2023"
    assert queries(large.reviewer, url) == queries(small.reviewer, url)


@pytest.mark.parametrize("name", ["report_review", "report_detail", "report_score"])
def test_report_pages(small_and_large, name):
    small, large = small_and_large
    assert queries(large.reviewer, reverse(name, args=[large.sent[-1].pk])) == queries(
        small.reviewer, reverse(name, args=[small.sent[-1].pk])
    )


@pytest.mark.parametrize("name", ["township_home", "home"])
def test_clerk_pages(small_and_large, name):
    small, large = small_and_large
    assert queries(large.clerk, reverse(name)) == queries(small.clerk, reverse(name))


def test_admin_pages(small_and_large, personas):
    small, large = small_and_large
    for name in ("admin_home", "ranking", "review_queue"):
        by_county = [
            queries(personas.admin, reverse(name) + f"?year=2023&county={c.county.pk}")
            for c in (small, large)
        ]
        assert by_county[0] == by_county[1], name


def test_admin_county_pages_whatever_the_size_of_the_country(small_and_large, personas):
    """The chooser lists one province's cities and one city's counties: adding counties
    elsewhere in the country changes neither the queries nor the chooser's length."""
    small, _large = small_and_large

    def count(name: str) -> int:
        return queries(personas.admin, reverse(name) + f"?year=2023&county={small.county.pk}")

    pages = ("ranking", "review_queue", "admin_home")
    before = {name: count(name) for name in pages}
    County.objects.bulk_create(
        County(province=f"新增省{p}", city=f"新增市{c}", name=f"新增县{p}-{c}-{i}")
        for p in range(5)
        for c in range(5)
        for i in range(10)
    )
    assert {name: count(name) for name in pages} == before


def test_public_list(small_and_large):
    small, large = small_and_large
    counts = [
        queries(None, reverse("public_index") + f"?county={c.county.pk}") for c in (small, large)
    ]
    assert counts[0] == counts[1]


def test_county_summary_reads_the_reports_once(small_and_large):
    small, large = small_and_large
    period = Period.objects.get(year=2023)
    counts = []
    for each in (small, large):
        with CaptureQueriesContext(connection) as captured:
            context = county_summary_context(each.county, period)
        counts.append(len(captured))
        assert len(context["rows"]) == len(each.sent)
    assert counts[0] == counts[1]
    report_reads = [q["sql"] for q in captured if 'FROM "reports_report"' in q["sql"]]
    assert len(report_reads) == 1, report_reads


def test_bulk_approval(small_and_large):
    small, large = small_and_large
    counts = []
    for each in (small, large):
        ReviewComment.objects.filter(report__in=each.sent).update(resolved_at="2024-01-01T00:00Z")
        with CaptureQueriesContext(connection) as captured:
            approved, refused = reports_approve_many(
                report_ids=[r.pk for r in each.sent], actor=each.reviewer
            )
        assert (len(approved), refused) == (len(each.sent), [])
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert Report.objects.filter(pk__in=[r.pk for r in large.sent]).filter(
        status=ReportStatus.APPROVED
    ).count() == len(large.sent)


def test_county_spreadsheet_reads_in_a_fixed_number_of_queries(small_and_large):
    from exports.spreadsheets import county_workbook

    period = Period.objects.get(year=2023)
    counts = []
    for each in small_and_large:
        with CaptureQueriesContext(connection) as captured:
            county_workbook(each.county, period)
        counts.append(len(captured))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("name", ["county_home", "ranking"])
def test_city_reviewer_pages_whatever_the_size_of_the_county_or_the_city(small_and_large, name):
    small, large = small_and_large
    city = City.objects.create(province="测试省", name="测试市")
    reviewer = UserFactory(username="city-reviewer")
    membership_assign(user=reviewer, role=Membership.Role.CITY_REVIEWER, city=city)

    def count(county: County) -> int:
        return queries(reviewer, reverse(name) + f"?year=2023&county={county.pk}")

    before = count(small.county)
    assert count(large.county) == before
    County.objects.bulk_create(
        County(province="测试省", city="测试市", name=f"新增县{i}") for i in range(60)
    )
    assert count(small.county) == before


def test_a_save_writes_the_figures_in_bulk(draft, personas):
    """Changing one figure or every figure (new rows, then changed rows, then cleared ones) costs
    the same number of queries: the figures go in bulk writes, each with its history rows."""
    codes = list(DataElement.objects.filter(active=True).values_list("code", flat=True))
    assert len(codes) > 10

    def save(figures: dict) -> int:
        draft.refresh_from_db()
        with CaptureQueriesContext(connection) as captured:
            report_save_draft(
                report=draft,
                actor=personas.clerk_lianchi,
                base_version=draft.version,
                parts={},
                figures=figures,
            )
        return len(captured)

    one_new = save({codes[0]: 1})
    all_other_new = save(dict.fromkeys(codes[1:], 2))
    one_changed = save({codes[0]: 5})
    all_changed = save(dict.fromkeys(codes, 3))
    all_cleared = save(dict.fromkeys(codes, None))
    assert ReportValue.objects.filter(report=draft, value__isnull=False).count() == 0
    assert all_other_new == one_new
    assert all_changed == one_changed == all_cleared
    assert one_new <= 20
