from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

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
