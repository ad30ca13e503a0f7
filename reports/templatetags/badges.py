from html import escape
from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime

from reportportal.fragments import CSRF_SLOT

from ..models import Report

register = template.Library()


@register.filter
def status_badge(report) -> SafeString:
    """A report's status (and 迟报 when it was sent late), or 未开始 without a report. Built here
    rather than by an included template: lists show one per township."""
    if not report:
        return mark_safe('<span class="badge status-not-started">未开始</span>')
    badge = format_html(
        '<span class="badge status-{}">{}</span>', report.status, report.get_status_display()
    )
    if report.is_late:
        return format_html('{} <span class="badge bg-danger">迟报</span>', badge)
    return badge


@register.filter
def figure_plausibility(row, can_check: bool) -> SafeString:
    """Last year beside this year for one figure, and 「请核实」 with the check form (row: a
    FigureRow; can_check: the user may mark it checked). The inputs belong to the forms
    reports.views.clerk._figure_check_forms draws outside any other form. Built here rather than
    by an included template: the edit and review pages show one per figure."""
    if not row:
        return mark_safe("")
    flag, element = row.flag, row.element
    # Plain escapes and joins on the path every figure takes (format_html's checks for lazy
    # strings and safe values, several times per figure, were most of this filter's cost).
    parts = []
    if flag.previous is not None or flag.value is not None:
        previous = (
            "未填报"
            if flag.previous is None
            else f"{escape(str(flag.previous))} {escape(element.unit)}"
        )
        words = flag.change_words
        change = f"，变化 <strong>{escape(words)}</strong>" if words else ""
        parts.append(
            f'<div class="small text-muted figure-previous">上年：{previous}{change}</div>'
        )
    if flag.flagged:
        if row.checked:
            check = row.check
            who = check.checked_by.get_full_name() or check.checked_by.username
            parts.append(
                format_html(
                    '<div class="small text-success figure-checked" role="note">✓ 已核实（{}，{}）：{}</div>',
                    who,
                    date_filter(localtime(check.checked_at), "Y-m-d H:i"),
                    check.note,
                )
            )
        else:
            earlier = ""
            if row.check:
                value = "未填报" if row.check.value is None else row.check.value
                earlier = format_html("（曾核实为 {}，数据已改动）", value)
            form = ""
            if can_check:
                code = element.code
                form = format_html(
                    '<div class="input-group input-group-sm mt-1"><input type="text" '
                    'class="form-control" name="note" form="figcheck-{}" maxlength="500" required '
                    'aria-label="{}的核实说明" placeholder="核实说明，例如：已与台账核对，数据无误">'
                    '<button type="submit" class="btn btn-outline-success" form="figcheck-{}">'
                    "标记已核实</button></div>",
                    code,
                    element.name,
                    code,
                )
            parts.append(
                format_html(
                    '<div class="small figure-warning figure-followup" role="note">⚠ 请核实：{}。{}{}</div>',
                    "；".join(flag.reasons),
                    earlier,
                    form,
                )
            )
    return mark_safe("".join(parts))  # noqa: S308 - each part is escaped above


def figure_check_forms(report: Report, rows: dict[str, Any]) -> SafeString:
    """The forms the 「标记已核实」 buttons submit (outside the page's other forms: forms cannot
    nest), one per figure waiting for a check (mostly none; rows: figure_plausibility's). Built
    here, not by a template: the edit page draws it again whenever another township of the
    county sends or withdraws its report. The token is the cached part's slot (fragments)."""
    waiting = [row.element.code for row in rows.values() if row.needs_check]
    if not waiting:
        return mark_safe("")
    action = reverse("figure_check", args=[report.pk])
    return format_html_join(
        "\n",
        '<form id="figcheck-{}" method="post" action="{}" hidden>'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="code" value="{}"></form>',
        ((code, action, CSRF_SLOT, code) for code in waiting),
    )
