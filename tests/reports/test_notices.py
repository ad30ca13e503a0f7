"""Notices inside the portal for every event that concerns a user, and the county's scheduled
reminders (never twice a day) and 通报."""

import datetime

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from exports.models import ExportJob
from reports.context_processors import UNREAD_AT_LOAD, notices, unread_notices
from reports.models import Notice, ReminderPolicy, ReminderSent
from reports.services.comments import comment_add, comment_answer
from reports.services.reminders import reminder_policy_update, reminders_send_due
from reports.services.transitions import report_approve, report_return
from tests.helpers import submit_report


def test_every_step_of_a_report_leaves_a_notice_for_who_it_concerns(
    client, personas, full_parts, django_capture_on_commit_callbacks
):
    personas.clerk_lianchi.email = ""  # no e-mail: the notice still arrives
    personas.clerk_lianchi.save()
    with django_capture_on_commit_callbacks(execute=True):
        report = submit_report(
            township=personas.lianchi,
            period=personas.period,
            clerk=personas.clerk_lianchi,
            parts=full_parts,
        )
    [submitted] = Notice.objects.filter(user=personas.reviewer_shenqiu)
    assert submitted.kind == Notice.Kind.SUBMITTED and "莲池镇" in submitted.title
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_add(
            report=report, actor=personas.reviewer_shenqiu, target="other", body="请补充。"
        )
        report_return(report=report, actor=personas.reviewer_shenqiu, reason="请补充其他情况。")
    returned = Notice.objects.get(user=personas.clerk_lianchi, kind=Notice.Kind.RETURNED)
    assert "请补充其他情况。" in returned.body
    with django_capture_on_commit_callbacks(execute=True):
        comment_answer(comment=comment, actor=personas.clerk_lianchi, body="已补充。")
    assert Notice.objects.filter(user=personas.reviewer_shenqiu, kind="answered").exists()

    client.force_login(personas.clerk_lianchi)
    header = client.get(reverse("township_home")).content.decode()
    assert '<span class="badge text-bg-light" aria-label="1 条未读">1</span>' in header
    opened = client.post(reverse("notice_open", args=[returned.pk]))
    assert opened["Location"] == reverse("report_edit", args=[report.pk])
    returned.refresh_from_db()
    assert returned.read_at is not None
    assert "条未读" not in client.get(reverse("township_home")).content.decode()


def test_approval_in_bulk_tells_each_townships_clerk(
    personas, full_parts, django_capture_on_commit_callbacks
):
    report = submit_report(
        township=personas.lianchi,
        period=personas.period,
        clerk=personas.clerk_lianchi,
        parts=full_parts,
    )
    with django_capture_on_commit_callbacks(execute=True):
        report_approve(report=report, actor=personas.reviewer_shenqiu)
    assert Notice.objects.filter(user=personas.clerk_lianchi, kind="approved").count() == 1


def test_scheduled_reminders_go_on_the_countys_days_and_never_twice_a_day(
    personas, django_capture_on_commit_callbacks
):
    from org.models import Period

    Period.objects.exclude(pk=personas.period.pk).update(locked=True)  # 2023 is the current round
    personas.clerk_lianchi.email = "lianchi@example.org"
    personas.clerk_lianchi.save()
    period = personas.period
    reminder_policy_update(
        county=personas.shenqiu,
        actor=personas.reviewer_shenqiu,
        active=True,
        days_before="7，1",
        every_days_after=3,
    )
    deadline = period.deadline
    day = datetime.timedelta(days=1)
    due = [deadline - 7 * day, deadline - day, deadline + 3 * day, deadline + 6 * day]
    quiet = [deadline - 6 * day, deadline, deadline + day, deadline + 4 * day]
    for today in due:
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders_send_due(today=today) >= 1, today
    for today in quiet:
        assert reminders_send_due(today=today) == 0, today
    before = Notice.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send_due(today=due[0]) == 0  # the same day again: nothing
    assert Notice.objects.count() == before
    row = ReminderSent.objects.filter(county=personas.shenqiu, period=period).first()
    assert row.townships == personas.shenqiu.townships.count()  # nobody has sent
    reminded = Notice.objects.filter(user=personas.clerk_lianchi, kind=Notice.Kind.REMINDER)
    assert reminded.count() == len(due)
    assert any("【提醒】" in message.subject for message in mail.outbox)


def test_a_reviewer_sets_the_schedule_and_bad_days_are_refused(client, personas):
    client.force_login(personas.reviewer_shenqiu)
    url = reverse("county_reminder_policy")
    client.post(url, {"active": "on", "days_before": "10, 3", "every_days_after": "2"})
    policy = ReminderPolicy.objects.get(county=personas.shenqiu)
    assert (policy.days_before, policy.every_days_after, policy.active) == ("10,3", 2, True)
    page = client.post(url, {"days_before": "七天", "every_days_after": "2"}, follow=True)
    assert "提醒设置未保存" in page.content.decode()
    policy.refresh_from_db()
    assert policy.days_before == "10,3"


def test_the_bulletin_lists_who_has_not_sent_after_the_deadline(
    client, personas, full_parts, django_capture_on_commit_callbacks
):
    from exports.documents import bulletin_context

    period = personas.period
    submit_report(
        township=personas.lianchi, period=period, clerk=personas.clerk_lianchi, parts=full_parts
    )
    client.force_login(personas.reviewer_shenqiu)
    data = {"kind": "bulletin", "year": period.year, "county": personas.shenqiu.pk}
    period.deadline = timezone.localdate() + datetime.timedelta(days=2)
    period.save()
    early = client.post(reverse("export_create"), data, follow=True)
    assert "报送截止日期过后才能生成" in early.content.decode()
    assert not ExportJob.objects.exists()
    period.deadline = timezone.localdate() - datetime.timedelta(days=2)
    period.save()
    context = bulletin_context(personas.shenqiu, period)
    names = [t.name for t, _r in context["not_sent"]]
    assert "莲池镇" not in names and len(names) == personas.shenqiu.townships.count() - 1
    assert "生成报送情况通报" in client.get(reverse("county_home") + "?year=2023").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("export_create"), data)
    job = ExportJob.objects.get(kind="bulletin")
    assert job.status == ExportJob.Status.DONE
    from tests.exports.test_pdf import pdf_text

    text = pdf_text(job.file.read())
    assert "报送情况的通报" in text and "尚未报送的单位" in text and "冯营镇" in text


def test_the_unread_count_is_the_users_notices_not_yet_read(personas):
    def notice(user, read: bool) -> None:
        Notice.objects.create(
            user=user,
            kind=Notice.Kind.REMINDER,
            title="催报",
            read_at=timezone.now() if read else None,
        )

    for read in (False, False, True):
        notice(personas.clerk_lianchi, read)
    notice(personas.clerk_huatai, False)
    for user in (personas.clerk_lianchi, personas.clerk_huatai, personas.reviewer_shenqiu):
        expected = Notice.objects.filter(user=user, read_at__isnull=True).count()
        assert unread_notices(user.pk) == expected
    assert unread_notices(personas.clerk_lianchi.pk) == 2


def test_a_page_counts_the_unread_notices_with_the_user(client, rf, personas):
    clerk = personas.clerk_lianchi
    for _ in range(2):
        Notice.objects.create(user=clerk, kind=Notice.Kind.REMINDER, title="催报")
    client.force_login(clerk)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("township_home"))
    assert (
        '<span class="badge text-bg-light" aria-label="2 条未读">2</span>'
        in response.content.decode()
    )
    # Counted within the user's statement (prepared once: its text is not in the log).
    assert not [q["sql"] for q in captured if '"reports_notice"' in q["sql"]]

    # Anything but a read counts when the page is drawn, after what the request did.
    user = response.wsgi_request.user
    assert getattr(user, UNREAD_AT_LOAD) == 2
    Notice.objects.filter(user=clerk).update(read_at=timezone.now())
    request = rf.post("/")
    request.user = user
    assert notices(request)["unread_notices"] == 0
    request = rf.get("/")
    request.user = user
    assert notices(request)["unread_notices"] == 2  # as counted with the user, for this request


def test_a_mail_server_that_cannot_be_reached_never_fails_the_move(
    client, personas, full_parts, settings, django_capture_on_commit_callbacks
):
    """The messages are the queue's work: the clerk's submission stands and answers as usual,
    and the notices inside the portal still arrive."""
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    from reports.services.drafts import report_save_draft, report_start

    clerk = personas.clerk_lianchi
    report = report_start(township=personas.lianchi, period=personas.period, actor=clerk)
    report = report_save_draft(
        report=report, actor=clerk, base_version=report.version, parts=full_parts, figures={}
    )
    client.force_login(personas.clerk_lianchi)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("report_act", args=[report.pk, "submit"]))
    assert response.status_code == 302 and response.url == reverse(
        "report_detail", args=[report.pk]
    )
    report.refresh_from_db()
    assert report.status == "submitted"
    assert Notice.objects.filter(
        user=personas.reviewer_shenqiu, kind=Notice.Kind.SUBMITTED
    ).exists()
