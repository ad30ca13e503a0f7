"""Request types for views behind @login_required (django-stubs: the user is known)."""

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxRequest(HttpRequest):
    htmx: HtmxDetails


class AuthedRequest(HtmxRequest):
    """A request whose user has logged in (the view is behind @login_required)."""

    user: User
