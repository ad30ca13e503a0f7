"""Last year's plan beside this year's measures on the review page: 「未见落实情况」 for an item
nothing reports on."""

from django.urls import reverse

from org.models import Period
from reading.followup import follow_up, plan_items
from tests.helpers import submit_report

PLAN = (
    "下一步，我镇将继续深入推进法治政府建设，重点做好以下工作：\n"
    "一是加强普法宣传教育。深入开展“八五”普法，推进法律进农村、进学校。\n"
    "二是规范行政执法行为。加强执法人员培训，落实行政执法公示制度。\n"
    "三是建设智慧调解平台。建成覆盖全镇的线上调解系统，实现矛盾纠纷网上受理。"
)
MEASURES = (
    "（一）普法宣传教育扎实开展。全年开展法律进农村、进学校活动12场，发放资料3000份。\n"
    "（二）行政执法更加规范。组织执法人员培训3次，全面落实行政执法公示制度，执法行为更加规范。\n"
    "（三）依法决策水平提升。重大事项全部经过合法性审查。"
)


def test_plan_items_are_the_numbered_points_without_the_introduction():
    items = plan_items(PLAN)
    assert [item[:4] for item in items] == ["一是加强", "二是规范", "三是建设"]


def test_each_item_is_matched_to_the_sentences_reporting_on_it():
    rows = follow_up(PLAN, MEASURES)
    assert [row.done for row in rows] == [True, True, False]
    assert any("法律进农村" in sentence for sentence in rows[0].matches)
    assert any("执法人员培训" in sentence for sentence in rows[1].matches)


def test_the_review_page_shows_last_years_plan_beside_this_years_measures(
    client, personas, full_parts
):
    previous = Period.objects.get(year=personas.period.year - 1)
    submit_report(
        township=personas.lianchi,
        period=previous,
        clerk=personas.clerk_lianchi,
        parts={**full_parts, "next_year_plan": PLAN},
    )
    report = submit_report(
        township=personas.lianchi,
        period=personas.period,
        clerk=personas.clerk_lianchi,
        parts={**full_parts, "measures_and_results": MEASURES},
    )
    client.force_login(personas.reviewer_shenqiu)
    page = client.get(reverse("report_review", args=[report.pk])).content.decode()
    card = page[page.index('id="plan-follow-up"') :]
    assert "上年度安排落实情况" in card
    assert "1 项未见落实情况" in card
    rows = card.split('class="follow-up-item')[1:]
    assert "未见落实情况" in rows[2] and "建设智慧调解平台" in rows[2]
    assert "未见落实情况" not in rows[0] and "法律进农村、进学校活动12场" in rows[0]


def test_no_follow_up_without_last_years_report(client, personas, full_parts):
    report = submit_report(
        township=personas.lianchi,
        period=personas.period,
        clerk=personas.clerk_lianchi,
        parts=full_parts,
    )
    client.force_login(personas.reviewer_shenqiu)
    page = client.get(reverse("report_review", args=[report.pk])).content.decode()
    assert 'id="plan-follow-up"' not in page
