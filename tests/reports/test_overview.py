"""The admin's overview (全部报送情况): the country by province, a province by city, a page of
counties; counts summed in the database, a fixed number of queries whatever the size of the
country, and no error page for a bad place or page number."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from org.models import County, Township
from reports.models import Report
from reports.selectors.overview import COUNTY_PAGE_SIZE
from reports.workflow import ReportStatus
from tests.factories import ReportFactory

URL = reverse("admin_home")


def add_counties(province: str, city: str, n: int, townships: int = 2, prefix: str = "新") -> None:
    counties = County.objects.bulk_create(
        County(province=province, city=city, name=f"{prefix}{city}{i}县") for i in range(n)
    )
    Township.objects.bulk_create(
        Township(county=county, name=f"{county.name}{j}镇", kind=Township.Kind.ZHEN)
        for county in counties
        for j in range(townships)
    )


def get(client, user, query: str = ""):
    client.force_login(user)
    return client.get(URL + "?year=2023" + query)


def tally(response, name):
    return next(row for row in response.context["tallies"] if row.name == name)


def test_the_country_by_province_with_counts_summed_in_the_database(client, personas, draft):
    ReportFactory(township=personas.huatai, period=personas.period, status=ReportStatus.SUBMITTED)
    response = get(client, personas.admin)
    assert response.status_code == 200
    henan, chongqing = tally(response, "河南省"), tally(response, "重庆市")
    henan_townships = Township.objects.filter(county__province="河南省").count()
    assert (henan.counties, henan.townships) == (2, henan_townships)
    assert (henan.draft, henan.submitted, henan.not_started) == (1, 0, henan_townships - 1)
    assert (chongqing.submitted, chongqing.sent) == (1, 1)
    assert response.context["total"].townships == Township.objects.count()
    text = response.content.decode()
    assert (
        "全国各省报送情况" in text and "?year=2023&amp;province=%E6%B2%B3%E5%8D%97%E7%9C%81" in text
    )
    # Per-province exports stay on the national table; no county is listed until one is looked for.
    assert 'name="province" value="河南省"' in text and 'value="province_xlsx"' in text
    assert response.context["page"] is None and "沈丘县" not in text


def test_a_province_by_city_and_its_counties_one_page_at_a_time(client, personas, draft):
    add_counties("河南省", "周口市", COUNTY_PAGE_SIZE + 5)
    response = get(client, personas.admin, "&province=河南省")
    zhoukou = tally(response, "周口市")
    assert zhoukou.counties == COUNTY_PAGE_SIZE + 6 and zhoukou.draft == 1
    assert {row.name for row in response.context["tallies"]} == {"周口市", "商丘市"}
    page = response.context["page"]
    assert page.paginator.count == COUNTY_PAGE_SIZE + 7 and len(response.context["rows"]) == 50
    text = response.content.decode()
    assert "第 1 页，共 2 页" in text and "下一页" in text and "page=2" in text
    assert "河南省各县汇总 PDF" in text
    second = get(client, personas.admin, "&province=河南省&page=2")
    assert len(second.context["rows"]) == 7 and "上一页" in second.content.decode()


def test_a_city_lists_its_counties_with_their_actions(client, personas, draft):
    response = get(client, personas.admin, "&province=河南省&city=周口市")
    assert response.context["tallies"] is None
    (row,) = response.context["rows"]
    assert row.county == personas.shenqiu
    assert row.tally.draft == 1 and row.tally.not_started == row.tally.townships - 1
    text = response.content.decode()
    assert f"?county={personas.shenqiu.pk}&amp;year=2023" in text  # 待审核, 排名
    assert 'name="kind" value="county"' in text and 'value="county_xlsx"' in text
    assert "民权县" not in text


def test_a_search_finds_counties_across_the_country(client, personas):
    response = get(client, personas.admin, "&q=巫溪")
    assert [row.county.name for row in response.context["rows"]] == ["巫溪县"]
    response = get(client, personas.admin, "&q=没有这个县")
    assert (
        response.context["rows"] == [] and "没有名称含「没有这个县」" in response.content.decode()
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("&province=火星省", "没有找到「火星省」"),
        ("&province=河南省&city=火星市", "河南省没有「火星市」"),
        ("&city=周口市", "请先选择省"),
        ("&province=" + "河" * 5000, "没有找到"),
    ],
)
def test_an_unknown_place_shows_the_level_above_with_a_message(client, personas, query, message):
    response = get(client, personas.admin, query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["tallies"] is not None


@pytest.mark.parametrize("number", ["abc", "0", "-1", "1.5", "9" * 30, ""])
def test_a_bad_page_number_gives_the_nearest_page(client, personas, number):
    add_counties("河南省", "周口市", COUNTY_PAGE_SIZE + 5)
    response = get(client, personas.admin, f"&province=河南省&page={number}")
    assert response.status_code == 200
    assert response.context["page"].number in (1, 2)


def test_post_is_refused(client, personas):
    client.force_login(personas.admin)
    assert client.post(URL + "?year=2023").status_code == 405


@pytest.mark.parametrize("who", ["reviewer_shenqiu", "clerk_lianchi", "security", "auditor"])
def test_other_roles_are_refused_and_nothing_changes(client, personas, draft, who):
    before = list(Report.objects.values_list("pk", "status", "version"))
    assert get(client, getattr(personas, who), "&province=河南省").status_code == 403
    assert list(Report.objects.values_list("pk", "status", "version")) == before


def queries(client, user, query: str) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL + "?year=2023" + query)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "query",
    ["", "&province=河南省", "&province=河南省&city=周口市", "&q=县", "&province=河南省&page=2"],
)
def test_the_number_of_queries_does_not_grow_with_the_country(client, personas, draft, query):
    add_counties("河南省", "周口市", COUNTY_PAGE_SIZE + 5, prefix="甲")
    small = queries(client, personas.admin, query)
    add_counties("河南省", "周口市", 200, townships=10, prefix="乙")
    for province in ("四川省", "云南省", "甘肃省"):
        add_counties(province, f"{province[:2]}市", 60, townships=5)
    for township in Township.objects.filter(county__name__startswith="乙")[:300]:
        ReportFactory(township=township, period=personas.period, status=ReportStatus.SUBMITTED)
    assert queries(client, personas.admin, query) == small
