"""Two clerks saving the same draft at the same moment, in two threads on PostgreSQL."""

import threading

import pytest
from django.db import connection

from reports.models import Report
from reports.services.common import VersionConflict
from reports.services.drafts import report_save_draft, report_start

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_one_version_exactly_one_wins(personas):
    report = report_start(
        township=personas.lianchi, period=personas.period, actor=personas.clerk_lianchi
    )
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(text: str) -> None:
        try:
            barrier.wait()
            report_save_draft(
                report=report,
                actor=personas.clerk_lianchi,
                base_version=1,
                parts={"shortcomings": text},
                figures={"villages_total": len(text)},
            )
            outcomes[text] = "saved"
        except VersionConflict:
            outcomes[text] = "conflict"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(text,)) for text in ("甲的内容", "乙写的更长内容")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(text for text, outcome in outcomes.items() if outcome == "saved")
    report = Report.objects.get(pk=report.pk)
    assert report.shortcomings == winner
    assert report.version == 2
    assert report.values.get(element__code="villages_total").value == len(winner)
    assert report.history.count() == 2  # created, then exactly one save
