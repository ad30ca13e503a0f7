"""reportportal.db's model helpers answer as the libraries they stand in for: HistoryManagerOnce
as django-simple-history's managers (its class made once), QuickChoiceLabels as Django's
get_<field>_display()."""

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


def test_choice_labels_are_djangos_for_every_value_and_an_unknown_one():
    from django.db.models import Model

    from org.models import AuditEvent, Membership, Township
    from reports.models import ReportStatusChange

    for model, name in (
        (Report, "status"),
        (ReportStatusChange, "to_status"),
        (Township, "kind"),
        (Membership, "role"),
        (AuditEvent, "event"),
    ):
        field = model._meta.get_field(name)
        for value in [choice for choice, _label in field.flatchoices] + ["unknown", None]:
            instance = model(**{field.attname: value})
            quick = getattr(instance, f"get_{name}_display")()
            assert quick == Model._get_FIELD_display(instance, field)
            assert quick == dict(field.flatchoices).get(value, value)
