"""Reads of the configuration: data elements, the active indicator set, its validation rules."""

import threading

from django.db import connection
from django.db.models import QuerySet

from org.models import Period
from reportportal.db import FixedQuery, execute_prepared, row_version
from reportportal.memo import per_request

from .models import DataElement, DeductionItem, Indicator, IndicatorSet, ValidationRule
from .scoring import CompiledIndicator

# Read by nearly every report page and save: compiled once (reportportal.db.FixedQuery).
_ACTIVE_ELEMENTS = FixedQuery(
    lambda: DataElement.objects.filter(active=True).order_by("order", "code")
)
_ALL_ELEMENTS = FixedQuery(lambda: DataElement.objects.order_by("order", "code"))
_ACTIVE_SET = FixedQuery(
    lambda period_id: IndicatorSet.objects.filter(period_id=period_id, active=True)[:1]
)
_RULES = FixedQuery(
    lambda period_id: ValidationRule.objects.filter(
        indicator_set__period_id=period_id, indicator_set__active=True, active=True
    )
)


@per_request
def active_data_elements() -> list[DataElement]:
    return _ACTIVE_ELEMENTS()


@per_request
def all_data_elements() -> list[DataElement]:
    """Retired ones too (what earlier submissions may hold), in form order."""
    return _ALL_ELEMENTS()


@per_request
def active_indicator_set(period: Period) -> IndicatorSet | None:
    found = _ACTIVE_SET(period.pk)
    return found[0] if found else None


_SET_INDICATORS = FixedQuery(
    lambda set_id: Indicator.objects.filter(indicator_set_id=set_id).order_by("order", "id")
)


@per_request
def set_indicators(set_id: int) -> list[Indicator]:
    """The set's indicators in order (the ranking's columns, a score's breakdown)."""
    return _SET_INDICATORS(set_id)


def compiled_indicators(indicator_set: IndicatorSet) -> list[CompiledIndicator]:
    """The set's indicators with their formulas parsed. Every save of a draft scores its report:
    the compiled list is kept (per thread, as evaluating sets a parser's names) while one query
    says that the set, its indicators and their deduction items are as they were."""
    stamp = _set_stamp(indicator_set.pk)
    if stamp is None:
        return _compile(indicator_set)
    kept: dict[int, tuple[str, list[CompiledIndicator]]] = _compiled.__dict__.setdefault(
        "by_set", {}
    )
    hit = kept.get(indicator_set.pk)
    if hit is None or hit[0] != stamp:
        if len(kept) > 32:  # a few sets are in use at a time (one a year)
            kept.clear()
        hit = kept[indicator_set.pk] = (stamp, _compile(indicator_set))
    return hit[1]


_compiled = threading.local()

# Every row the compiled list is made from, as row versions: any insert, update or delete of the
# set, one of its indicators or one of their deduction items changes it.
_SET_STAMP_SQL = f"""
SELECT ROW({row_version("s")},
    (SELECT string_agg(i.id || ':' || {row_version("i")}, ',' ORDER BY i.id)
     FROM {Indicator._meta.db_table} i WHERE i.indicator_set_id = s.id),
    (SELECT string_agg(d.id || ':' || {row_version("d")}, ',' ORDER BY d.id)
     FROM {DeductionItem._meta.db_table} d
     JOIN {Indicator._meta.db_table} i ON i.id = d.indicator_id
     WHERE i.indicator_set_id = s.id))::text
FROM {IndicatorSet._meta.db_table} s WHERE s.id = %s
"""


def _set_stamp(set_id: int) -> str | None:
    if connection.vendor != "postgresql":
        return None  # row versions are PostgreSQL's: compiled afresh each time
    with connection.cursor() as cursor:
        execute_prepared(cursor, _SET_STAMP_SQL, [set_id])
        row = cursor.fetchone()
    return row[0] if row else None


def _compile(indicator_set: IndicatorSet) -> list[CompiledIndicator]:
    return [
        CompiledIndicator.from_model(i)
        for i in indicator_set.indicators.order_by("order", "id").prefetch_related(
            "deduction_items"
        )
    ]


@per_request
def validation_rules(period: Period) -> list[ValidationRule]:
    """The active validation rules of the period's active set (checked on submission)."""
    return _RULES(period.pk)


def indicators_of(indicator_set: IndicatorSet) -> QuerySet[Indicator]:
    return indicator_set.indicators.all()
