"""Reads of the configuration: data elements, the active indicator set, its validation rules."""

from django.db.models import QuerySet

from org.models import Period
from reportportal.memo import per_request

from .models import DataElement, Indicator, IndicatorSet, ValidationRule
from .scoring import CompiledIndicator


@per_request
def active_data_elements() -> list[DataElement]:
    return list(DataElement.objects.filter(active=True).order_by("order", "code"))


@per_request
def active_indicator_set(period: Period) -> IndicatorSet | None:
    return IndicatorSet.objects.filter(period=period, active=True).first()


@per_request
def active_indicator_set_with_indicators(period: Period) -> IndicatorSet | None:
    return (
        IndicatorSet.objects.filter(period=period, active=True)
        .prefetch_related("indicators")
        .first()
    )


def compiled_indicators(indicator_set: IndicatorSet) -> list[CompiledIndicator]:
    return [
        CompiledIndicator.from_model(i)
        for i in indicator_set.indicators.order_by("order", "id").prefetch_related(
            "deduction_items"
        )
    ]


@per_request
def validation_rules(period: Period) -> list[ValidationRule]:
    """The active validation rules of the period's active set (checked on submission)."""
    return list(
        ValidationRule.objects.filter(
            indicator_set__period=period, indicator_set__active=True, active=True
        )
    )


def indicators_of(indicator_set: IndicatorSet) -> QuerySet[Indicator]:
    return indicator_set.indicators.all()
