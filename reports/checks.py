"""What must hold before a report may be submitted: required parts written, figures consistent."""

from collections.abc import Mapping

from indicators.models import ValidationRule

from .sections import REQUIRED_SECTION_KEYS, SECTIONS_BY_KEY


def submission_errors(
    *, parts: Mapping[str, str], figures: Mapping[str, int | None]
) -> dict[str, list[str]]:
    """Problems keyed by part key or data-element code; empty when the report may be submitted."""
    errors: dict[str, list[str]] = {}
    for key in REQUIRED_SECTION_KEYS:
        if not (parts.get(key) or "").strip():
            errors.setdefault(key, []).append(
                f"“{SECTIONS_BY_KEY[key].heading}”是必填部分，请填写后再提交。"
            )
    for rule in ValidationRule.objects.filter(active=True):
        message = rule.violation(figures)
        if message:
            for code in sorted(rule.codes()):
                errors.setdefault(code, []).append(message)
    return errors
