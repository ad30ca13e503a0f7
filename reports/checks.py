"""What must hold before a report may be submitted: required parts really written (not 「无」), and the figures
consistent with the validation rules of the period's active indicator set."""

from collections.abc import Mapping

from indicators.models import ValidationRule
from reading.completeness import parts_present
from reading.sections import REQUIRED_SECTION_KEYS, SECTIONS_BY_KEY


def submission_errors(
    *, period, parts: Mapping[str, str], figures: Mapping[str, int | None]
) -> dict[str, list[str]]:
    """Problems keyed by part key or data-element code; empty when the report may be submitted."""
    errors: dict[str, list[str]] = {}
    present = parts_present(dict(parts))
    for key in REQUIRED_SECTION_KEYS:
        if present[key]:
            continue
        text = (parts.get(key) or "").strip()
        heading = SECTIONS_BY_KEY[key].heading
        if text:
            message = f"“{heading}”只写了“{text[:10]}”，不能算作填写，请如实写明情况后再提交。"
        else:
            message = f"“{heading}”是必填部分，请填写后再提交。"
        errors.setdefault(key, []).append(message)
    rules = ValidationRule.objects.filter(
        indicator_set__period=period, indicator_set__active=True, active=True
    )
    for rule in rules:
        message = rule.violation(figures)
        if message:
            for code in sorted(rule.codes()):
                errors.setdefault(code, []).append(message)
    return errors
