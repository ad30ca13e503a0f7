"""Writes for indicator sets. Scoring reports against them is reports.services.scoring."""

import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from org.models import Period

from .models import DeductionItem, Indicator, IndicatorSet, ValidationRule

DEFAULT_SET_FILE = Path(settings.BASE_DIR) / "fixtures" / "default_indicator_set.json"
RUBRIC_SET_FILE = Path(settings.BASE_DIR) / "fixtures" / "county_rubric_indicator_set.json"


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@transaction.atomic
def indicator_set_create_default(*, period: Period) -> IndicatorSet:
    """The period's active set, created from DOMAIN.md's default when the period has none."""
    existing = IndicatorSet.objects.filter(period=period, active=True).first()
    if existing:
        return existing
    return _indicator_set_from_file(period=period, path=DEFAULT_SET_FILE, active=True)


@transaction.atomic
def indicator_set_create_rubric(*, period: Period) -> IndicatorSet:
    """A county's 审核赋分 rubric (deduction rules and reviewer-scored items) as a second, inactive
    set of the period, once; an admin switches to it in the admin (指标体系 → 启用)."""
    spec = json.loads(RUBRIC_SET_FILE.read_text(encoding="utf-8"))
    existing = IndicatorSet.objects.filter(period=period, name=spec["name"]).first()
    if existing:
        return existing
    return _indicator_set_from_file(period=period, path=RUBRIC_SET_FILE, active=False)


def _indicator_set_from_file(*, period: Period, path: Path, active: bool) -> IndicatorSet:
    spec = json.loads(path.read_text(encoding="utf-8"))
    indicator_set = IndicatorSet.objects.create(period=period, name=spec["name"], active=active)
    indicators = Indicator.objects.bulk_create(
        Indicator(
            indicator_set=indicator_set,
            order=(index + 1) * 10,
            code=item["code"],
            name=item["name"],
            area=item["area"],
            formula=item["formula"],
            rule=item["rule"],
            target=_decimal(item["target"]),
            step=_decimal(item.get("step")),
            deduction=_decimal(item.get("deduction")),
            cap=_decimal(item.get("cap")),
            points=Decimal(item["points"]),
            when_missing=item["when_missing"],
        )
        for index, item in enumerate(spec["indicators"])
    )
    DeductionItem.objects.bulk_create(
        DeductionItem(
            indicator=indicator,
            order=(index + 1) * 10,
            name=entry["name"],
            points=Decimal(entry["points"]),
        )
        for indicator, item in zip(indicators, spec["indicators"], strict=True)
        for index, entry in enumerate(item.get("items", []))
    )
    ValidationRule.objects.bulk_create(
        ValidationRule(indicator_set=indicator_set, order=(index + 1) * 10, **rule)
        for index, rule in enumerate(spec["validation_rules"])
    )
    return indicator_set
