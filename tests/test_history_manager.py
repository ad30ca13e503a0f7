"""reportportal.db.HistoryManagerOnce: the history managers work as django-simple-history's, with
their class made once."""

import pytest

from reports.models import Report, ReportValue
from tests.factories import ReportFactory


@pytest.mark.django_db
def test_the_history_of_a_report_and_its_figures_with_one_manager_class(personas):
    report = ReportFactory(township=personas.lianchi, period=personas.period)
    report.other = "改过一次"
    report.save()
    first, second = report.history, Report.objects.get(pk=report.pk).history
    assert type(first) is type(second)
    assert type(Report.history) is type(first)
    assert [row.other for row in report.history.order_by("history_date")][-1] == "改过一次"
    assert report.history.count() == Report.history.filter(id=report.pk).count() == 2
    assert ReportValue.history.model is not Report.history.model
