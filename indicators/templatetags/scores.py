from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from ..scoring import Status, fmt

register = template.Library()


@register.filter
def num(value):
    """15.00 → 15, 92.50 → 92.5; empty for None."""
    return fmt(value)


@register.filter
def lookup(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def status_label(status):
    return Status.LABELS.get(status, status)


@register.filter
def points_cell(item) -> SafeString:
    """One indicator's points in a ranking cell: —, 不适用 or 0 with the reason on hover, or
    the points. Built here rather than by an included template: a county's ranking has one
    per township and indicator."""
    if not item:
        return mark_safe('<span class="text-muted">—</span>')
    get = item.get if isinstance(item, dict) else lambda key: getattr(item, key, None)
    status = get("status")
    if status == Status.NOT_APPLICABLE:
        return format_html(
            '<span class="badge text-bg-light border" title="{}">不适用</span>', get("note") or ""
        )
    if status == Status.ZERO:
        return format_html('<span class="text-danger" title="{}">0</span>', get("note") or "")
    return format_html("{}", fmt(get("points")))


@register.filter
def points_cells(items, indicators) -> SafeString:
    """A ranking row's cells, one per indicator (points_cell each): built in one call, not by a
    template loop over the indicators for every township."""
    items = items or {}
    return mark_safe(  # noqa: S308 - points_cell escapes what it prints
        "".join(
            f'<td class="text-center">{points_cell(items.get(indicator.code))}</td>'
            for indicator in indicators
        )
    )
