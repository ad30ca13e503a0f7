"""What the report pages share."""

from reading.sections import SECTIONS, Section

from ..models import Report


def parts_context(report: Report) -> list[tuple[Section, str]]:
    """(section, text) of the five parts, in official order."""
    parts = report.parts()
    return [(section, parts[section.key]) for section in SECTIONS]
