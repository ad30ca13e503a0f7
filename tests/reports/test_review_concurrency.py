"""Two reviewers act on one report at the same moment (threads, PostgreSQL): exactly one wins."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from org.models import Membership
from org.services import membership_assign
from reports.models import Report, ReportStatusChange
from reports.services.common import ReportError
from reports.services.drafts import report_save_draft, report_start
from reports.services.transitions import report_approve, report_return, report_submit
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_approve_and_return_at_once_exactly_one_transition(personas, full_parts):
    second = UserFactory(username="shenqiu2")
    membership_assign(user=second, role=Membership.Role.REVIEWER, county=personas.shenqiu)
    report = report_start(
        township=personas.lianchi, period=personas.period, actor=personas.clerk_lianchi
    )
    report = report_save_draft(
        report=report, actor=personas.clerk_lianchi, base_version=1, parts=full_parts, figures={}
    )
    report = report_submit(report=report, actor=personas.clerk_lianchi)

    barrier = threading.Barrier(2)
    outcomes = {}

    def act(name, move):
        try:
            barrier.wait()
            move()
            outcomes[name] = "done"
        except (ReportError, PermissionDenied):
            outcomes[name] = "refused"
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=act,
            args=(
                "approve",
                lambda: report_approve(report=report, actor=personas.reviewer_shenqiu),
            ),
        ),
        threading.Thread(
            target=act,
            args=("return", lambda: report_return(report=report, actor=second, reason="请补充")),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes.values()) == ["done", "refused"]
    winner = "approved" if outcomes["approve"] == "done" else "returned"
    report = Report.objects.get(pk=report.pk)
    assert report.status == winner
    moves = list(
        ReportStatusChange.objects.filter(report=report).values_list("from_status", "to_status")
    )
    assert moves == [("draft", "submitted"), ("submitted", winner)]
