"""The county chooser of the county pages (ranking, 待审核, the city reviewer's 报送情况): an
admin picks province → city → county, each select one level of the map, never every county of
the country; a city reviewer picks among the city's counties."""

import re

import pytest
from django.urls import reverse

from org.models import City, County, Membership
from org.services import membership_assign
from tests.factories import UserFactory


@pytest.fixture
def many_counties(geography):
    County.objects.bulk_create(
        County(province=province, city=f"{province[:2]}第{c}市", name=f"{province[:2]}{c}市{i}县")
        for province in ("四川省", "云南省")
        for c in range(5)
        for i in range(20)
    )


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select id="{name}" name="{name}".*?</select>', html, re.S)
    assert select, name
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(0))


@pytest.mark.parametrize("name", ["ranking", "review_queue"])
def test_an_admin_picks_province_city_county(client, personas, many_counties, name):
    client.force_login(personas.admin)
    html = client.get(reverse(name), {"county": personas.shenqiu.pk}).content.decode()
    assert set(options(html, "province")) == {"云南省", "四川省", "河南省", "重庆市"}
    assert set(options(html, "city")) == {"周口市", "商丘市"}
    assert options(html, "county") == ["沈丘县"]
    assert re.search(r'<option value="河南省" selected>', html)

    # The province changed (the old county still sent): the first county of the new province.
    response = client.get(
        reverse(name), {"province": "四川省", "city": "周口市", "county": personas.shenqiu.pk}
    )
    assert response.context["county"] == County.objects.get(name="四川0市0县")
    html = response.content.decode()
    assert len(options(html, "city")) == 5 and len(options(html, "county")) == 20


@pytest.mark.parametrize("name", ["ranking", "review_queue"])
def test_an_unknown_province_is_a_404(client, personas, name):
    client.force_login(personas.admin)
    response = client.get(reverse(name), {"province": "火星省"})
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["county_home", "ranking"])
def test_a_city_reviewer_picks_among_the_citys_counties(client, personas, many_counties, name):
    County.objects.create(province="河南省", city="周口市", name="项城市")
    zhoukou = City.objects.create(province="河南省", name="周口市")
    user = UserFactory(username="zhoukou")
    membership_assign(user=user, role=Membership.Role.CITY_REVIEWER, city=zhoukou)
    client.force_login(user)
    html = client.get(reverse(name)).content.decode()
    assert 'id="province"' not in html and 'id="city"' not in html
    assert options(html, "county") == ["沈丘县", "项城市"]


def test_a_county_reviewer_has_no_chooser(client, personas, many_counties):
    client.force_login(personas.reviewer_shenqiu)
    for name in ("county_home", "ranking", "review_queue"):
        html = client.get(reverse(name), {"province": "四川省"}).content.decode()
        assert 'id="county"' not in html and 'id="province"' not in html, name
