"""Messages to users after a move has committed (services register them with
transaction.on_commit). E-mails are written in templates/emails/."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string

from org.models import County, Period
from org.selectors import county_reviewers, township_clerks

from .models import Report


def _addresses(users: Iterable[User]) -> list[str]:
    return sorted({user.email for user in users if user.email})


def _message(name: str, context: dict[str, object]) -> tuple[str, str]:
    """(subject, body) from templates/emails/<name>_subject.txt and <name>.txt."""
    context = {"portal_url": settings.PORTAL_URL, **context}
    subject = render_to_string(f"emails/{name}_subject.txt", context).strip()
    return " ".join(subject.split()), render_to_string(f"emails/{name}.txt", context).strip()


def _send(messages: list[tuple[str, str, list[str]]]) -> int:
    """(subject, body, recipients) each; one mail per address, in one connection."""
    mails = [
        (subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        for subject, body, recipients in messages
        for address in recipients
    ]
    return send_mass_mail(mails, fail_silently=False) if mails else 0


def _report(report_id: int) -> Report:
    return Report.objects.select_related("township__county", "period").get(pk=report_id)


def notify_submitted(report_id: int) -> int:
    report = _report(report_id)
    subject, body = _message("submitted", {"report": report})
    return _send([(subject, body, _addresses(county_reviewers([report.township.county_id])))])


def notify_returned(report_id: int, reason: str) -> int:
    report = _report(report_id)
    subject, body = _message("returned", {"report": report, "reason": reason})
    return _send([(subject, body, _addresses(township_clerks([report.township_id])))])


def notify_approved(report_ids: list[int]) -> int:
    """To the clerks of each approved report, in two queries whatever their number."""
    reports = list(
        Report.objects.filter(pk__in=report_ids).select_related("township__county", "period")
    )
    clerks: dict[int, list[User]] = {}
    for clerk in township_clerks(report.township_id for report in reports):
        clerks.setdefault(clerk.membership.township_id, []).append(clerk)  # type: ignore[arg-type]
    messages = []
    for report in reports:
        subject, body = _message("approved", {"report": report})
        messages.append((subject, body, _addresses(clerks.get(report.township_id, []))))
    return _send(messages)


def notify_reminder(township_ids: list[int], period: Period, county: County) -> int:
    subject, body = _message("reminder", {"period": period, "county": county})
    return _send([(subject, body, _addresses(township_clerks(township_ids)))])
