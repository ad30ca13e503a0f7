"""What must hold before a report may be submitted: required parts written, and the figures
consistent with the validation rules of the period's active indicator set."""

from collections.abc import Mapping

from indicators.models import ValidationRule

from .sections import REQUIRED_SECTION_KEYS, SECTIONS_BY_KEY


def submission_errors(
    *, period, parts: Mapping[str, str], figures: Mapping[str, int | None]
) -> dict[str, list[str]]:
    """Problems keyed by part key or data-element code; empty when the report may be submitted."""
    errors: dict[str, list[str]] = {}
    for key in REQUIRED_SECTION_KEYS:
        if not (parts.get(key) or "").strip():
            errors.setdefault(key, []).append(
                f"“{SECTIONS_BY_KEY[key].heading}”是必填部分，请填写后再提交。"
            )
    rules = ValidationRule.objects.filter(
        indicator_set__period=period, indicator_set__active=True, active=True
    )
    for rule in rules:
        message = rule.violation(figures)
        if message:
            for code in sorted(rule.codes()):
                errors.setdefault(code, []).append(message)
    return errors
