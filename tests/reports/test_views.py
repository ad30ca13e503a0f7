import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from org.models import County, Membership, Township
from org.services import membership_assign
from reports.models import Report
from reports.selectors.reports import report_figures
from reports.services.drafts import report_save_draft, report_start
from reports.workflow import ReportStatus
from tests.factories import TownshipFactory, UserFactory


def form_data(report, **overrides):
    data = {
        "version": report.version,
        "measures_and_results": report.measures_and_results,
        "shortcomings": report.shortcomings,
        "leadership_duty": report.leadership_duty,
        "next_year_plan": report.next_year_plan,
        "other": report.other,
    }
    data.update(
        {f"fig_{code}": "" if v is None else v for code, v in report_figures(report).items()}
    )
    data.update(overrides)
    return data


def snapshot(report):
    report.refresh_from_db()
    return (report.version, report.status, report.shortcomings, report_figures(report))


# --- log-in and home pages ---------------------------------------------------------------


def test_login_page_is_chinese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "用户登录" in text and "用户名" in text and "密码" in text


def test_wrong_password_says_so_in_chinese(client, personas):
    response = client.post(reverse("login"), {"username": "lianchi", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("township_home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("persona", "target"),
    [
        ("clerk_lianchi", "township_home"),
        ("reviewer_shenqiu", "county_home"),
        ("admin", "admin_home"),
    ],
)
def test_home_page_per_role(client, personas, persona, target):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse(target)
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize(
    ("page", "allowed"),
    [
        ("township_home", "clerk_lianchi"),
        ("county_home", "reviewer_shenqiu"),
        ("admin_home", "admin"),
    ],
)
def test_role_pages_refuse_other_roles(client, personas, page, allowed):
    for persona in ("clerk_lianchi", "reviewer_shenqiu", "admin"):
        client.force_login(getattr(personas, persona))
        expected = 200 if persona == allowed else 403
        assert client.get(reverse(page)).status_code == expected, persona


def test_township_home_lists_own_reports_only(client, personas, draft):
    other = report_start(
        township=personas.huatai, period=personas.period, actor=personas.clerk_huatai
    )
    client.force_login(personas.clerk_lianchi)
    response = client.get(reverse("township_home"))
    text = response.content.decode()
    assert "莲池镇" in text
    assert reverse("report_edit", args=[draft.pk]) in text
    assert reverse("report_edit", args=[other.pk]) not in text


# --- starting a report -------------------------------------------------------------------


def test_start_report_happy_path(client, personas):
    client.force_login(personas.clerk_lianchi)
    response = client.post(reverse("report_start", args=[2023]))
    report = Report.objects.get(township=personas.lianchi, period__year=2023)
    assert response.url == reverse("report_edit", args=[report.pk])


def test_start_report_wrong_method_and_wrong_role(client, personas):
    client.force_login(personas.clerk_lianchi)
    assert client.get(reverse("report_start", args=[2023])).status_code == 405
    client.force_login(personas.reviewer_shenqiu)
    assert client.post(reverse("report_start", args=[2023])).status_code == 403
    assert not Report.objects.exists()


# --- the edit page -----------------------------------------------------------------------


def test_edit_page_shows_parts_with_headings_hints_and_figures_by_area(client, personas, draft):
    client.force_login(personas.clerk_lianchi)
    text = client.get(reverse("report_edit", args=[draft.pk])).content.decode()
    for heading in (
        "一、上一年度推进法治政府建设的主要举措和成效",
        "二、存在的不足和原因",
        "三、党政主要负责人履行推进法治建设第一责任人职责情况",
        "四、下一年度推进法治政府建设的主要安排",
        "五、其他需要报告的情况",
    ):
        assert heading in text
    assert "如实写明工作中存在的问题" in text
    assert "矛盾纠纷化解" in text and "调解成功件数（件）" in text


def test_save_draft_then_reload_shows_it(client, personas, draft):
    client.force_login(personas.clerk_lianchi)
    url = reverse("report_edit", args=[draft.pk])
    response = client.post(
        url, form_data(draft, shortcomings="宣传方式传统。", fig_disputes_mediated="400", save="")
    )
    assert response.status_code == 302 and response.url == url
    text = client.get(url).content.decode()
    assert "宣传方式传统。" in text and 'value="400"' in text and "草稿已保存" in text
    assert "data-unsaved" not in text
    assert snapshot(draft)[0] == 2


def test_bad_figures_are_refused_at_the_field_and_text_kept(client, personas, draft):
    client.force_login(personas.clerk_lianchi)
    before = snapshot(draft)
    response = client.post(
        reverse("report_edit", args=[draft.pk]),
        form_data(
            draft,
            shortcomings="刚刚写下的文字",
            fig_disputes_mediated="-3",
            fig_villages_total="二十",
            fig_emergency_drills="2.5",
            save="",
        ),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["fig_disputes_mediated"] == ["不能为负数。"]
    assert "请填写整数" in form.errors["fig_villages_total"][0]
    assert "请填写整数" in form.errors["fig_emergency_drills"][0]
    assert "刚刚写下的文字" in response.content.decode()
    assert snapshot(draft) == before
    # Nothing was saved: the page tells the browser to keep the text as unsaved work.
    assert response.context["unsaved"] is True
    assert b"data-unsaved" in response.content


def test_full_width_digits_are_accepted(client, personas, draft):
    client.force_login(personas.clerk_lianchi)
    client.post(
        reverse("report_edit", args=[draft.pk]),
        form_data(draft, fig_publicity_materials="１，０００", save=""),
    )
    assert report_figures(draft)["publicity_materials"] == 1000


def test_submit_with_broken_rule_shows_message_at_field(client, personas, draft, full_parts):
    client.force_login(personas.clerk_lianchi)
    response = client.post(
        reverse("report_edit", args=[draft.pk]),
        form_data(
            draft, **full_parts, fig_disputes_mediated="90", fig_disputes_resolved="120", submit=""
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert (
        "调解成功件数（120）不能多于排查调处矛盾纠纷件数（90）"
        in errors["fig_disputes_resolved"][0]
    )
    assert "草稿已保存" in response.content.decode()
    # Saved as a draft, so the text on the page is not unsaved work.
    assert b"data-unsaved" not in response.content
    draft.refresh_from_db()
    assert draft.status == ReportStatus.DRAFT
    # The typed text was kept (saved as draft), the figures too, for the clerk to fix.
    assert draft.shortcomings == full_parts["shortcomings"]


def test_submit_with_missing_parts_marks_each_part(client, personas, draft):
    client.force_login(personas.clerk_lianchi)
    response = client.post(
        reverse("report_edit", args=[draft.pk]),
        form_data(draft, measures_and_results="只写了这一部分", submit=""),
    )
    errors = response.context["form"].errors
    assert set(errors) == {"shortcomings", "leadership_duty", "next_year_plan"}
    assert snapshot(draft)[1] == ReportStatus.DRAFT


def test_submit_happy_path_then_read_only(client, personas, draft, full_parts):
    client.force_login(personas.clerk_lianchi)
    url = reverse("report_edit", args=[draft.pk])
    response = client.post(
        url,
        form_data(
            draft, **full_parts, fig_disputes_mediated="90", fig_disputes_resolved="88", submit=""
        ),
    )
    assert response.url == reverse("report_detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == ReportStatus.SUBMITTED
    # Read-only: the edit page redirects, and a forged POST changes nothing.
    assert client.get(url).url == reverse("report_detail", args=[draft.pk])
    before = snapshot(draft)
    client.post(url, form_data(draft, shortcomings="提交后改动", save=""))
    assert snapshot(draft) == before
    detail = client.get(reverse("report_detail", args=[draft.pk])).content.decode()
    assert "只能查看" in detail and "已报送" in detail


def test_version_conflict_keeps_typed_text_and_shows_stored_text(client, personas, draft):
    stale = form_data(draft)
    report_save_draft(
        report=draft,
        actor=personas.clerk_lianchi,
        base_version=draft.version,
        parts={"shortcomings": "同事先保存的内容"},
        figures={"villages_total": 26},
    )
    client.force_login(personas.clerk_lianchi)
    response = client.post(
        reverse("report_edit", args=[draft.pk]),
        {**stale, "shortcomings": "我后来写的内容", "fig_villages_total": "30", "save": ""},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "我后来写的内容" in text and "同事先保存的内容" in text
    assert "系统中已保存的数值：26" in text
    assert "核对合并" in text
    assert "data-unsaved" in text
    draft.refresh_from_db()
    assert draft.shortcomings == "同事先保存的内容"
    assert report_figures(draft)["villages_total"] == 26
    # The page now carries the stored version, so saving the merged text goes through.
    form = response.context["form"]
    assert form["version"].value() == str(draft.version)
    merged = {
        **stale,
        "version": draft.version,
        "shortcomings": "合并后的内容",
        "fig_villages_total": "30",
        "save": "",
    }
    client.post(reverse("report_edit", args=[draft.pk]), merged)
    draft.refresh_from_db()
    assert draft.shortcomings == "合并后的内容"


def test_edit_wrong_method(client, personas, draft):
    client.force_login(personas.clerk_lianchi)
    before = snapshot(draft)
    assert client.delete(reverse("report_edit", args=[draft.pk])).status_code == 405
    assert client.put(reverse("report_edit", args=[draft.pk])).status_code == 405
    assert snapshot(draft) == before


@pytest.mark.parametrize("persona", ["clerk_huatai", "reviewer_shenqiu"])
def test_other_people_get_404_on_a_draft_and_change_nothing(client, personas, draft, persona):
    report_save_draft(
        report=draft,
        actor=personas.clerk_lianchi,
        base_version=draft.version,
        parts={"shortcomings": "原文"},
        figures={},
    )
    before = snapshot(draft)
    client.force_login(getattr(personas, persona))
    for name in ("report_edit", "report_detail"):
        assert client.get(reverse(name, args=[draft.pk])).status_code == 404
    response = client.post(
        reverse("report_edit", args=[draft.pk]), form_data(draft, shortcomings="篡改", submit="")
    )
    assert response.status_code == 404
    assert snapshot(draft) == before


def test_reviewer_reads_submitted_report_of_own_county_but_cannot_edit(
    client, personas, draft, full_parts
):
    client.force_login(personas.clerk_lianchi)
    client.post(reverse("report_edit", args=[draft.pk]), form_data(draft, **full_parts, submit=""))
    client.force_login(personas.reviewer_shenqiu)
    assert client.get(reverse("report_detail", args=[draft.pk])).status_code == 200
    before = snapshot(draft)
    response = client.post(
        reverse("report_edit", args=[draft.pk]),
        form_data(draft, shortcomings="审核员改动", save=""),
    )
    assert response.status_code == 302
    assert snapshot(draft) == before


def test_reviewer_of_other_county_gets_404(client, personas, draft, full_parts):
    client.force_login(personas.clerk_lianchi)
    client.post(reverse("report_edit", args=[draft.pk]), form_data(draft, **full_parts, submit=""))
    outsider = UserFactory(username="wuxi")
    membership_assign(
        user=outsider, role=Membership.Role.REVIEWER, county=County.objects.get(name="巫溪县")
    )
    client.force_login(outsider)
    assert client.get(reverse("report_detail", args=[draft.pk])).status_code == 404


def test_admin_reads_any_report(client, personas, draft):
    client.force_login(personas.admin)
    assert client.get(reverse("report_detail", args=[draft.pk])).status_code == 200
    # …but the township's text is the township's to write.
    assert client.get(reverse("report_edit", args=[draft.pk])).status_code == 302


# --- county page: fixed number of queries ------------------------------------------------


def _county_page(client, personas):
    client.force_login(personas.reviewer_shenqiu)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("county_home") + "?year=2023")
    assert response.status_code == 200
    return len(queries), response


def test_county_page_query_count_does_not_grow_with_townships(client, personas, draft):
    few, response = _county_page(client, personas)
    rows = len(response.context["rows"])
    for i in range(40):
        TownshipFactory(county=personas.shenqiu, name=f"新增镇{i}")
    many, response = _county_page(client, personas)
    assert len(response.context["rows"]) == rows + 40
    assert many == few


def test_county_page_shows_every_township_with_status(client, personas, draft, full_parts):
    client.force_login(personas.reviewer_shenqiu)
    response = client.get(reverse("county_home") + "?year=2023")
    rows = {township: report for township, report, _urge in response.context["rows"]}
    assert set(rows) == set(Township.objects.filter(county=personas.shenqiu))
    assert rows[personas.lianchi].status == ReportStatus.DRAFT
    assert response.context["counts"]["draft"] == 1
    # A draft's content stays with the township: no link to read it.
    assert reverse("report_detail", args=[draft.pk]) not in response.content.decode()


def test_not_found_page_is_chinese(client, personas, settings):
    settings.DEBUG = False
    client.force_login(personas.clerk_lianchi)
    response = client.get("/reports/999999/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_membership_must_match_role_with_chinese_message(personas):
    from django.core.exceptions import ValidationError

    membership = Membership(
        user=UserFactory(username="x"), role=Membership.Role.CLERK, county=personas.shenqiu
    )
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "乡镇填报员须选择所属乡镇" in str(error.value)


def test_dashboard_puts_who_must_be_chased_first_with_its_level(client, personas, full_parts):
    import datetime

    from django.utils import timezone

    from reports.services.drafts import report_start
    from tests.helpers import submit_report

    period = personas.period
    submit_report(
        township=personas.lianchi,
        period=period,
        clerk=personas.clerk_lianchi,
        parts=full_parts,
    )
    fengying = Township.objects.get(name="冯营镇")
    clerk = UserFactory(username="fengying")
    membership_assign(user=clerk, role=Membership.Role.CLERK, township=fengying)
    report_start(township=fengying, period=period, actor=clerk)
    client.force_login(personas.reviewer_shenqiu)
    url = reverse("county_home") + "?year=2023"

    period.deadline = timezone.localdate() + datetime.timedelta(days=3)
    period.save()
    rows = client.get(url).context["rows"]
    levels = {t.name: (u.level if u else None) for t, _r, u in rows}
    assert levels["冯营镇"] == "unsent"  # a draft only
    assert levels["莲池镇"] is None  # sent
    assert {lvl for name, lvl in levels.items() if name not in ("冯营镇", "莲池镇")} == {"soon"}
    assert rows[-1][0].name == "莲池镇"  # those to chase first, the sent one last

    period.deadline = timezone.localdate() - datetime.timedelta(days=1)
    period.save()
    page = client.get(url)
    levels = {t.name: (u.level if u else None) for t, _r, u in page.context["rows"]}
    assert levels["冯营镇"] == "overdue" and levels["莲池镇"] is None
    assert "逾期未报" in page.content.decode()  # in words, not only in colour

    only_drafts = client.get(url + "&show=draft").context["rows"]
    assert [t.name for t, _r, _u in only_drafts] == ["冯营镇"]
    unsent = client.get(url + "&show=unsent").context["rows"]
    assert "莲池镇" not in [t.name for t, _r, _u in unsent]
    assert client.get(url + "&show=bogus").status_code == 400
