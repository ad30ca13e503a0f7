"""A failure in the middle of a move leaves the report exactly as it was and mails nobody.

The faults are real, not patched services: an indicator row the scoring code trips over, and
PostgreSQL refusing a write (a trigger standing in for a full disk or a dropped connection). Each
test then makes the same move succeed, so that its "nothing changed, nothing sent" checks are
shown to be able to fail.
"""

import pytest
from django.core import mail
from django.db import DatabaseError, connection

from indicators.models import Indicator
from indicators.selectors import active_indicator_set
from reports.models import Report, ReportScore, ReportValue
from reports.services.comments import comment_add
from reports.services.drafts import report_save_draft
from reports.services.transitions import report_approve, report_submit
from reports.workflow import ReportStatus
from tests.helpers import submit_report

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the write faults are PostgreSQL triggers"
)


@pytest.fixture
def emails(personas):
    for user in (personas.clerk_lianchi, personas.reviewer_shenqiu):
        user.email = f"{user.username}@example.org"
        user.save()


@pytest.fixture
def ready(personas, draft, full_parts):
    """A complete 莲池镇 draft that passes every check, scored once already."""
    return report_save_draft(
        report=draft,
        actor=personas.clerk_lianchi,
        base_version=draft.version,
        parts=full_parts,
        figures={"villages_total": 20, "villages_with_legal_advisor": 10},
    )


@pytest.fixture
def refuse_writes():
    """refuse(table, when): PostgreSQL raises on matching INSERT/UPDATE of the table. Made inside
    the test's transaction, so the function and triggers go with its rollback."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_write() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'simulated write failure on %', TG_TABLE_NAME; END $$"
        )

    def refuse(table: str, when: str = "true") -> str:
        name = f"refuse_{table}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW "
                f"WHEN ({when}) EXECUTE FUNCTION test_refuse_write()"
            )
        return name

    def allow(table: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER refuse_{table} ON {table}")

    refuse.allow = allow
    return refuse


def state(report) -> dict:
    """Everything a move may write, read back from the tables."""
    report = Report.objects.get(pk=report.pk)
    score = ReportScore.objects.filter(report=report).values("total", "computed_at").first()
    return {
        "row": (
            report.status,
            report.version,
            report.submitted_at,
            report.updated_at,
            report.updated_by_id,
        ),
        "snapshots": list(report.snapshots.values_list("round", "submitted_at")),
        "moves": list(report.status_changes.values_list("from_status", "to_status", "at")),
        "history": list(Report.history.filter(id=report.pk).values_list("history_id", flat=True)),
        "value_history": ReportValue.history.filter(report_id=report.pk).count(),
        "comments": list(report.comments.values_list("pk", "resolved_at", "resolved_by_id")),
        "score": score,
    }


def test_submit_failing_in_scoring_changes_nothing_and_mails_nobody(
    personas, ready, emails, django_capture_on_commit_callbacks
):
    # A row the admin form refuses (linear scoring needs a target) but the table accepts, as a
    # script or a hand-edited import could leave it: scoring divides by the missing target. The
    # draft was scored before it existed, so the fault comes in submit's scoring step, after the
    # snapshot, the move and the history row have been written.
    broken = Indicator.objects.create(
        indicator_set=active_indicator_set(personas.period),
        code="broken",
        name="坏指标",
        formula="villages_total",
        rule=Indicator.Rule.LINEAR,
        target=None,
        points=5,
        order=999,
    )
    before = state(ready)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TypeError) as failed:
        report_submit(report=ready, actor=personas.clerk_lianchi)
    assert any(entry.name == "report_score_compute" for entry in failed.traceback)
    assert state(ready) == before
    assert before["row"][0] == ReportStatus.DRAFT
    assert mail.outbox == []

    broken.delete()
    with django_capture_on_commit_callbacks(execute=True):
        report_submit(report=ready, actor=personas.clerk_lianchi)
    after = state(ready)
    assert after["row"][0] == ReportStatus.SUBMITTED
    assert len(after["snapshots"]) == len(after["moves"]) == 1
    assert len(after["history"]) == len(before["history"]) + 1
    assert after["score"]["computed_at"] > before["score"]["computed_at"]
    assert [m.to for m in mail.outbox] == [["shenqiu@example.org"]]


def test_submit_failing_to_store_the_score_changes_nothing_and_mails_nobody(
    personas, ready, emails, refuse_writes, django_capture_on_commit_callbacks
):
    refuse_writes("reports_reportscore")  # the last write of a submission
    before = state(ready)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(DatabaseError, match="simulated write failure"),
    ):
        report_submit(report=ready, actor=personas.clerk_lianchi)
    assert state(ready) == before
    assert mail.outbox == []

    refuse_writes.allow("reports_reportscore")
    with django_capture_on_commit_callbacks(execute=True):
        report_submit(report=ready, actor=personas.clerk_lianchi)
    assert state(ready)["row"][0] == ReportStatus.SUBMITTED
    assert [m.to for m in mail.outbox] == [["shenqiu@example.org"]]


def test_approve_failing_to_store_the_status_changes_nothing_and_mails_nobody(
    personas, full_parts, emails, refuse_writes, django_capture_on_commit_callbacks
):
    report = submit_report(
        township=personas.lianchi,
        period=personas.period,
        clerk=personas.clerk_lianchi,
        parts=full_parts,
    )
    # Approval marks open comments resolved before it records the move: that must roll back too.
    comment_add(report=report, actor=personas.reviewer_shenqiu, target="other", body="可补充。")
    refuse_writes("reports_report", "NEW.status = 'approved'")
    mail.outbox.clear()
    before = state(report)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(DatabaseError, match="simulated write failure"),
    ):
        report_approve(report=report, actor=personas.reviewer_shenqiu)
    assert state(report) == before
    assert before["comments"][0][1] is None  # still open
    assert mail.outbox == []

    refuse_writes.allow("reports_report")
    with django_capture_on_commit_callbacks(execute=True):
        report_approve(report=report, actor=personas.reviewer_shenqiu)
    after = state(report)
    assert after["row"][0] == ReportStatus.APPROVED
    assert after["comments"][0][1] is not None
    assert len(after["moves"]) == len(before["moves"]) + 1
    assert [m.to for m in mail.outbox] == [["lianchi@example.org"]]
