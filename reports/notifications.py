"""E-mails sent after a move has committed (services register them with transaction.on_commit)."""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mass_mail

from .models import Membership, Report


def _addresses(users) -> list[str]:
    return sorted({user.email for user in users if user.email})


def county_reviewers(report: Report):
    return User.objects.filter(
        is_active=True,
        membership__role=Membership.Role.REVIEWER,
        membership__county_id=report.township.county_id,
    )


def township_clerks(township_ids):
    return User.objects.filter(
        is_active=True,
        membership__role=Membership.Role.CLERK,
        membership__township_id__in=township_ids,
    )


def _send(subject: str, body: str, recipients: list[str]) -> int:
    if not recipients:
        return 0
    return send_mass_mail(
        [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in recipients],
        fail_silently=False,
    )


def notify_submitted(report_id: int) -> int:
    report = Report.objects.select_related("township__county", "period").get(pk=report_id)
    return _send(
        f"【待审核】{report.township}{report.period.year}年度法治政府建设情况报告已报送",
        f"{report.township.county}{report.township}已报送{report.period.year}年度法治政府建设情况报告，"
        f"请登录法治政府建设年度报告系统审核。\n\n{settings.PORTAL_URL}/reports/{report.pk}/review/",
        _addresses(county_reviewers(report)),
    )


def notify_returned(report_id: int, reason: str) -> int:
    report = Report.objects.select_related("township__county", "period").get(pk=report_id)
    return _send(
        f"【已退回】{report.period.year}年度法治政府建设情况报告需要修改",
        f"{report.township}的{report.period.year}年度报告已被县级审核退回。\n\n退回理由：{reason}\n\n"
        f"请登录系统查看审核意见，修改后重新报送：{settings.PORTAL_URL}/reports/{report.pk}/edit/",
        _addresses(township_clerks([report.township_id])),
    )


def notify_approved(report_id: int) -> int:
    report = Report.objects.select_related("township__county", "period").get(pk=report_id)
    return _send(
        f"【已通过】{report.period.year}年度法治政府建设情况报告已审核通过",
        f"{report.township}的{report.period.year}年度法治政府建设情况报告已通过县级审核。\n\n"
        f"{settings.PORTAL_URL}/reports/{report.pk}/",
        _addresses(township_clerks([report.township_id])),
    )


def notify_reminder(township_ids: list[int], period, county) -> int:
    return _send(
        f"【提醒】请尽快报送{period.year}年度法治政府建设情况报告",
        f"{county}依法治县办提醒：{period.year}年度法治政府建设情况报告的报送截止日期为"
        f"{period.deadline:%Y年%m月%d日}，贵单位尚未报送，请尽快登录系统填写并报送。\n\n{settings.PORTAL_URL}/",
        _addresses(township_clerks(township_ids)),
    )
