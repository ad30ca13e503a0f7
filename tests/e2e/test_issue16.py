"""Issue 16 in Chromium: a figure ten times last year's is marked 「请核实」 and the reviewer marks it
checked; the county's figures download as .xlsx with the right values; a reviewer deducts 0.5 on
a reviewer-scored item with a note and the ranking and the breakdown show it."""

from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from indicators.models import IndicatorSet
from indicators.services import indicator_set_create_rubric
from org.models import Period
from reports.models import FigureCheck, ReportScore, ReviewerDeduction
from tests.e2e.helpers import log_in
from tests.helpers import submit_report

pytestmark = pytest.mark.django_db(transaction=True)


def submitted(personas, full_parts, year, figures):
    return submit_report(
        township=personas.lianchi,
        period=Period.objects.get(year=year),
        clerk=personas.clerk_lianchi,
        parts=full_parts,
        figures=figures,
    )


def test_ten_times_last_year_is_checked_by_the_reviewer(
    live_server, page, shot, personas, full_parts
):
    submitted(personas, full_parts, 2022, {"villages_total": 26, "publicity_events": 10})
    report = submitted(personas, full_parts, 2023, {"villages_total": 26, "publicity_events": 100})
    log_in(page, live_server.url, "shenqiu")
    page.goto(f"{live_server.url}/reports/{report.pk}/review/")
    row = page.locator("#figure-publicity_events")
    expect(row).to_contain_text("上年：10 场，变化 +90")
    expect(row).to_contain_text("⚠ 请核实：是上年（10）的 10 倍")
    row.scroll_into_view_if_needed()
    shot("16-01-figure-to-check", full_page=False)
    row.get_by_label("普法宣传活动场次的核实说明").fill(
        "已与乡普法台账核对，今年开展普法集市，数据无误。"
    )
    row.get_by_role("button", name="标记已核实").click()
    expect(page.get_by_text("已标记为已核实。")).to_be_visible()
    row = page.locator("#figure-publicity_events")
    expect(row).to_contain_text("✓ 已核实（shenqiu")
    expect(row).not_to_contain_text("⚠ 请核实")
    row.scroll_into_view_if_needed()
    shot("16-02-figure-checked", full_page=False)
    check = FigureCheck.objects.get()
    assert (check.value, check.previous, check.checked_by) == (100, 10, personas.reviewer_shenqiu)


def test_the_clerk_sees_it_on_the_form_and_marks_it_checked(
    live_server, page, shot, personas, full_parts
):
    from reports.services.drafts import report_save_draft, report_start

    submitted(personas, full_parts, 2022, {"villages_total": 26, "publicity_events": 10})
    draft = report_start(
        township=personas.lianchi, period=personas.period, actor=personas.clerk_lianchi
    )
    report_save_draft(
        report=draft,
        actor=personas.clerk_lianchi,
        base_version=draft.version,
        parts=full_parts,
        figures={"villages_total": 26, "publicity_events": 100},
    )
    log_in(page, live_server.url, "lianchi")
    page.goto(f"{live_server.url}/reports/{draft.pk}/edit/")
    figure = page.locator("#figure-publicity_events")
    expect(figure).to_contain_text("⚠ 请核实：是上年（10）的 10 倍")
    figure.scroll_into_view_if_needed()
    shot("16-00-form-figure-to-check", full_page=False)
    figure.get_by_label("普法宣传活动场次的核实说明").fill("今年新增普法集市 90 场，已附活动台账。")
    figure.get_by_role("button", name="标记已核实").click()
    expect(page.get_by_role("alert").filter(has_text="已标记为已核实。")).to_be_visible()
    expect(page.locator("#figure-publicity_events")).to_contain_text("✓ 已核实（lianchi")
    page.locator("#figure-publicity_events").scroll_into_view_if_needed()
    shot("16-00b-form-figure-checked", full_page=False)
    assert FigureCheck.objects.get().checked_by == personas.clerk_lianchi


def test_the_county_figures_download_as_xlsx(
    live_server, page, shot, personas, full_parts, tmp_path
):
    report = submitted(
        personas,
        full_parts,
        2023,
        {"villages_total": 26, "villages_with_legal_advisor": 13, "disputes_mediated": 286},
    )
    log_in(page, live_server.url, "shenqiu")
    page.goto(f"{live_server.url}/county/?year=2023")
    page.get_by_role("button", name="导出本县数据表（Excel）").click()
    expect(
        page.get_by_role("heading", name="沈丘县2023年度法治政府建设情况数据表（Excel 表格）")
    ).to_be_visible()
    link = page.get_by_role("link", name="下载 Excel 表格")
    expect(link).to_be_visible(timeout=20000)
    shot("16-03-xlsx-job", full_page=False)
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "沈丘县2023年度法治政府建设情况数据表.xlsx"
    path = tmp_path / "county.xlsx"
    download.save_as(path)
    sheet = load_workbook(path)["乡镇数据"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[1]
    by_name = {r[header.index("乡镇（街道）")]: dict(zip(header, r, strict=True)) for r in rows[2:]}
    assert len(by_name) == personas.shenqiu.townships.count()
    lianchi = by_name["莲池镇"]
    assert lianchi["状态"] == "已报送" and lianchi["行政村（社区）总数（个）"] == 26
    assert lianchi["排查调处矛盾纠纷件数（件）"] == 286
    assert lianchi["调解成功件数（件）"] is None
    assert Decimal(str(lianchi["总分"])) == ReportScore.objects.get(report=report).total
    assert lianchi["县内排名"] == 1


def test_reviewer_deducts_half_a_point_and_ranking_and_breakdown_show_it(
    live_server, page, shot, personas, full_parts
):
    IndicatorSet.objects.filter(period=personas.period).update(active=False)
    rubric = indicator_set_create_rubric(period=personas.period)
    rubric.active = True
    rubric.save()
    report = submitted(
        personas,
        full_parts,
        2023,
        {"leadership_study_sessions": 3, "rule_of_law_meetings": 2, "gov_legal_advisors": 1},
    )
    before = ReportScore.objects.get(report=report)
    log_in(page, live_server.url, "shenqiu")
    page.goto(f"{live_server.url}/reports/{report.pk}/review/")
    card = page.locator("#reviewer-scoring")
    item = card.locator("[id^=deduction-]").filter(has_text="未明确分管领导")
    item.get_by_label("未明确分管领导的扣分说明").fill(
        "见佐证材料：2023 年镇党委会议纪要（第 2 页）。"
    )
    item.get_by_role("button", name="扣分", exact=True).click()
    expect(page.get_by_text("已扣分，得分已重新计算。")).to_be_visible()
    item = page.locator("#reviewer-scoring [id^=deduction-]").filter(has_text="未明确分管领导")
    expect(item).to_contain_text("已扣 0.5 分")
    expect(item).to_contain_text("扣分说明：见佐证材料：2023 年镇党委会议纪要（第 2 页）。")
    item.scroll_into_view_if_needed()
    shot("16-04-reviewer-deduction", full_page=False)
    after = ReportScore.objects.get(report=report)
    assert after.earned == before.earned - Decimal("0.5")
    assert ReviewerDeduction.objects.get().created_by == personas.reviewer_shenqiu

    page.goto(f"{live_server.url}/ranking/?year=2023")
    row = page.get_by_role("row").filter(has_text="莲池镇")
    expect(row.locator("td").nth(2)).to_contain_text(f"{after.total.normalize():f}")
    headers = page.locator("table.ranking thead th")
    column = next(
        i
        for i in range(headers.count())
        if "成立法治政府建设领导小组" in headers.nth(i).inner_text()
    )
    expect(row.locator("td").nth(column)).to_have_text("0.5")
    shot("16-05-ranking", full_page=False)
    row.get_by_role("link", name="莲池镇").click()
    expect(
        page.get_by_text(
            "−0.5 分：未明确分管领导（见佐证材料：2023 年镇党委会议纪要（第 2 页）。）"
        )
    ).to_be_visible()
    expect(page.get_by_text("−0.9 分：比目标 6 少 3，每少 1 扣 0.3 分")).to_be_visible()
    shot("16-06-breakdown")
