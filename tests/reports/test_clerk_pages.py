"""The clerk's pages say where the report stands and what to do next: the deadline, why it came
back and which comments wait, each part's state, figures that break a rule while still a draft."""

import datetime

from django.urls import reverse
from django.utils import timezone

from reports.services.comments import comment_add, comment_answer
from reports.services.drafts import report_save_draft
from reports.services.transitions import report_return
from tests.helpers import submit_report


def edit_page(client, report):
    return client.get(reverse("report_edit", args=[report.pk])).content.decode()


def test_the_deadline_is_counted_in_days(client, personas, draft):
    period = personas.period
    client.force_login(personas.clerk_lianchi)
    period.deadline = timezone.localdate() + datetime.timedelta(days=5)
    period.save()
    assert "距截止还有 5 天" in edit_page(client, draft)
    assert "距截止还有 5 天" in client.get(reverse("township_home")).content.decode()
    period.deadline = timezone.localdate() - datetime.timedelta(days=3)
    period.save()
    assert "已逾期 3 天" in edit_page(client, draft)
    home = client.get(reverse("township_home")).content.decode()
    assert "已逾期 3 天" in home and "保存并提交" in home  # the next step in one sentence


def test_a_returned_report_shows_the_reason_and_the_open_comments_first(
    client, personas, full_parts
):
    report = submit_report(
        township=personas.lianchi,
        period=personas.period,
        clerk=personas.clerk_lianchi,
        parts=full_parts,
        figures={"disputes_mediated": 10, "disputes_resolved": 9},
    )
    reviewer = personas.reviewer_shenqiu
    on_part = comment_add(report=report, actor=reviewer, target="shortcomings", body="请写原因。")
    comment_add(report=report, actor=reviewer, target="fig:disputes_resolved", body="请核实件数。")
    report_return(report=report, actor=reviewer, reason="请补充不足的原因。")
    client.force_login(personas.clerk_lianchi)
    page = edit_page(client, report)
    assert "请补充不足的原因。" in page.split('id="return-reason"')[1].split("</div>")[1]
    assert 'href="#thread-shortcomings"' in page
    assert 'href="#thread-fig-disputes_resolved"' in page and "数据：调解成功件数" in page
    assert "还有 2 条审核意见没有答复" in page  # asked before resubmitting
    assert "保存并重新报送" in page
    comment_answer(comment=on_part, actor=personas.clerk_lianchi, body="已补充。")
    assert "还有 1 条审核意见没有答复" in edit_page(client, report)


def test_a_figure_that_breaks_a_rule_is_a_warning_on_a_draft_and_refused_at_submission(
    client, personas, draft, full_parts
):
    client.force_login(personas.clerk_lianchi)
    url = reverse("report_edit", args=[draft.pk])
    data = {"version": draft.version, **full_parts, "fig_disputes_mediated": "10"}
    data["fig_disputes_resolved"] = "12"
    saved = client.post(url, data)
    assert saved.status_code == 302  # the draft is saved
    page = client.get(url).content.decode()
    assert page.count("⚠ 请核实") == 2  # beside both figures of the rule
    assert "2 项请核实" in page
    draft.refresh_from_db()
    data["version"] = draft.version
    refused = client.post(url, {**data, "submit": "1"})
    assert refused.status_code == 200
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_part_menu_tells_each_parts_state(client, personas, draft):
    report_save_draft(
        report=draft,
        actor=personas.clerk_lianchi,
        base_version=draft.version,
        parts={"measures_and_results": "全年开展普法活动。", "shortcomings": "无"},
        figures={},
    )
    client.force_login(personas.clerk_lianchi)
    menu = edit_page(client, draft).split('aria-label="报告各部分"')[1].split("</nav>")[0]
    states = [
        piece.split("</span>")[0].rsplit(">", 1)[1] for piece in menu.split('class="badge')[1:6]
    ]
    assert states == ["已填", "未填", "未填", "未填", "未填"]  # 「无」 is not a part
