from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

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
