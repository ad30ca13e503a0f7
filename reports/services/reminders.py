"""Reminding the townships of a county that have not sent their report: by hand from the county
dashboard, and on the county's schedule by a daily task (Celery beat), never twice a day."""

from datetime import date
from functools import partial

from celery import shared_task
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from org.access import may_remind
from org.models import County, Period
from org.selectors import current_period

from .. import notifications
from ..models import ReminderPolicy, ReminderSent, Report
from ..workflow import SENT_STATUSES
from .common import ReportError

MAX_DAYS = 60


def _waiting(county: County, period: Period) -> list[int]:
    """The county's townships that have not sent the period's report."""
    sent = set(
        Report.objects.filter(
            township__county=county, period=period, status__in=SENT_STATUSES
        ).values_list("township_id", flat=True)
    )
    return [t for t in county.townships.values_list("pk", flat=True) if t not in sent]


def county_remind(*, county: County, period: Period, actor: User) -> int:
    """Reminds (notice and e-mail) the clerks of every township of the county that has not sent."""
    if not may_remind(actor, county):
        raise PermissionDenied("只有本县的审核员可以发送提醒。")
    waiting = _waiting(county, period)
    transaction.on_commit(
        partial(notifications.notify_reminder.delay, waiting, period.pk, county.pk), robust=True
    )
    return len(waiting)


@transaction.atomic
def reminder_policy_update(
    *, county: County, actor: User, active: bool, days_before: str, every_days_after: int
) -> ReminderPolicy:
    """The county's reminder schedule: days before the deadline (e.g. 「7,1」) and every N days
    after it."""
    if not may_remind(actor, county):
        raise PermissionDenied("只有本县的审核员可以设置提醒。")
    pieces = [p.strip() for p in days_before.replace("，", ",").split(",") if p.strip()]
    if not all(p.isascii() and p.isdigit() and 0 < int(p) <= MAX_DAYS for p in pieces):
        raise ReportError(f"“截止前第几天提醒”请填 1–{MAX_DAYS} 之间的整数，用逗号分开，例如 7,1。")
    if not 0 <= every_days_after <= MAX_DAYS:
        raise ReportError(
            f"“逾期后每隔几天提醒”请填 0–{MAX_DAYS} 之间的整数（0 表示逾期后不再提醒）。"
        )
    days = ",".join(str(d) for d in sorted({int(p) for p in pieces}, reverse=True))
    policy, _ = ReminderPolicy.objects.update_or_create(
        county=county,
        defaults={"active": active, "days_before": days, "every_days_after": every_days_after},
    )
    return policy


def reminder_due(policy: ReminderPolicy, period: Period, today: date) -> bool:
    days_left = (period.deadline - today).days
    if days_left >= 0:
        return days_left in policy.days_before_list()
    every = policy.every_days_after
    return every > 0 and (-days_left) % every == 0


def reminders_send_due(*, today: date | None = None) -> int:
    """Every county whose schedule says today: its late townships are reminded of the current
    period (older rounds are the county's to chase by hand), once a day: the ReminderSent row is
    written first, and a second run the same day finds it and stops."""
    today = today or timezone.localdate()
    sent = 0
    current = current_period()
    periods = [current] if current is not None and not current.locked else []
    for policy in ReminderPolicy.objects.filter(active=True).select_related("county"):
        for period in periods:
            if not reminder_due(policy, period, today):
                continue
            try:
                with transaction.atomic():
                    row = ReminderSent.objects.create(
                        county=policy.county, period=period, day=today
                    )
                    waiting = _waiting(policy.county, period)
                    row.townships = len(waiting)
                    row.save(update_fields=["townships"])
                    transaction.on_commit(
                        partial(
                            notifications.notify_reminder.delay,
                            waiting,
                            period.pk,
                            policy.county_id,
                        ),
                        robust=True,
                    )
            except IntegrityError:
                continue  # already reminded today
            sent += 1
    return sent


@shared_task(name="reports.reminders_send_due")
def reminders_daily() -> None:
    reminders_send_due()
