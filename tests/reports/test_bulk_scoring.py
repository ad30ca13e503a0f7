"""The bulk path (a writer thread on a second connection) scores exactly like one report at a time."""

import io

import pytest
from django.core.management import call_command

from org.models import Period
from reports.models import Report, ReportScore
from reports.services import scoring as services

pytestmark = pytest.mark.django_db(transaction=True)


def test_bulk_recompute_in_several_batches_matches_single_reports(geography, monkeypatch):
    call_command("generate_synthetic", counties=1, townships=30, years=[2023], stdout=io.StringIO())
    period = Period.objects.get(year=2023)
    ids = list(Report.objects.filter(period=period).values_list("pk", flat=True))
    assert len(ids) == 30

    for report in Report.objects.filter(pk__in=ids).select_related("period"):
        services.report_score_compute(report=report)
    one_by_one = {s.report_id: (s.total, s.breakdown) for s in ReportScore.objects.all()}
    ReportScore.objects.all().delete()

    monkeypatch.setattr(services, "BATCH", 7)  # 5 batches, so the writer thread is used
    assert services.scores_recompute(period=period) == 30
    bulk = {s.report_id: (s.total, s.breakdown) for s in ReportScore.objects.all()}
    assert bulk == one_by_one
    assert len(bulk) == 30
