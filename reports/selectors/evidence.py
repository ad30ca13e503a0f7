"""佐证材料 as the pages show them: by the figure or part they support."""

from django.db.models import QuerySet

from ..models import Evidence, Report


def report_evidence(report: Report) -> QuerySet[Evidence]:
    return Evidence.objects.filter(report=report).select_related("uploaded_by")


def evidence_by_target(report: Report) -> dict[str, list[Evidence]]:
    """target ("fig:<code>" or a part key) → its files, in one query."""
    grouped: dict[str, list[Evidence]] = {}
    for evidence in report_evidence(report):
        grouped.setdefault(evidence.target, []).append(evidence)
    return grouped
