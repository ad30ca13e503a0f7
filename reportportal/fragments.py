"""Cached parts of pages that hold forms.

A page part drawn from what a stamp (one cheap query) says has not changed is served from the
shared cache instead of being built again. Django's `{% cache %}` cannot hold a form: the CSRF
token in it is the one of the session that drew it. Here the part is drawn with a placeholder
for the token, stored so, and each request puts its own token in; so too for any other value
that differs between requests showing the same state (`live`, e.g. the page's own address).
"""

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

# What `{% csrf_token %}` and `{{ csrf_token }}` print while a part is drawn for the cache; no page
# prints it otherwise; likewise a live value's placeholder.
CSRF_SLOT = "csrf-slot-b3f0c9a1d2e8"


_SLOT_PREFIX = "live-slot-b3f0c9a1d2e8["
_SLOTS = re.compile(re.escape(_SLOT_PREFIX) + r"[^\]]*\]|" + re.escape(CSRF_SLOT))


def live_slot(name: str) -> str:
    """What a part drawn for the cache prints where the live value `name` goes; a part may also
    be given such slots in its context for values it does not name itself (e.g. one per
    figure)."""
    return f"{_SLOT_PREFIX}{name}]"


def request_csrf_token(request: HttpRequest) -> str:
    """Django's get_token, masked once a request: each call masks the secret afresh with 32 reads
    of the system's random source, and a page drawn from cached parts asked for it twice (for the
    parts, and for its frame). A new secret (a log-in rotates it) is masked again."""
    secret = request.META.get("CSRF_COOKIE")
    masked = getattr(request, "_csrf_masked", None)
    if secret is None or masked is None or masked[0] != secret:
        token = get_token(request)
        request._csrf_masked = (request.META.get("CSRF_COOKIE"), token)  # type: ignore[attr-defined]
        return token
    return masked[1]


def csrf(request: HttpRequest) -> dict[str, object]:
    """Context processor: {{ csrf_token }} and {% csrf_token %} print request_csrf_token's value
    (Django's own processor runs first; its value, masked afresh, is then never asked for)."""
    return {"csrf_token": SimpleLazyObject(lambda: request_csrf_token(request))}


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
    live: Mapping[str, str] | None = None,
    store: bool = True,
) -> SafeString:
    """The template drawn with context(), or the copy drawn for the same key; `context` is called
    only when there is none. The key must hold everything the part shows (the user, the stamps)
    but the CSRF token and the `live` values, which are this request's (plain text, escaped, or
    HTML the view built and marked safe).
    With `store` false the part is drawn for this request only."""
    live = live or {}
    cache_key = fragment_key(template, key)
    html = cache.get(cache_key) if store else None
    if html is None:
        slots = {name: live_slot(name) for name in live} | {"csrf_token": CSRF_SLOT}
        html = render_to_string(template, context() | slots, request=request)
        if store:
            cache.set(cache_key, html, seconds)
    # Every slot in one pass (a value put in is not searched again, but for the token: a value
    # the view drew may hold forms). A slot no value was given for this time (a part drawn before
    # a figure was retired in the admin) is shown as nothing rather than as the slot's name. The
    # token is [A-Za-z0-9] only.
    token = request_csrf_token(request)
    values = {
        live_slot(name): str(conditional_escape(value)).replace(CSRF_SLOT, token)
        for name, value in live.items()
    }
    values[CSRF_SLOT] = token
    # The drawn HTML is the template engine's (escaped).
    return mark_safe(_SLOTS.sub(lambda found: values.get(found.group(0), ""), html))  # noqa: S308
