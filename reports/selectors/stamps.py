"""What a cached fragment of a county's pages is keyed on: one aggregate query that changes
whenever anything those pages show of the county's reports for a period changes.

Every write of a report bumps its updated_at; every move of the workflow adds a status-change
row; every score is recomputed with a new computed_at when its report, its deductions or the
indicator set change; comments add rows and are resolved with a time; a township added or
removed changes the county's count and ids. The period's deadline (what makes a report late) is
part of the key. What the aggregate cannot see (a township or an indicator renamed in the admin)
shows after FRAGMENT_SECONDS at the latest.
"""

from django.db import connection

from org.models import County, Period, Township
from reportportal.memo import per_request

from ..models import Report, ReportScore, ReportStatusChange, ReviewComment

FRAGMENT_SECONDS = 300

# One statement written out: the ORM's aggregates over joins cost more to compile (about 4 ms)
# than the fragments they guard cost to draw.
STAMP_SQL = f"""
WITH county_reports AS (
    SELECT r.id, r.updated_at FROM {Report._meta.db_table} r
    JOIN {Township._meta.db_table} t ON t.id = r.township_id
    WHERE r.period_id = %s AND t.county_id = %s
)
SELECT count(*), sum(id), max(updated_at),
    (SELECT max(m.id) FROM county_reports c
     JOIN {ReportStatusChange._meta.db_table} m ON m.report_id = c.id),
    (SELECT max(s.computed_at) FROM county_reports c
     JOIN {ReportScore._meta.db_table} s ON s.report_id = c.id),
    (SELECT max(k.id) FROM county_reports c
     JOIN {ReviewComment._meta.db_table} k ON k.report_id = c.id),
    (SELECT max(k.resolved_at) FROM county_reports c
     JOIN {ReviewComment._meta.db_table} k ON k.report_id = c.id),
    (SELECT count(*) || ':' || coalesce(sum(id), 0) FROM {Township._meta.db_table}
     WHERE county_id = %s)
FROM county_reports
"""


@per_request
def county_period_stamp(county: County, period: Period) -> str:
    with connection.cursor() as cursor:
        cursor.execute(STAMP_SQL, [period.pk, county.pk, county.pk])
        row = cursor.fetchone()
    return "|".join([period.deadline.isoformat(), *map(str, row)]).replace(" ", "T")
