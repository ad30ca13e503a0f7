"""reportportal.db.FixedQuery: a queryset compiled once, run again with other ids, gives what the
queryset itself gives."""

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from reading.sections import SECTION_KEYS
from reportportal.db import FixedQuery
from reports.models import Report
from tests.factories import ReportFactory

WITH_PLACES = FixedQuery(
    lambda pk: Report.objects.filter(pk=pk).select_related("township__county", "period")
)
WITHOUT_TEXTS = FixedQuery(lambda pk: Report.objects.filter(pk=pk).defer(*SECTION_KEYS))


@pytest.mark.django_db
def test_the_same_objects_as_the_queryset_with_their_related_rows(personas):
    first = ReportFactory(township=personas.lianchi, period=personas.period, other="其他事项")
    second = ReportFactory(township=personas.huatai, period=personas.period)
    for report in (first, second, first):
        expected = Report.objects.select_related("township__county", "period").get(pk=report.pk)
        with CaptureQueriesContext(connection) as queries:
            (found,) = WITH_PLACES(report.pk)
            # The related rows came with it: no query for them.
            assert found.township.county.name == expected.township.county.name
            assert found.period.deadline == expected.period.deadline
        assert len(queries) == 1
        assert found == expected
        assert {f.attname: getattr(found, f.attname) for f in Report._meta.concrete_fields} == {
            f.attname: getattr(expected, f.attname) for f in Report._meta.concrete_fields
        }
    assert WITH_PLACES(second.pk + first.pk + 1000) == []


@pytest.mark.django_db
def test_deferred_fields_stay_deferred_until_read(personas):
    report = ReportFactory(township=personas.lianchi, period=personas.period, other="其他事项")
    (found,) = WITHOUT_TEXTS(report.pk)
    assert set(SECTION_KEYS) <= found.get_deferred_fields()
    assert found.other == "其他事项"  # read when asked for, as Django does


@pytest.mark.django_db(transaction=True)
def test_locking_needs_a_transaction(personas):
    report = ReportFactory(township=personas.lianchi, period=personas.period)
    locked = FixedQuery(lambda pk: Report.objects.filter(pk=pk).select_for_update())
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            assert locked(report.pk) == [report]
        if connection.vendor == "postgresql":
            assert "FOR UPDATE" in queries[0]["sql"]
    if connection.features.has_select_for_update:
        with pytest.raises(TransactionManagementError):
            locked(report.pk)


@pytest.mark.django_db
def test_refuses_what_it_cannot_run_again():
    with pytest.raises(TypeError):
        WITH_PLACES("1")
    with pytest.raises(ValueError):
        # The id twice in the statement: which parameter is it?
        FixedQuery(lambda pk: Report.objects.filter(Q(pk=pk) | Q(township_id=pk)))(1)


@pytest.mark.django_db
def test_a_report_read_without_its_parts_gets_them_and_its_last_editor_in_one_query(personas):
    from reports.selectors.reports import get_report_for_user, with_texts

    report = ReportFactory(
        township=personas.lianchi,
        period=personas.period,
        other="其他事项",
        updated_by=personas.clerk_lianchi,
    )
    for _ in range(2):  # compiled the first time, run again the second
        found, _can = get_report_for_user(personas.clerk_lianchi, report.pk, texts=False)
        assert set(SECTION_KEYS) <= found.get_deferred_fields()
        with CaptureQueriesContext(connection) as queries:
            with_texts(found)
            assert found.other == "其他事项"
            assert found.updated_by == personas.clerk_lianchi
            with_texts(found)  # nothing left to read
        assert len(queries) == 1
        assert not set(SECTION_KEYS) & found.get_deferred_fields()
    # Only the unread parts are read: one read already stays as it is in memory.
    found, _can = get_report_for_user(personas.clerk_lianchi, report.pk, texts=False)
    found.other = "页面上改过"
    with_texts(found)
    assert found.other == "页面上改过"
    assert found.measures_and_results == report.measures_and_results
    stale, _can = get_report_for_user(personas.clerk_lianchi, report.pk, texts=False)
    Report.objects.filter(pk=report.pk).delete()
    with pytest.raises(Report.DoesNotExist):
        with_texts(stale)
