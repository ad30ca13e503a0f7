import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse

from .audit import Event, audit_record

# Session key set at log-in (reportportal.urls.PortalLoginView) from AccountSecurity, so that
# no page needs a query to know it.
MUST_CHANGE = "must_change_password"


class PasswordChangeRequiredMiddleware:
    """A user whose password was set by an administrator (new account, reset) changes it before
    anything else: every page but the password form and log-out leads there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.session.get(MUST_CHANGE) and request.path not in (
            reverse("password_change"),
            reverse("logout"),
        ):
            return redirect("password_change")
        return self.get_response(request)


SEEN = "seen_at"
# How often the time of the last request is written to the session: once a minute is exact
# enough for a 30-minute timeout, and spares a database write on every request.
SEEN_GRANULARITY = 60


class IdleTimeoutMiddleware:
    """Signs a user out after SESSION_IDLE_SECONDS without a request (等保 2.0: session timeout);
    the next page is the log-in page, which says so (the form's text is in the browser's
    backup), and log-in leads back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            seen = request.session.get(SEEN)
            if seen is not None and now - seen > settings.SESSION_IDLE_SECONDS:
                audit_record(event=Event.LOGOUT, user=user, detail="长时间未操作，自动退出")
                logout(request)
                query = urlencode({"next": request.get_full_path(), "expired": "1"})
                return redirect(f"{resolve_url(settings.LOGIN_URL)}?{query}")
            if seen is None or now - seen > SEEN_GRANULARITY:
                request.session[SEEN] = now
        return self.get_response(request)
