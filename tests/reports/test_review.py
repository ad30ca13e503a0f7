import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from org.models import County, Membership
from org.services import membership_assign
from reading.diff import diff_texts
from reports.models import ReportStatusChange, ReviewComment
from reports.selectors.reports import (
    QUEUE_STATUSES,
    queue_members,
    review_queue,
    review_queue_first_page,
)
from reports.selectors.review import diff_html, round_changes
from reports.services.comments import comment_add, comment_answer, comment_resolve
from reports.services.common import ReportError
from reports.services.drafts import report_save_draft
from reports.services.transitions import (
    report_approve,
    report_publish,
    report_return,
    report_submit,
)
from reports.workflow import ReportStatus
from tests.factories import UserFactory
from tests.helpers import submit_report


@pytest.fixture
def emails(personas):
    for user in (personas.clerk_lianchi, personas.reviewer_shenqiu, personas.clerk_huatai):
        user.email = f"{user.username}@example.org"
        user.save()


def submitted(personas, parts, township=None, clerk=None):
    return submit_report(
        township=township or personas.lianchi,
        period=personas.period,
        clerk=clerk or personas.clerk_lianchi,
        parts=parts,
    )


# --- e-mails --------------------------------------------------------------------------------


def test_submit_mails_the_county_reviewers_only_after_commit(
    personas, full_parts, emails, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submitted(personas, full_parts)
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["shenqiu@example.org"]]
    assert "莲池镇" in mail.outbox[0].subject


def test_a_rolled_back_move_sends_nothing(
    personas, full_parts, emails, django_capture_on_commit_callbacks
):
    report = submitted(personas, full_parts)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                report_approve(report=report, actor=personas.reviewer_shenqiu)
                raise RuntimeError("boom after the move")
        except RuntimeError:
            pass
    assert mail.outbox == []
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_return_and_approve_mail_the_township_clerks(
    personas, full_parts, emails, django_capture_on_commit_callbacks
):
    report = submitted(personas, full_parts)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report_return(report=report, actor=personas.reviewer_shenqiu, reason="请补充整改措施")
    assert [m.to for m in mail.outbox] == [["lianchi@example.org"]]
    assert "请补充整改措施" in mail.outbox[0].body
    report = report_submit(report=report, actor=personas.clerk_lianchi)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report_approve(report=report, actor=personas.reviewer_shenqiu)
    assert [m.to for m in mail.outbox] == [["lianchi@example.org"]]
    assert "已通过" in mail.outbox[0].subject


def test_remind_mails_clerks_of_townships_not_yet_submitted(
    client, personas, full_parts, emails, django_capture_on_commit_callbacks
):
    submitted(personas, full_parts)  # 莲池镇 has reported
    other = Membership.objects.get(user=personas.clerk_huatai)
    dongcheng = personas.shenqiu.townships.get(name="东城街道")
    clerk = UserFactory(username="dongcheng", email="dongcheng@example.org")
    membership_assign(user=clerk, role=Membership.Role.CLERK, township=dongcheng)
    client.force_login(personas.reviewer_shenqiu)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("county_remind"), {"year": 2023})
    assert response.status_code == 302
    recipients = {address for m in mail.outbox for address in m.to}
    assert recipients == {"dongcheng@example.org"}  # not 莲池镇 (sent), not 花台乡 (other county)
    assert other.township.county != personas.shenqiu


def test_remind_refused_to_clerks(client, personas):
    client.force_login(personas.clerk_lianchi)
    assert client.post(reverse("county_remind"), {"year": 2023}).status_code == 403
    assert client.get(reverse("county_remind")).status_code in (403, 405)


# --- comments -------------------------------------------------------------------------------


def test_comment_answer_resolve_cycle(personas, full_parts):
    report = submitted(personas, full_parts)
    comment = comment_add(
        report=report, actor=personas.reviewer_shenqiu, target="shortcomings", body="请细化原因"
    )
    assert comment.round == 1
    with pytest.raises(ReportError):
        comment_answer(comment=comment, actor=personas.clerk_lianchi, body="还没退回不能答复")
    report_return(report=report, actor=personas.reviewer_shenqiu, reason="见意见")
    answer = comment_answer(comment=comment, actor=personas.clerk_lianchi, body="已细化")
    assert answer.parent == comment and answer.target == "shortcomings"
    report = report_submit(report=report, actor=personas.clerk_lianchi)
    second = comment_add(
        report=report, actor=personas.reviewer_shenqiu, target="fig:villages_total", body="核对村数"
    )
    assert second.round == 2
    comment_resolve(comment=comment, actor=personas.reviewer_shenqiu)
    comment.refresh_from_db()
    assert comment.resolved_by == personas.reviewer_shenqiu
    report_approve(report=report, actor=personas.reviewer_shenqiu)
    second.refresh_from_db()
    assert second.resolved_at is not None  # approval settles what is left
    assert ReviewComment.objects.filter(report=report).count() == 3  # kept across rounds


def test_comment_refusals(personas, full_parts):
    report = submitted(personas, full_parts)
    wuxi = UserFactory(username="wuxi")
    membership_assign(
        user=wuxi, role=Membership.Role.REVIEWER, county=County.objects.get(name="巫溪县")
    )
    for actor in (wuxi, personas.clerk_lianchi, personas.clerk_huatai):
        with pytest.raises(PermissionDenied):
            comment_add(report=report, actor=actor, target="shortcomings", body="x")
    with pytest.raises(ReportError, match="请选择"):
        comment_add(report=report, actor=personas.reviewer_shenqiu, target="nonsense", body="x")
    with pytest.raises(ReportError, match="不能为空"):
        comment_add(
            report=report, actor=personas.reviewer_shenqiu, target="shortcomings", body="   "
        )
    comment = comment_add(
        report=report, actor=personas.reviewer_shenqiu, target="shortcomings", body="x"
    )
    report_return(report=report, actor=personas.reviewer_shenqiu, reason="r")
    with pytest.raises(PermissionDenied):
        comment_answer(comment=comment, actor=personas.clerk_huatai, body="不是我的乡镇")
    with pytest.raises(PermissionDenied):
        comment_resolve(comment=comment, actor=personas.clerk_lianchi)
    assert ReviewComment.objects.count() == 1


def test_comment_views_happy_wrong_method_wrong_role(client, personas, full_parts):
    report = submitted(personas, full_parts)
    url = reverse("comment_create", args=[report.pk])
    client.force_login(personas.reviewer_shenqiu)
    assert client.get(url).status_code == 405
    response = client.post(
        url, {"target": "shortcomings", "body": "请细化"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "请细化" in response.content.decode()
    client.force_login(personas.clerk_huatai)
    assert client.post(url, {"target": "shortcomings", "body": "越权"}).status_code == 404
    assert list(ReviewComment.objects.values_list("body", flat=True)) == ["请细化"]


# --- moves through the web ------------------------------------------------------------------


def test_act_view_happy_wrong_method_wrong_role_and_missing_reason(client, personas, full_parts):
    report = submitted(personas, full_parts)
    approve = reverse("report_act", args=[report.pk, "approve"])
    client.force_login(personas.reviewer_shenqiu)
    assert client.get(approve).status_code == 405
    response = client.post(
        reverse("report_act", args=[report.pk, "return"]), {"note": ""}, follow=True
    )
    assert "请填写退回的理由" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    client.force_login(personas.clerk_lianchi)
    client.post(approve)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    client.force_login(personas.clerk_huatai)
    assert client.post(approve).status_code == 404
    client.force_login(personas.reviewer_shenqiu)
    assert client.post(approve).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert client.post(reverse("report_act", args=[report.pk, "nonsense"])).status_code == 404


def test_review_page_shows_changes_between_rounds(client, personas, full_parts):
    report = submitted(personas, full_parts)
    report = report_return(report=report, actor=personas.reviewer_shenqiu, reason="补充")
    report = report_save_draft(
        report=report,
        actor=personas.clerk_lianchi,
        base_version=report.version,
        parts={"shortcomings": full_parts["shortcomings"] + "已整改。"},
        figures={"villages_total": 26},
    )
    report = report_submit(report=report, actor=personas.clerk_lianchi)
    changes = round_changes(report)
    assert changes["shortcomings"].changed and not changes["measures_and_results"].changed
    client.force_login(personas.reviewer_shenqiu)
    text = client.get(reverse("report_review", args=[report.pk])).content.decode()
    assert "<ins>已整改。</ins>" in text
    assert "与上次报送相同" in text
    assert "未填报 → <strong>26</strong>" in text


def test_diff_escapes_user_text():
    assert (
        diff_html(diff_texts("<b>甲</b>", "<b>乙</b>"))
        == "&lt;b&gt;<del>甲</del><ins>乙</ins>&lt;/b&gt;"
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("reviewer_shenqiu", 200), ("admin", 200), ("clerk_lianchi", 404), ("clerk_huatai", 404)],
)
def test_review_page_permissions(client, personas, full_parts, persona, status):
    report = submitted(personas, full_parts)
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("report_review", args=[report.pk])).status_code == status


# --- queue ----------------------------------------------------------------------------------


def test_queue_oldest_first_and_bulk_approve_only_clean(client, personas, full_parts):
    dongcheng = personas.shenqiu.townships.get(name="东城街道")
    clerk = UserFactory(username="dongcheng")
    membership_assign(user=clerk, role=Membership.Role.CLERK, township=dongcheng)
    first = submitted(personas, full_parts)
    second = submitted(personas, full_parts, township=dongcheng, clerk=clerk)
    huatai = submitted(personas, full_parts, township=personas.huatai, clerk=personas.clerk_huatai)
    comment_add(report=second, actor=personas.reviewer_shenqiu, target="other", body="请补充")
    client.force_login(personas.reviewer_shenqiu)
    assert client.get(reverse("review_queue")).context["period"].year == 2024  # the current one
    queue = client.get(reverse("review_queue") + "?year=2023").context["queue"]
    assert [r.pk for r in queue] == [first.pk, second.pk]
    assert queue[1].open_comments == 1
    response = client.post(
        reverse("review_queue_approve"), {"report": [first.pk, second.pk, huatai.pk]}, follow=True
    )
    text = response.content.decode()
    assert "东城街道未通过批量审核：有 1 条未解决的审核意见" in text
    statuses = {r.pk: r.status for r in (first, second, huatai) if not r.refresh_from_db()}
    assert statuses == {first.pk: "approved", second.pk: "submitted", huatai.pk: "submitted"}


def test_queue_refused_to_clerks(client, personas):
    client.force_login(personas.clerk_lianchi)
    assert client.get(reverse("review_queue")).status_code == 403
    assert client.post(reverse("review_queue_approve")).status_code == 403


# --- dashboard ------------------------------------------------------------------------------


def test_dashboard_counts_every_status(client, personas, full_parts):
    report = submitted(personas, full_parts)
    report_approve(report=report, actor=personas.reviewer_shenqiu)
    report_publish(report=report, actor=personas.reviewer_shenqiu)
    client.force_login(personas.reviewer_shenqiu)
    response = client.get(reverse("county_home") + "?year=2023")
    counts = response.context["counts"]
    total = personas.shenqiu.townships.count()
    assert counts["published"] == 1 and counts["not_started"] == total - 1
    assert response.context["days_left"] < 0  # 2023's deadline has passed
    assert "已过截止日期" in response.content.decode()


# --- public pages ---------------------------------------------------------------------------


def test_public_pages_show_only_published(client, personas, full_parts):
    report = submitted(personas, full_parts)
    public = reverse("public_report", args=[report.pk])
    assert client.get(public).status_code == 404
    report_approve(report=report, actor=personas.reviewer_shenqiu)
    assert client.get(public).status_code == 404
    assert "莲池镇" not in client.get(reverse("public_index")).content.decode().split("公开）")[-1]
    report_publish(report=report, actor=personas.reviewer_shenqiu)
    response = client.get(public)
    assert response.status_code == 200
    assert full_parts["shortcomings"] in response.content.decode()
    assert public in client.get(reverse("public_index")).content.decode()
    assert ReportStatusChange.objects.filter(report=report).count() == 3


def test_admin_reopens_a_published_report_from_the_portal_with_a_reason(
    client, personas, full_parts
):
    report = submitted(personas, full_parts)
    report_approve(report=report, actor=personas.reviewer_shenqiu)
    report_publish(report=report, actor=personas.reviewer_shenqiu)
    client.force_login(personas.admin)
    detail = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert reverse("report_act", args=[report.pk, "reopen"]) in detail
    client.post(reverse("report_act", args=[report.pk, "reopen"]), {"note": "数据有误，需更正"})
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    assert report.status_changes.latest("at", "id").note == "数据有误，需更正"
    assert client.get(reverse("public_report", args=[report.pk])).status_code == 404


def test_bulk_approve_does_not_redirect_off_site(client, personas):
    client.force_login(personas.reviewer_shenqiu)
    response = client.post(reverse("review_queue_approve"), {"next": "https://evil.example/"})
    assert response.url == reverse("review_queue")
    response = client.post(reverse("review_queue_approve"), {"next": "/review/?county=1"})
    assert response.url == "/review/?county=1"


@pytest.mark.parametrize("name", ["county_remind", "export_create"])
def test_a_bad_year_is_refused_not_a_server_error(client, personas, name):
    client.force_login(personas.reviewer_shenqiu)
    data = {"year": "二〇二三", "kind": "county", "county": personas.shenqiu.pk}
    response = client.post(reverse(name), data)
    assert response.status_code == 400
    assert "年度参数不正确" in response.content.decode()
    data["year"] = "2019"  # a year with no period
    assert client.post(reverse(name), data).status_code == 404


def test_queue_filters_resubmissions_first_and_pages(client, personas, full_parts, monkeypatch):
    from reports.services.transitions import report_return, report_submit

    townships = list(personas.shenqiu.townships.order_by("order")[:3])
    reports = []
    for index, township in enumerate(townships):
        clerk = UserFactory(username=f"queue{index}")
        membership_assign(user=clerk, role=Membership.Role.CLERK, township=township)
        reports.append((submitted(personas, full_parts, township=township, clerk=clerk), clerk))
    (oldest, oldest_clerk), (middle, _), (newest, _) = reports
    # The oldest is returned and sent again: it comes first, marked as a resubmission.
    report_return(report=oldest, actor=personas.reviewer_shenqiu, reason="请修改。")
    report_submit(report=oldest, actor=oldest_clerk)
    client.force_login(personas.reviewer_shenqiu)
    url = reverse("review_queue") + "?year=2023"
    page = client.get(url)
    assert [r.pk for r in page.context["queue"]] == [oldest.pk, middle.pk, newest.pk]
    assert "退回后重报" in page.content.decode()
    only = client.get(f"{url}&township={middle.township_id}").context["queue"]
    assert [r.pk for r in only] == [middle.pk]
    found = client.get(f"{url}&q={newest.township.name[:2]}").context["queue"]
    assert newest.pk in [r.pk for r in found]
    assert list(client.get(f"{url}&status=approved").context["queue"]) == []
    assert client.get(f"{url}&status=bogus").status_code == 400
    from reports.views import review

    monkeypatch.setattr(review, "QUEUE_PAGE_SIZE", 2)
    first_page = client.get(url)
    second_page = client.get(f"{url}&page=2")
    assert len(first_page.context["queue"]) == 2 and len(second_page.context["queue"]) == 1
    assert "第 1 / 2 页" in first_page.content.decode()
    # The pages are counted on the bare filter: the same reports as the queue's own query.
    for status in QUEUE_STATUSES:
        for township_id in (None, middle.township_id):
            asked = {"period": personas.period, "status": status, "township_id": township_id}
            assert queue_members(personas.shenqiu, **asked).count() == len(
                review_queue(personas.shenqiu, **asked)
            )
    # The first page, compiled once, is the queue's own first page: order, counts and columns.
    comment_add(report=middle, actor=personas.reviewer_shenqiu, target="other", body="请补充")

    def shown(reports):
        return [(r.pk, r.open_comments, r.rounds, str(r.township), r.score.total) for r in reports]

    for status in QUEUE_STATUSES:
        for size in (2, 20):
            expected = review_queue(personas.shenqiu, period=personas.period, status=status)
            first = review_queue_first_page(personas.shenqiu, personas.period, status, size)
            assert shown(first) == shown(expected[:size])
    assert [r.open_comments for r in first[:2]] == [0, 1]
    assert first[0].rounds == 2
    with pytest.raises(ValueError):
        review_queue_first_page(personas.shenqiu, personas.period, "draft", 20)


def test_the_review_page_offers_the_next_report_and_warns_before_approving_with_open_comments(
    client, personas, full_parts
):
    first = submitted(personas, full_parts)
    dongcheng = personas.shenqiu.townships.get(name="东城街道")
    clerk = UserFactory(username="dongcheng")
    membership_assign(user=clerk, role=Membership.Role.CLERK, township=dongcheng)
    second = submitted(personas, full_parts, township=dongcheng, clerk=clerk)
    comment_add(report=first, actor=personas.reviewer_shenqiu, target="other", body="请补充")
    client.force_login(personas.reviewer_shenqiu)
    page = client.get(reverse("report_review", args=[first.pk])).content.decode()
    assert f'href="{reverse("report_review", args=[second.pk])}" id="next-report"' in page
    assert "还有 1 条审核意见未解决" in page
    after = client.post(reverse("report_act", args=[first.pk, "approve"]), follow=True)
    assert "下一份待审核：东城街道" in after.content.decode()


def test_the_queues_count_is_its_members_whatever_the_status(personas):
    from reports.selectors.reports import QUEUE_STATUSES, queue_members, review_queue_count
    from tests.factories import CountyFactory, PeriodFactory, ReportFactory, TownshipFactory

    statuses = [
        ReportStatus.DRAFT,
        ReportStatus.SUBMITTED,
        ReportStatus.SUBMITTED,
        ReportStatus.RETURNED,
        ReportStatus.APPROVED,
        ReportStatus.PUBLISHED,
    ]
    other_county = CountyFactory(name="项城市")
    other_period = PeriodFactory(year=2031)
    for n, status in enumerate(statuses):
        town = TownshipFactory(county=personas.shenqiu, name=f"计数镇{n}")
        ReportFactory(township=town, period=personas.period, status=status)
        ReportFactory(township=town, period=other_period, status=ReportStatus.SUBMITTED)
        elsewhere = TownshipFactory(county=other_county, name=f"外县镇{n}")
        ReportFactory(township=elsewhere, period=personas.period, status=status)
    counted = {
        status: review_queue_count(personas.shenqiu, personas.period, status)
        for status in QUEUE_STATUSES
    }
    assert counted == {
        status: queue_members(personas.shenqiu, period=personas.period, status=status).count()
        for status in QUEUE_STATUSES
    }
    assert counted[ReportStatus.SUBMITTED] == 2 and counted["sent"] == 5
    with pytest.raises(ValueError):
        review_queue_count(personas.shenqiu, personas.period, ReportStatus.DRAFT)
