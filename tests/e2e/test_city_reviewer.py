"""The 市级审核员 of 周口市 in a real browser: lands on the dashboard of the city's county, sees its
ranking, and is offered nothing that only the county does (approving, reminding)."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_city_reviewer_follows_the_citys_counties(live_server, page, shot):
    call_command("load_demo", stdout=io.StringIO())
    base = live_server.url
    log_in(page, base, "zhoukou")
    expect(
        page.get_by_role("heading", name=re.compile(r"^周口市 · 沈丘县 · \d{4}年度报送情况$"))
    ).to_be_visible()
    expect(page.get_by_role("button", name="提醒未报送的乡镇")).to_have_count(0)
    expect(page.locator("#main-menu").get_by_role("link", name="待审核")).to_have_count(0)
    shot("88-city-reviewer-dashboard", full_page=False)

    page.locator("#main-menu").get_by_role("link", name="得分排名").click()
    page.get_by_label("报告年度").select_option(label="2023年度")
    expect(
        page.get_by_role("heading", name="沈丘县 · 2023年度法治政府建设得分排名")
    ).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="莲池镇")).to_be_visible()
    # Only the city's counties to choose from: 民权县 (商丘市) and 巫溪县 (重庆市) are not offered.
    options = page.get_by_label("县", exact=True).locator("option").all_inner_texts()
    assert options == ["沈丘县"]
    shot("89-city-reviewer-ranking", full_page=False)
