"""The 系统管理员's overview in a real browser, with two provinces' maps loaded: the country by
province, a click to the province's cities and its first page of counties, a click to a city;
then the ranking's chooser, province → city → county."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from org.divisions import divisions_load
from tests.e2e.helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_admin_drills_down_from_the_country_to_a_city(live_server, page, shot):
    call_command("load_demo", stdout=io.StringIO())
    for province in ("河南省", "四川省"):
        divisions_load(province=province)
    base = live_server.url
    log_in(page, base, "admin")
    page.locator("#main-menu").get_by_role("link", name="全部报送情况").click()
    page.get_by_label("报告年度").select_option(label="2023年度")
    expect(page.get_by_role("heading", name="2023年度 · 全国各省报送情况")).to_be_visible()
    rows = page.locator("#tallies tbody tr")
    expect(rows).to_have_count(3)  # 河南省, 四川省, 重庆市 in the register's order
    expect(rows.first).to_contain_text("河南省")
    expect(page.locator("#counties")).to_have_count(0)  # no county listed at the national level
    shot("95-overview-national", full_page=False)

    page.locator("#tallies").get_by_role("link", name="河南省").click()
    expect(page.get_by_role("heading", name="2023年度 · 河南省各市县报送情况")).to_be_visible()
    expect(page.locator("#tallies tbody tr").first).to_contain_text("郑州市")
    expect(page.locator("#counties tbody tr")).to_have_count(50)
    expect(page.get_by_text(re.compile(r"第 1 页，共 4 页"))).to_be_visible()
    shot("96-overview-province", full_page=False)
    page.get_by_role("link", name="下一页").click()
    expect(page.get_by_text(re.compile(r"第 2 页，共 4 页"))).to_be_visible()

    page.locator("#tallies").get_by_role("link", name="周口市").click()
    expect(page.get_by_role("heading", name="2023年度 · 周口市各县报送情况")).to_be_visible()
    shenqiu = page.locator("#counties tbody tr").filter(has_text="沈丘县")
    expect(shenqiu.get_by_role("button", name="汇总 PDF")).to_be_visible()
    shenqiu.get_by_role("link", name="排名").click()
    expect(page.get_by_role("heading", name=re.compile(r"^沈丘县 · 2023年度"))).to_be_visible()

    # The ranking's chooser: one province's cities, one city's counties.
    page.get_by_label("省", exact=True).select_option(label="四川省")
    expect(page.get_by_label("市", exact=True)).to_have_value("成都市")
    counties = page.get_by_label("县", exact=True).locator("option").all_inner_texts()
    assert counties[0] == "锦江区" and "沈丘县" not in counties and len(counties) < 30
    shot("97-ranking-chooser", full_page=False)
