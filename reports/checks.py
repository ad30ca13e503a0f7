"""What must hold before a report may be submitted: the required parts really written (the stored
missing parts, reading.completeness: 「无」 is not a part) and the figures consistent with the
validation rules of the period's active indicator set."""

from collections.abc import Iterable, Mapping, Sequence

from indicators.models import ValidationRule
from reading.sections import REQUIRED_SECTION_KEYS, SECTIONS_BY_KEY


def submission_errors(
    *,
    parts: Mapping[str, str],
    missing: Sequence[str],
    figures: Mapping[str, int | None],
    rules: Iterable[ValidationRule],
) -> dict[str, list[str]]:
    """Problems keyed by part key or data-element code; empty when the report may be submitted."""
    errors: dict[str, list[str]] = {}
    for key in REQUIRED_SECTION_KEYS:
        if key not in missing:
            continue
        text = (parts.get(key) or "").strip()
        heading = SECTIONS_BY_KEY[key].heading
        if text:
            message = f"“{heading}”只写了“{text[:10]}”，不能算作填写，请如实写明情况后再提交。"
        else:
            message = f"“{heading}”是必填部分，请填写后再提交。"
        errors.setdefault(key, []).append(message)
    for rule in rules:
        violation = rule.violation(figures)
        if violation:
            for code in sorted(rule.codes()):
                errors.setdefault(code, []).append(violation)
    return errors
