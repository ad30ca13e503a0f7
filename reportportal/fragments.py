"""Cached parts of pages that hold forms.

A page part drawn from what a stamp (one cheap query) says has not changed is served from the
shared cache instead of being built again. Django's `{% cache %}` cannot hold a form: the CSRF
token in it is the one of the session that drew it. Here the part is drawn with a placeholder
for the token, stored so, and each request puts its own token in.
"""

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

# What `{% csrf_token %}` and `{{ csrf_token }}` print while a part is drawn for the cache; no page
# prints it otherwise.
CSRF_SLOT = "csrf-slot-b3f0c9a1d2e8"


def fragment_key(template: str, key: Sequence[object]) -> str:
    digest = hashlib.sha256(repr(tuple(key)).encode()).hexdigest()
    return f"fragment:{template}:{digest}"


def cached_fragment(
    request: HttpRequest,
    *,
    template: str,
    key: Sequence[object],
    context: Callable[[], dict[str, Any]],
    seconds: int,
) -> SafeString:
    """The template drawn with context(), or the copy drawn for the same key; `context` is called
    only when there is none. The key must hold everything the part shows: the user, the stamps."""
    cache_key = fragment_key(template, key)
    html = cache.get(cache_key)
    if html is None:
        html = render_to_string(template, context() | {"csrf_token": CSRF_SLOT}, request=request)
        cache.set(cache_key, html, seconds)
    # The drawn HTML is the template engine's (escaped); the token is [A-Za-z0-9] only.
    return mark_safe(html.replace(CSRF_SLOT, get_token(request)))  # noqa: S308
