"""What a cached fragment of a county's pages is keyed on: one aggregate query that changes
whenever anything those pages show of the county's reports for a period changes.

Every write of a report bumps its updated_at; every move of the workflow adds a status-change
row; every score is recomputed with a new computed_at when its report, its deductions or the
indicator set change; comments add rows and are resolved with a time. The period's deadline
(what makes a report late) is part of the key. What the aggregate cannot see (a township or an
indicator renamed in the admin) shows after FRAGMENT_SECONDS at the latest.
"""

from django.db.models import Count, Max, Sum

from org.models import County, Period

from ..models import Report

FRAGMENT_SECONDS = 300


def county_period_stamp(county: County, period: Period) -> str:
    reports = Report.objects.filter(township__county=county, period=period)
    figures = reports.aggregate(
        reports=Count("id", distinct=True),
        ids=Sum("id", distinct=True),
        changed=Max("updated_at"),
        moved=Max("status_changes__id"),
        scored=Max("score__computed_at"),
    )
    comments = reports.aggregate(comment=Max("comments__id"), resolved=Max("comments__resolved_at"))
    parts = [period.deadline.isoformat(), *map(str, figures.values()), *map(str, comments.values())]
    return "|".join(parts).replace(" ", "T")
