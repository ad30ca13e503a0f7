"""The portal speaks Chinese to everyone: whatever a browser asks for, pages, messages and form
errors are zh-hans, and say so."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test.utils import override_settings
from django.urls import reverse

from reportportal.middleware import OneLanguageMiddleware


@pytest.mark.parametrize(
    "headers",
    [{}, {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}, {"HTTP_ACCEPT_LANGUAGE": "fr"}],
)
def test_every_browser_gets_chinese_and_is_told_so(client, personas, headers):
    client.cookies["django_language"] = "en"
    client.force_login(personas.clerk_lianchi)
    page = client.get(reverse("township_home"), **headers)
    assert page.status_code == 200
    assert page["Content-Language"] == "zh-hans"
    assert "Accept-Language" not in page.get("Vary", "")
    # Django's own messages come in Chinese too: a required field left empty.
    client.logout()
    login = client.post(reverse("login"), {"username": "", "password": ""}, **headers)
    assert "这个字段是必填项。" in login.content.decode()
    assert "This field is required" not in login.content.decode()


def test_several_languages_need_djangos_negotiation():
    with (
        override_settings(LANGUAGES=[("zh-hans", "简体中文"), ("en", "English")]),
        pytest.raises(ImproperlyConfigured, match="LocaleMiddleware"),
    ):
        OneLanguageMiddleware(lambda request: None)
