"""The Content-Security-Policy middleware built once gives every response the header django-csp's
own middleware gives it: the settings' policy, a view's changes, exemptions, report-only."""

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, SELF
from csp.decorators import csp_exempt, csp_replace, csp_update
from csp.middleware import CSPMiddleware
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.utils import override_settings
from django.urls import reverse

from reportportal.security import ContentSecurityPolicyMiddleware


def plain(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def with_nonce(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(request.csp_nonce))  # type: ignore[attr-defined]


VIEWS = [
    plain,
    with_nonce,
    csp_update({"img-src": ["https://example.org"]})(plain),
    csp_replace({"script-src": [SELF, "https://cdn.example.org"]})(plain),
    csp_exempt()(plain),
]


def headers(middleware_class, view, path="/x/") -> dict[str, str]:
    request = RequestFactory().get(path)
    response = middleware_class(view)(request)
    return {name: value for name, value in response.items() if name in (HEADER, HEADER_REPORT_ONLY)}


@pytest.mark.parametrize("view", VIEWS)
def test_the_same_header_as_django_csp(view):
    # A view that asks for a nonce takes django-csp's own path (the policy names no nonce).
    assert headers(ContentSecurityPolicyMiddleware, view) == headers(CSPMiddleware, view)


def test_a_changed_setting_changes_the_header():
    before = headers(ContentSecurityPolicyMiddleware, plain)[HEADER]
    policy = {"DIRECTIVES": {"default-src": [SELF]}, "EXCLUDE_URL_PREFIXES": ["/open/"]}
    with override_settings(
        CONTENT_SECURITY_POLICY=policy, CONTENT_SECURITY_POLICY_REPORT_ONLY=policy
    ):
        changed = headers(ContentSecurityPolicyMiddleware, plain)
        assert changed == headers(CSPMiddleware, plain)
        assert changed[HEADER] == "default-src 'self'" == changed[HEADER_REPORT_ONLY]
        assert headers(ContentSecurityPolicyMiddleware, plain, "/open/page/") == {}
    assert headers(ContentSecurityPolicyMiddleware, plain)[HEADER] == before


def test_pages_carry_the_settings_policy(client, db):
    response = client.get(reverse("login"))
    assert response[HEADER] == headers(CSPMiddleware, plain)[HEADER]
    assert "script-src 'self'" in response[HEADER]
