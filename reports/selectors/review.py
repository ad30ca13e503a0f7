"""Reads for reviewing a report: comment threads and what changed between two submissions."""

from dataclasses import dataclass
from difflib import SequenceMatcher

from django.db.models import Prefetch
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from indicators.models import DataElement
from reading.sections import SECTIONS

from ..models import Report, ReviewComment


def comment_threads(report: Report) -> dict[str, list[ReviewComment]]:
    """target → its comments (newest round last), each with its answers prefetched."""
    threads: dict[str, list[ReviewComment]] = {}
    comments = (
        report.comments.filter(parent__isnull=True)
        .select_related("author", "resolved_by")
        .prefetch_related(
            Prefetch("answers", queryset=ReviewComment.objects.select_related("author"))
        )
    )
    for comment in comments:
        threads.setdefault(comment.target, []).append(comment)
    return threads


@dataclass
class PartChange:
    key: str
    heading: str
    before: str
    after: str
    html: str  # the new text with insertions marked <ins> and deletions <del>

    @property
    def changed(self) -> bool:
        return self.before != self.after


def round_changes(report: Report) -> dict[str, PartChange] | None:
    """Part key → its change between the last two submissions; None before a second submission."""
    snapshots = list(report.snapshots.order_by("-round")[:2])
    if len(snapshots) < 2:
        return None
    latest, previous = snapshots
    changes = {}
    for section in SECTIONS:
        before = previous.parts.get(section.key, "")
        after = latest.parts.get(section.key, "")
        changes[section.key] = PartChange(
            section.key, section.heading, before, after, diff_html(before, after)
        )
    return changes


def figure_changes(report: Report) -> list[tuple[str, int | None, int | None]]:
    """(name, before, after) of every figure that differs between the last two submissions."""
    snapshots = list(report.snapshots.order_by("-round")[:2])
    if len(snapshots) < 2:
        return []
    latest, previous = snapshots
    return [
        (name, previous.figures.get(code), latest.figures.get(code))
        for code, name in DataElement.objects.order_by("order", "code").values_list("code", "name")
        if previous.figures.get(code) != latest.figures.get(code)
    ]


def diff_html(before: str, after: str) -> SafeString:
    """Character-level difference (Chinese has no spaces to split on), escaped, as HTML."""
    matcher = SequenceMatcher(a=before, b=after, autojunk=False)
    pieces = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(escape(after[b1:b2]))
        if op in ("delete", "replace"):
            pieces.append(f"<del>{escape(before[a1:a2])}</del>")
        if op in ("insert", "replace"):
            pieces.append(f"<ins>{escape(after[b1:b2])}</ins>")
    return mark_safe("".join(pieces).replace("\n", "<br>"))  # noqa: S308 - every piece escaped
