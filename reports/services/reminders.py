"""Reminding the townships of a county that have not sent their report."""

from functools import partial

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from org.access import may_remind
from org.models import County, Period

from .. import notifications
from ..models import Report
from ..workflow import SENT_STATUSES


def county_remind(*, county: County, period: Period, actor: User) -> int:
    """E-mails the clerks of every township of the county that has not sent its report."""
    if not may_remind(actor, county):
        raise PermissionDenied("只有本县的审核员可以发送提醒。")
    sent = set(
        Report.objects.filter(
            township__county=county, period=period, status__in=SENT_STATUSES
        ).values_list("township_id", flat=True)
    )
    waiting = [t for t in county.townships.values_list("pk", flat=True) if t not in sent]
    transaction.on_commit(partial(notifications.notify_reminder, waiting, period, county))
    return len(waiting)
