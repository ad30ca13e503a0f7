from django.conf import settings
from django.http import HttpRequest

from .access import membership_of, pages


def membership(request: HttpRequest) -> dict[str, object]:
    """The signed-in user's role and place, and the pages the navigation bar offers."""
    # Error pages may be drawn before authentication has run: no user yet means anonymous.
    user = getattr(request, "user", None)
    if user is None:
        return {"membership": None, "pages": frozenset()}
    return {
        "membership": membership_of(user),
        "pages": pages(user),
        "idle_seconds": settings.SESSION_IDLE_SECONDS,
    }
