"""The periods are read once a request: the year picker, the year asked for and the current
period all come from that read."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from org.models import Period
from org.selectors import current_period, periods
from tests.factories import PeriodFactory


def period_reads(captured: CaptureQueriesContext) -> int:
    return sum('FROM "org_period"' in query["sql"] for query in captured)


def test_the_current_period_is_the_newest_open_one_else_the_newest(db):
    PeriodFactory(year=2030)
    years = list(Period.objects.order_by("-year").values_list("year", flat=True))
    assert [period.year for period in periods()] == years
    assert current_period().year == 2030  # type: ignore[union-attr]
    Period.objects.filter(year=2030).update(locked=True)
    Period.objects.filter(year=years[1]).update(locked=False)
    assert current_period().year == years[1]  # type: ignore[union-attr]
    Period.objects.update(locked=True)
    assert current_period().year == 2030  # type: ignore[union-attr]


def test_a_county_page_reads_the_periods_once(client, personas):
    client.force_login(personas.reviewer_shenqiu)
    current = current_period()
    assert current is not None and current.year != 2022
    for query, year in (("", current.year), ("?year=2022", 2022)):
        for name in ("county_home", "ranking", "review_queue"):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(reverse(name) + query)
            assert response.status_code == 200
            assert response.context["period"].year == year
            assert period_reads(captured) == 1, (name, query)


def test_a_clerk_home_reads_the_periods_once(client, personas):
    client.force_login(personas.clerk_lianchi)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("township_home"))
    assert response.status_code == 200
    assert period_reads(captured) == 1


def test_a_year_without_a_period_is_not_found(client, personas):
    client.force_login(personas.reviewer_shenqiu)
    assert client.get(reverse("county_home") + "?year=1999").status_code == 404
