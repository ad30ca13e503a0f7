"""The compiled indicators a save scores with are kept only while nothing they are made of moved."""

from decimal import Decimal

from indicators.models import DeductionItem, Indicator, IndicatorSet
from indicators.selectors import compiled_indicators


def points_of(compiled, code: str) -> Decimal:
    return next(ind.points for ind in compiled if ind.code == code)


def test_compiled_indicators_follow_every_write_to_the_set(personas):
    indicator_set = IndicatorSet.objects.get(period=personas.period, active=True)
    first = compiled_indicators(indicator_set)
    assert compiled_indicators(indicator_set) is first  # kept: nothing changed

    indicator = indicator_set.indicators.order_by("order", "id").first()
    # Straight to the table, as an admin's edit or a migration would land.
    Indicator.objects.filter(pk=indicator.pk).update(points=indicator.points + 1)
    changed = compiled_indicators(indicator_set)
    assert changed is not first
    assert points_of(changed, indicator.code) == indicator.points + 1

    reviewer = indicator_set.indicators.filter(rule="reviewer").first() or indicator
    DeductionItem.objects.create(indicator=reviewer, name="未按要求公开", points=Decimal("0.5"))
    assert compiled_indicators(indicator_set) is not changed

    again = compiled_indicators(indicator_set)
    IndicatorSet.objects.filter(pk=indicator_set.pk).update(name="改过的名称")
    assert compiled_indicators(indicator_set) is not again
