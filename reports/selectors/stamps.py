"""What a cached fragment of a county's pages is keyed on: one aggregate query that changes
whenever anything those pages show of the county's reports for a period changes.

Every write of a report bumps its updated_at; every move of the workflow adds a status-change
row; every score is recomputed with a new computed_at when its report, its deductions or the
indicator set change; comments add rows and are resolved with a time; a township added or
removed changes the county's count and ids. The period's deadline (what makes a report late) is
part of the key. What the aggregate cannot see (a township or an indicator renamed in the admin)
shows after FRAGMENT_SECONDS at the latest.
"""

import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import CharField, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from indicators.models import DataElement
from org.models import County, Period, Township
from reportportal.db import execute_prepared, row_version
from reportportal.memo import per_request

from ..models import (
    Evidence,
    FigureCheck,
    Report,
    ReportScore,
    ReportSimilarity,
    ReportSnapshot,
    ReportStatusChange,
    ReportValue,
    ReviewComment,
    ReviewerDeduction,
)
from ..workflow import SENT_STATUSES

if TYPE_CHECKING:
    from .reports import Capabilities

FRAGMENT_SECONDS = 300


def _database_stamps() -> bool:
    """The report, township and workflow stamps are PostgreSQL's (row versions, md5, ordered
    aggregates). On another database (the demo's SQLite) they are replaced by a value never seen
    again: each page part is drawn afresh, never served stale."""
    return connection.vendor == "postgresql"


def _never_again() -> str:
    return secrets.token_hex(16)


version = row_version


# One statement written out: the ORM's aggregates over joins cost more to compile (about 4 ms)
# than the fragments they guard cost to draw.
COUNTY_REPORTS = f"""
WITH county_reports AS (
    SELECT r.id, r.updated_at FROM {Report._meta.db_table} r
    JOIN {Township._meta.db_table} t ON t.id = r.township_id
    WHERE r.period_id = %s AND t.county_id = %s
)"""
COUNTY_COLUMNS = f"""count(*), sum(id), max(updated_at),
    (SELECT max(m.id) FROM county_reports c
     JOIN {ReportStatusChange._meta.db_table} m ON m.report_id = c.id),
    (SELECT max(s.computed_at) FROM county_reports c
     JOIN {ReportScore._meta.db_table} s ON s.report_id = c.id),
    (SELECT max(k.id) FROM county_reports c
     JOIN {ReviewComment._meta.db_table} k ON k.report_id = c.id),
    (SELECT max(k.resolved_at) FROM county_reports c
     JOIN {ReviewComment._meta.db_table} k ON k.report_id = c.id),
    (SELECT count(*) || ':' || coalesce(sum(id), 0) FROM {Township._meta.db_table}
     WHERE county_id = %s)"""
STAMP_SQL = f"{COUNTY_REPORTS}\nSELECT {COUNTY_COLUMNS}\nFROM county_reports"


@per_request
def county_period_stamp(county: County, period: Period) -> str:
    with connection.cursor() as cursor:
        execute_prepared(cursor, STAMP_SQL, [period.pk, county.pk, county.pk])
        row = cursor.fetchone()
    return "|".join([period.deadline.isoformat(), *map(str, row)]).replace(" ", "T")


def _versions(table: str, where: str) -> str:
    """The ids and row versions of a table's rows: any insert, update or delete changes it."""
    return (
        f"(SELECT coalesce(string_agg(x.id || ':' || {version('x')}, ',' ORDER BY x.id), '') FROM {table} x"
        f" WHERE {where})"
    )


# Everything the report's own pages show, read in one statement, as row versions (version(): any
# insert, update or delete changes it; no long text is read): the report row itself (text,
# status, version, who saved it), its figures, comments, workflow moves, submission rounds,
# evidence, score, reviewer deductions, figure checks, stored similar reports, the township's
# other years (last year's plan and figures are compared), and the township, county and period
# rows (names, villages, deadline, lock).
_R = "x.report_id = r.id"
# (name, column): the named ones also tell whether the report has any such rows at all, so a page
# drawn after this statement need not ask (report_has).
_REPORT_COLUMNS = [
    (
        "",
        f"r.id || ':' || {version('r')} || ':' || {version('t')} || ':' || {version('c')}"
        f" || ':' || {version('p')}",
    ),
    ("values", _versions(ReportValue._meta.db_table, _R)),
    ("comments", _versions(ReviewComment._meta.db_table, _R)),
    ("", _versions(ReportStatusChange._meta.db_table, _R)),
    ("", _versions(ReportSnapshot._meta.db_table, _R)),
    ("evidence", _versions(Evidence._meta.db_table, _R)),
    ("", _versions(ReportScore._meta.db_table, _R)),
    ("deductions", _versions(ReviewerDeduction._meta.db_table, _R)),
    ("checks", _versions(FigureCheck._meta.db_table, _R)),
    ("", _versions(ReportSimilarity._meta.db_table, _R)),
    ("", _versions(Report._meta.db_table, "x.township_id = r.township_id AND x.id <> r.id")),
]
REPORT_STAMP_SQL = f"""
SELECT {", ".join(column for _name, column in _REPORT_COLUMNS)}
FROM {Report._meta.db_table} r
JOIN {Township._meta.db_table} t ON t.id = r.township_id
JOIN {County._meta.db_table} c ON c.id = t.county_id
JOIN {Period._meta.db_table} p ON p.id = r.period_id
WHERE r.id = %s
"""
# The county's sent reports for a period, as row versions: all that the county's medians (their
# figures) and the queue's next report (their order) are drawn from. Every service that writes a
# report's figures writes its row too (the version); a draft saved anywhere in the county leaves
# it as it is, while a report sent, withdrawn, returned, approved or published (or a returned one
# corrected) changes it. The statuses are the workflow's own constants, not input.
_SENT = ", ".join(f"'{status}'" for status in sorted(SENT_STATUSES))
SENT_STAMP_SQL = f"""
SELECT coalesce(string_agg(r.id || ':' || {version("r")}, ',' ORDER BY r.id), '')
FROM {Report._meta.db_table} r
JOIN {Township._meta.db_table} t ON t.id = r.township_id
WHERE r.period_id = %s AND t.county_id = %s AND r.status IN ({_SENT})
"""
# The report's stamp and its county's sent reports' for the period, in one round trip.
REPORT_AND_SENT_SQL = f"""
SELECT own.*, sent.* FROM ({REPORT_STAMP_SQL}) own, ({SENT_STAMP_SQL}) sent
"""


@per_request
def county_sent_stamp(county_id: int, period_id: int) -> str:
    if not _database_stamps():
        return _never_again()
    with connection.cursor() as cursor:
        execute_prepared(cursor, SENT_STAMP_SQL, [period_id, county_id])
        return str(cursor.fetchone()[0])


@per_request
def _rows_present(report_id: int) -> frozenset[str] | None:
    """What the report has rows of, as its stamp read in this request found (None: not read)."""
    return None


def report_has(report_id: int, kind: str) -> bool:
    """False only when this request's stamp of the report found no such rows ("comments",
    "evidence", "checks", "deductions", "values"); True when it found some or was not read."""
    present = _rows_present(report_id)
    return present is None or kind in present


def report_stamps(report: Report, *, county_wide: bool) -> tuple[str, str]:
    """Digests of the report's stamp (everything its pages show of it) and, for a page that
    shows what depends on the county's other reports (the medians, the queue's next report), of
    the stamp of the county's sent reports for the report's period ("" otherwise): one
    statement. The other townships' drafts being saved leave both as they are."""
    if not _database_stamps():
        return _never_again(), _never_again() if county_wide else ""
    with connection.cursor() as cursor:
        if county_wide:
            execute_prepared(
                cursor,
                REPORT_AND_SENT_SQL,
                [report.pk, report.period_id, report.township.county_id],
            )
        else:
            execute_prepared(cursor, REPORT_STAMP_SQL, [report.pk])
        row = cursor.fetchone()
    if row is None:  # deleted since it was read: nothing to keep or to know
        return _never_again(), _never_again() if county_wide else ""
    own, sent = row[: len(_REPORT_COLUMNS)], row[len(_REPORT_COLUMNS) :]
    _rows_present.remember(  # type: ignore[attr-defined]
        report.pk,
        value=frozenset(
            name
            for (name, _column), value in zip(_REPORT_COLUMNS, own, strict=True)
            if name and value
        ),
    )
    if county_wide:
        # The medians' key, if the page is drawn, is this same stamp.
        county_sent_stamp.remember(  # type: ignore[attr-defined]
            report.township.county_id, report.period_id, value=str(sent[0])
        )
    return _digest(own), _digest(sent[0]) if county_wide else ""


def _digest(stamp: object) -> str:
    return hashlib.sha256(repr(stamp).encode()).hexdigest()


def report_page_key(
    user: Any, report: Report, can: "Capabilities", *stamps: str
) -> tuple[object, ...]:
    """The key of a cached part of one report's page for one user: who looks and what they may
    do, the day (deadlines count in days), and the stamps (report_stamps) of what the part
    shows."""
    return (
        user.pk,
        report.pk,
        sorted(can.rights),
        can.actions,
        (can.edit, can.answer, can.review, can.comment),
        timezone.localdate().isoformat(),
        *stamps,
    )


# What a township's own home page shows: its name and county's, its reports' states (a return adds
# a status change and its reason), and every period's year, deadline and lock.
TOWNSHIP_STAMP_SQL = f"""
SELECT
    (SELECT md5(t::text || c::text) FROM {Township._meta.db_table} t
     JOIN {County._meta.db_table} c ON c.id = t.county_id WHERE t.id = %s),
    (SELECT md5(coalesce(string_agg(r.id || ':' || r.period_id || ':' || r.status || ':' ||
        r.version || ':' || r.updated_at, '|' ORDER BY r.id), ''))
     FROM {Report._meta.db_table} r WHERE r.township_id = %s),
    (SELECT max(m.id) FROM {ReportStatusChange._meta.db_table} m
     JOIN {Report._meta.db_table} r ON r.id = m.report_id WHERE r.township_id = %s),
    (SELECT md5(coalesce(string_agg(p::text, '|' ORDER BY p.id), ''))
     FROM {Period._meta.db_table} p)
"""


def township_page_key(user: Any, township: Township) -> tuple[object, ...]:
    """The key of the township's home page for its clerk: the day (deadlines count in days) and
    the township's reports and the periods as they stand."""
    if not _database_stamps():
        return (user.pk, township.pk, _never_again())
    with connection.cursor() as cursor:
        execute_prepared(cursor, TOWNSHIP_STAMP_SQL, [township.pk] * 3)
        row = cursor.fetchone()
    return (user.pk, township.pk, timezone.localdate().isoformat(), *map(str, row))


def county_page_key(
    user: Any, county: County, period: Period | None, *asked: object
) -> tuple[object, ...]:
    """The key of a county page's body for one user: the county and period as read for this
    request (names, deadline, lock), the day (urgency counts in days), how the page was asked
    for, and the county's stamp for the period."""
    return (
        user.pk,
        county.pk,
        county.name,
        county.city,
        (period.pk, period.deadline.isoformat(), period.locked) if period else None,
        timezone.localdate().isoformat(),
        *asked,
        county_period_stamp(county, period) if period else None,
    )


# What the public list and the admin's overview are keyed on: the newest workflow move
# (publishing, withdrawing, sending, approving … each adds a status-change row, the bulk approval
# too), the newest report (a report started; reports are never deleted), the newest county and
# township (a place added), and the periods' rows (a year added, a deadline moved, a year locked:
# version() changes with every write). Probes of primary-key indexes and
# a handful of periods, whatever the number of reports: no count over the country's reports on
# every request. It moves more often than those pages change (a move anywhere redraws them),
# never less. What it cannot see (a place renamed, moved or removed in the admin) shows after
# FRAGMENT_SECONDS at the latest. The rows' times are part of it so that a database built again
# (ids counted from 1 again) never meets an old key.
WORKFLOW_STAMP_SQL = f"""
SELECT
    (SELECT id || '@' || at FROM {ReportStatusChange._meta.db_table} ORDER BY id DESC LIMIT 1),
    (SELECT id || '@' || created_at FROM {Report._meta.db_table} ORDER BY id DESC LIMIT 1),
    (SELECT max(id) FROM {County._meta.db_table}),
    (SELECT max(id) FROM {Township._meta.db_table}),
    (SELECT string_agg(id || ':' || {version(Period._meta.db_table)}, ',' ORDER BY id)
     FROM {Period._meta.db_table})
"""


@per_request
def workflow_stamp() -> str:
    if not _database_stamps():
        return _never_again()
    with connection.cursor() as cursor:
        execute_prepared(cursor, WORKFLOW_STAMP_SQL, [])
        row = cursor.fetchone()
    return "|".join(map(str, row)).replace(" ", "T")


# What a published report's public page shows, as a digest read with the report itself (an
# annotation: no query of its own): the report row (text, version), its figures, its moves (who
# approved it, when), its township, county and period, and the data items (names, units, which are
# active). Anything written to those rows, by a service or straight to the table, changes it.
# A row's version() changes with every write to it, so the report's long texts need not be read
# and hashed to know they changed. The
# township, county and period are the query's own joins (published_reports selects them).
_REPORT = Report._meta.db_table
PUBLIC_REPORT_DIGEST_SQL = f"""md5(concat_ws('|', {_REPORT}.id, {version(_REPORT)},
    {version(Township._meta.db_table)}, {County._meta.db_table}.id,
    {version(County._meta.db_table)}, {version(Period._meta.db_table)},
    {_versions(ReportValue._meta.db_table, f"x.report_id = {_REPORT}.id")},
    {_versions(ReportStatusChange._meta.db_table, f"x.report_id = {_REPORT}.id")},
    {_versions(DataElement._meta.db_table, "true")}
))"""


def public_report_digest() -> RawSQL | Value:
    """An annotation for a query of reports: their public page's digest (public_report_digest)."""
    if not _database_stamps():
        return Value(_never_again(), output_field=CharField())
    return RawSQL(PUBLIC_REPORT_DIGEST_SQL, [])  # noqa: S611 - no parameters, table names only
