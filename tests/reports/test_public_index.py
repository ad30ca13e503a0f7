"""The public list of published reports: narrowed by province → city → county and year, 50 a
page, its selects one level of the map each, and a fixed number of queries however many reports
and counties there are."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from org.models import County, Period, Township
from reports.models import Report
from reports.views.public import PUBLIC_PAGE_SIZE
from reports.workflow import ReportStatus
from tests.factories import ReportFactory

URL = reverse("public_index")


def publish_many(n: int, province: str = "四川省", city: str = "成都市", prefix: str = "") -> None:
    county = County.objects.create(province=province, city=city, name=f"{prefix}{city}公开县")
    townships = Township.objects.bulk_create(
        Township(county=county, name=f"第{i}镇", kind=Township.Kind.ZHEN, order=i) for i in range(n)
    )
    period = Period.objects.get(year=2023)
    for township in townships:
        ReportFactory(township=township, period=period, status=ReportStatus.PUBLISHED)


def test_published_reports_fifty_a_page(client, personas):
    publish_many(PUBLIC_PAGE_SIZE + 3)
    response = client.get(URL)
    assert response.status_code == 200
    assert len(response.context["reports"]) == PUBLIC_PAGE_SIZE
    text = response.content.decode()
    assert "第 1 页，共 2 页" in text and "page=2" in text
    second = client.get(URL, {"page": "2"})
    assert len(second.context["reports"]) == 3
    for bad in ("x", "0", "9" * 30):
        assert client.get(URL, {"page": bad}).status_code == 200


def test_narrowed_by_province_city_and_county(client, personas):
    publish_many(3)
    publish_many(2, "河南省", "周口市")
    lianchi = ReportFactory(
        township=personas.lianchi, period=personas.period, status=ReportStatus.PUBLISHED
    )
    by_province = client.get(URL, {"province": "河南省"})
    assert len(by_province.context["reports"]) == 3
    assert set(by_province.context["place"].cities) == {"周口市", "商丘市"}
    assert by_province.context["place"].counties == []  # no county list before a city
    by_county = client.get(
        URL, {"province": "河南省", "city": "周口市", "county": lianchi.township.county_id}
    )
    assert list(by_county.context["reports"]) == [lianchi]
    # The province was changed with the old county still in the form: the new province wins.
    moved = client.get(URL, {"province": "四川省", "county": lianchi.township.county_id})
    assert moved.context["place"].county is None and len(moved.context["reports"]) == 3
    nowhere = client.get(URL, {"province": "火星省"})
    assert nowhere.status_code == 200 and "暂无公开的报告" in nowhere.content.decode()


def test_drafts_and_texts_stay_out(client, personas, draft):
    assert draft.pk not in [r.pk for r in client.get(URL).context["reports"]]


def test_post_is_refused(client, personas):
    before = Report.objects.count()
    assert client.post(URL).status_code == 405
    assert Report.objects.count() == before


def count_queries(query: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert Client().get(URL, query).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "query", [{}, {"province": "四川省"}, {"province": "四川省", "city": "成都市"}, {"page": "2"}]
)
def test_the_number_of_queries_does_not_grow(personas, query):
    publish_many(PUBLIC_PAGE_SIZE + 3)
    small = count_queries(query)
    publish_many(150, prefix="大")
    publish_many(40, "云南省", "昆明市")
    assert count_queries(query) == small
