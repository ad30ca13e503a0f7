from django import template

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
