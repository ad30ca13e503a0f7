"""Messages to users after a move has committed (services register them with
transaction.on_commit): a notice inside the portal for every user concerned (intranets often have
no mail) and an e-mail to those with an address. E-mails are written in templates/emails/.

The moves' messages are tasks on the queue: the request that made the move does not wait for the
mail server (a slow or unreachable one would hold it, and a failure there would answer an error
for a move already made)."""

from collections.abc import Iterable

from celery import shared_task
from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse

from org.models import County, Period
from org.selectors import county_reviewers, township_clerks
from reading.sections import SECTION_KEYS

from .models import Notice, Report, ReviewComment


def _message(name: str, context: dict[str, object]) -> tuple[str, str]:
    """(subject, body) from templates/emails/<name>_subject.txt and <name>.txt."""
    context = {"portal_url": settings.PORTAL_URL, **context}
    subject = render_to_string(f"emails/{name}_subject.txt", context).strip()
    return " ".join(subject.split()), render_to_string(f"emails/{name}.txt", context).strip()


def _deliver(kind: str, deliveries: Iterable[tuple[list[User], str, str, str, str]]) -> int:
    """(users, subject, mail body, notice text, link) each: one notice per user, one mail per
    address, in one insert and one SMTP connection. Returns the number of mails sent."""
    notices, mails = [], []
    for users, subject, body, text, link in deliveries:
        for user in users:
            notices.append(Notice(user=user, kind=kind, title=subject, body=text, link=link))
        for address in sorted({user.email for user in users if user.email}):
            mails.append((subject, body, settings.DEFAULT_FROM_EMAIL, [address]))
    Notice.objects.bulk_create(notices)
    return send_mass_mail(mails, fail_silently=False) if mails else 0


def _report(report_id: int) -> Report:
    # The messages name the township and the year, never the parts (tens of KB of text).
    return (
        Report.objects.select_related("township__county", "period")
        .defer(*SECTION_KEYS)
        .get(pk=report_id)
    )


@shared_task(name="reports.notify_submitted")
def notify_submitted(report_id: int) -> int:
    report = _report(report_id)
    subject, body = _message("submitted", {"report": report})
    link = reverse("report_review", args=[report.pk])
    reviewers = list(county_reviewers([report.township.county_id]))
    return _deliver(Notice.Kind.SUBMITTED, [(reviewers, subject, body, "", link)])


@shared_task(name="reports.notify_returned")
def notify_returned(report_id: int, reason: str) -> int:
    report = _report(report_id)
    subject, body = _message("returned", {"report": report, "reason": reason})
    link = reverse("report_edit", args=[report.pk])
    clerks = list(township_clerks([report.township_id]))
    return _deliver(Notice.Kind.RETURNED, [(clerks, subject, body, f"退回理由：{reason}", link)])


@shared_task(name="reports.notify_answered")
def notify_answered(comment_id: int) -> int:
    """The clerk answered a review comment: the county's reviewers are told."""
    answer = ReviewComment.objects.select_related("report__township__county", "report__period").get(
        pk=comment_id
    )
    report = answer.report
    subject, body = _message("answered", {"report": report, "answer": answer})
    link = reverse("report_review", args=[report.pk]) + "#" + ReviewComment.anchor(answer.target)
    reviewers = list(county_reviewers([report.township.county_id]))
    return _deliver(Notice.Kind.ANSWERED, [(reviewers, subject, body, answer.body[:200], link)])


@shared_task(name="reports.notify_approved")
def notify_approved(report_ids: list[int]) -> int:
    """To the clerks of each approved report, in two queries whatever their number."""
    reports = list(
        Report.objects.filter(pk__in=report_ids).select_related("township__county", "period")
    )
    clerks: dict[int, list[User]] = {}
    for clerk in township_clerks(report.township_id for report in reports):
        clerks.setdefault(clerk.membership.township_id, []).append(clerk)  # type: ignore[arg-type]
    deliveries = []
    for report in reports:
        subject, body = _message("approved", {"report": report})
        link = reverse("report_detail", args=[report.pk])
        deliveries.append((clerks.get(report.township_id, []), subject, body, "", link))
    return _deliver(Notice.Kind.APPROVED, deliveries)


@shared_task(name="reports.notify_reminder")
def notify_reminder(township_ids: list[int], period_id: int, county_id: int) -> int:
    period, county = Period.objects.get(pk=period_id), County.objects.get(pk=county_id)
    subject, body = _message("reminder", {"period": period, "county": county})
    clerks = list(township_clerks(township_ids))
    link = reverse("township_home")
    text = f"报送截止日期为{period.deadline:%Y年%m月%d日}，贵单位尚未报送。"
    return _deliver(Notice.Kind.REMINDER, [(clerks, subject, body, text, link)])
