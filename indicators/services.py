"""Writes for indicator sets. Scoring reports against them is reports.services.scoring."""

import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from org.models import Period

from .models import Indicator, IndicatorSet, ValidationRule

DEFAULT_SET_FILE = Path(settings.BASE_DIR) / "fixtures" / "default_indicator_set.json"


@transaction.atomic
def indicator_set_create_default(*, period: Period) -> IndicatorSet:
    """The period's active set, created from DOMAIN.md's default when the period has none."""
    existing = IndicatorSet.objects.filter(period=period, active=True).first()
    if existing:
        return existing
    spec = json.loads(DEFAULT_SET_FILE.read_text(encoding="utf-8"))
    indicator_set = IndicatorSet.objects.create(period=period, name=spec["name"], active=True)
    Indicator.objects.bulk_create(
        Indicator(
            indicator_set=indicator_set,
            order=(index + 1) * 10,
            code=item["code"],
            name=item["name"],
            area=item["area"],
            formula=item["formula"],
            rule=item["rule"],
            target=None if item["target"] is None else Decimal(item["target"]),
            points=Decimal(item["points"]),
            when_missing=item["when_missing"],
        )
        for index, item in enumerate(spec["indicators"])
    )
    ValidationRule.objects.bulk_create(
        ValidationRule(indicator_set=indicator_set, order=(index + 1) * 10, **rule)
        for index, rule in enumerate(spec["validation_rules"])
    )
    return indicator_set
