"""Issue 3's journey: 莲池镇 is scored in 沈丘县's ranking, an admin changes a target in the admin,
and the ranking follows."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from indicators.models import Indicator
from tests.e2e.helpers import log_in, log_out

pytestmark = pytest.mark.django_db(transaction=True)


def lianchi_row(page):
    return page.get_by_role("row").filter(has_text="莲池镇")


def column_index(page, header_text):
    headers = page.locator("table.ranking thead th")
    for index in range(headers.count()):
        if header_text in headers.nth(index).inner_text():
            return index
    raise AssertionError(header_text)


def test_ranking_scores_lianchi_and_follows_an_admin_target_change(live_server, page, shot):
    call_command("load_demo", stdout=io.StringIO())
    base = live_server.url

    # The clerk sends the 2023 sample as it is.
    log_in(page, base, "lianchi")
    page.get_by_role("row").filter(has_text="2023年度").get_by_role("link", name="继续填写").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="保存并提交").click()
    expect(page.get_by_text("报告已提交至县级审核。")).to_be_visible()
    log_out(page, base)

    log_in(page, base, "shenqiu")
    page.get_by_role("link", name="得分排名").click()
    page.get_by_label("报告年度").select_option("2023")
    expect(
        page.get_by_role("heading", name="沈丘县 · 2023年度法治政府建设得分排名")
    ).to_be_visible()
    row = lianchi_row(page)
    expect(row.get_by_role("link", name="莲池镇")).to_be_visible()
    head_col = column_index(page, "负责人出庭应诉率")
    study_col = column_index(page, "中心组学法")
    expect(row.locator("td").nth(head_col)).to_have_text("不适用")
    expect(row.locator("td").nth(study_col)).to_have_text("10")  # 10 sessions ≥ target 4
    total_before = row.locator("td").nth(2).inner_text()
    shot("10-ranking-before", full_page=False)
    row.get_by_role("link", name="莲池镇").click()
    expect(page.get_by_text("分母为 0，不适用，分值不计入满分")).to_be_visible()
    shot("11-breakdown")
    log_out(page, base)

    # The admin raises the study target from 4 to 20 sessions in the Django admin.
    log_in(page, base, "admin")
    page.goto(base + "/admin/indicators/indicatorset/?period__id__exact=" + str(_period_id(2023)))
    # load_demo also gives each year the county rubric as a second, inactive set.
    page.locator("#result_list tr").filter(has_text="乡镇法治政府建设默认指标体系").get_by_role(
        "link", name="2023年度"
    ).click()
    study = Indicator.objects.get(indicator_set__period__year=2023, code="leadership_study")
    prefix = _inline_prefix(page, "leadership_study")
    page.locator(f"#id_{prefix}-target").fill("20")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_text("该年度全部报告的得分将按新的指标体系重新计算")).to_be_visible()
    study.refresh_from_db()
    assert study.target == 20
    log_out(page, base)

    log_in(page, base, "shenqiu")
    page.goto(base + "/ranking/?year=2023")
    row = lianchi_row(page)
    expect(row.locator("td").nth(study_col)).to_have_text("5")  # 10 of 20 sessions: half the points
    total_after = row.locator("td").nth(2).inner_text()
    assert float(re.sub(r"[^\d.]", "", total_after)) < float(re.sub(r"[^\d.]", "", total_before))
    shot("12-ranking-after", full_page=False)


def _period_id(year):
    from org.models import Period

    return Period.objects.get(year=year).pk


def _inline_prefix(page, code):
    inputs = page.locator("input[name$='-code']")
    expect(inputs.first).to_be_visible()
    for index in range(inputs.count()):
        if inputs.nth(index).input_value() == code:
            return inputs.nth(index).get_attribute("name").removesuffix("-code")
    raise AssertionError(code)
