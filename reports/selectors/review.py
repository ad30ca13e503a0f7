"""Reads for reviewing a report: comment threads and what changed between two submissions."""

import hashlib
from dataclasses import dataclass
from typing import cast

from django.core.cache import cache
from django.db.models import Subquery
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from indicators.selectors import all_data_elements
from org.models import County, Period
from reading.diff import Diff, diff_texts
from reading.followup import FollowUp, follow_up
from reading.sections import SECTIONS
from reportportal.db import FixedQuery
from reportportal.memo import per_request

from ..models import ReminderPolicy, Report, ReportSnapshot, ReviewComment
from ..workflow import SENT_STATUSES
from .stamps import report_has


def comment_threads(report: Report) -> dict[str, list[ReviewComment]]:
    """target → its comments (newest round last), each with its answers (answer_list): one
    statement, compiled once, for both."""
    threads: dict[str, list[ReviewComment]] = {}
    if not report_has(report.pk, "comments"):
        return threads  # this request's stamp of the report found none
    everything = _COMMENTS(report.pk)  # comments and answers, oldest first
    answers: dict[int, list[ReviewComment]] = {}
    for item in everything:
        if item.parent_id is not None:
            answers.setdefault(item.parent_id, []).append(item)
    for comment in everything:
        if comment.parent_id is None:
            comment.answer_list = answers.get(comment.pk, [])
            threads.setdefault(comment.target, []).append(comment)
    return threads


_COMMENTS = FixedQuery(
    lambda report_id: (
        ReviewComment.objects.filter(report_id=report_id)
        .select_related("author", "resolved_by")
        .order_by("created_at", "id")
    )
)


@dataclass
class PartChange:
    key: str
    heading: str
    before: str
    after: str
    html: str  # the new text with insertions marked <ins> and deletions <del>
    coarse: bool = False  # changed paragraphs shown whole: too many changes to mark each letter

    @property
    def changed(self) -> bool:
        return self.before != self.after


_LAST_TWO_ROUNDS = FixedQuery(
    lambda report_id: ReportSnapshot.objects.filter(report_id=report_id).order_by("-round")[:2]
)


@per_request
def _last_two_rounds(report_id: int) -> list[ReportSnapshot]:
    """Read once for the review page's two comparisons (the parts and the figures)."""
    return _LAST_TWO_ROUNDS(report_id)


def round_changes(report: Report) -> dict[str, PartChange] | None:
    """Part key → its change between the last two submissions; None before a second submission."""
    snapshots = _last_two_rounds(report.pk)
    if len(snapshots) < 2:
        return None
    latest, previous = snapshots
    changes = {}
    for section in SECTIONS:
        before = previous.parts.get(section.key, "")
        after = latest.parts.get(section.key, "")
        diff = diff_texts(before, after)
        changes[section.key] = PartChange(
            section.key, section.heading, before, after, diff_html(diff), diff.coarse
        )
    return changes


def figure_changes(report: Report) -> list[tuple[str, int | None, int | None]]:
    """(name, before, after) of every figure that differs between the last two submissions."""
    snapshots = _last_two_rounds(report.pk)
    if len(snapshots) < 2:
        return []
    latest, previous = snapshots
    return [
        (element.name, previous.figures.get(element.code), latest.figures.get(element.code))
        for element in all_data_elements()
        if previous.figures.get(element.code) != latest.figures.get(element.code)
    ]


def diff_html(diff: Diff) -> SafeString:
    """The diff as HTML, every piece escaped: insertions in <ins>, deletions in <del>."""
    pieces: list[str] = []
    for op, text in diff.pieces:
        if op == "equal":
            pieces.append(escape(text))
        elif op == "delete":
            pieces.append(f"<del>{escape(text)}</del>")
        else:
            pieces.append(f"<ins>{escape(text)}</ins>")
    return mark_safe("".join(pieces).replace("\n", "<br>"))  # noqa: S308 - every piece escaped


@dataclass(frozen=True)
class OpenComment:
    comment: ReviewComment
    label: str  # the part or figure it is about
    anchor: str  # where it is on the edit page
    answered: bool


def open_comments(
    threads: dict[str, list[ReviewComment]], labels: dict[str, str]
) -> list[OpenComment]:
    """The reviewer's comments not yet resolved, in form order, with where to find each; from
    the threads already read (no query)."""
    order = {key: index for index, key in enumerate(labels)}
    found = []
    for target, comments in threads.items():
        for comment in comments:
            if comment.resolved_at is None:
                found.append(
                    OpenComment(
                        comment=comment,
                        label=labels.get(target, target),
                        anchor=ReviewComment.anchor(target),
                        answered=bool(comment.answer_list),
                    )
                )
    found.sort(key=lambda item: (order.get(item.comment.target, len(order)), item.comment.pk))
    return found


@dataclass
class PlanFollowUp:
    """Last year's plan of the township beside this year's 举措和成效 (reading.followup)."""

    previous: Report
    items: list[FollowUp]

    @property
    def missing(self) -> int:
        return sum(1 for item in self.items if not item.done)


# The township's sent report of the year before the period's, with its plan: compiled once, the
# year read by the statement (a year is no id to stand in for: reportportal.db.FixedQuery).
_PREVIOUS_PLAN = FixedQuery(
    lambda township_id, period_id: (
        Report.objects.filter(
            township_id=township_id,
            period__year=Subquery(Period.objects.filter(pk=period_id).values("year")[:1]) - 1,
            status__in=SENT_STATUSES,
        )
        .select_related("period")
        .only("pk", "next_year_plan", "period__year", "township_id", "status")
        .order_by("pk")[:1]
    )
)


def plan_follow_up(report: Report) -> PlanFollowUp | None:
    """The follow-up of the township's previous-year plan, when it reported that year."""
    found = _PREVIOUS_PLAN(report.township_id, report.period_id)
    previous = found[0] if found else None
    if previous is None or not previous.next_year_plan.strip():
        return None
    return PlanFollowUp(previous, _follow_up(previous.next_year_plan, report.measures_and_results))


def _follow_up(plan: str, measures: str) -> list[FollowUp]:
    """reading.followup's answer for two texts (a pure function), kept in the cache by their
    digest: the review page asks again on every visit."""
    digest = hashlib.sha256(f"{plan}\0{measures}".encode()).hexdigest()
    found = cache.get_or_set(f"followup:{digest}", lambda: follow_up(plan, measures), 3600)
    return cast(list[FollowUp], found)


_REMINDER_POLICY = FixedQuery(
    lambda county_id: ReminderPolicy.objects.filter(county_id=county_id).order_by("pk")[:1]
)


def reminder_policy_of(county: County) -> ReminderPolicy:
    """The county's reminder settings, or the defaults (unsaved) while it has none."""
    found = _REMINDER_POLICY(county.pk)
    return found[0] if found else ReminderPolicy(county=county)
