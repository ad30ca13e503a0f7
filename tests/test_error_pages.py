"""Every error a user can meet is a Chinese page that says what happened and what to do."""

import pytest
from django.test import Client
from django.urls import reverse


def test_wrong_method_is_a_page_in_chinese(client, personas):
    client.force_login(personas.clerk_lianchi)
    response = client.post(reverse("township_home"))
    assert response.status_code == 405
    assert "操作方式不正确" in response.content.decode()
    assert response["Allow"] == "GET, HEAD"


def test_an_expired_form_is_a_page_in_chinese(personas, draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.clerk_lianchi)
    response = client.post(reverse("report_edit", args=[draft.pk]), {"version": 1})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode() and "暂存在本机" in response.content.decode()


def test_a_save_after_the_session_ran_out_says_so_and_comes_back(client, personas, draft):
    url = reverse("report_edit", args=[draft.pk])
    response = client.post(url, {"version": 1, "shortcomings": "刚写的内容"})
    assert response.status_code == 302
    login = client.get(response["Location"])
    text = login.content.decode()
    assert "登录已超时，您填写的内容已暂存在本机" in text
    assert f'name="next" value="{url}"' in text
    back = client.post(
        response["Location"], {"username": "lianchi", "password": "demo1234", "next": url}
    )
    assert back["Location"] == url


def test_a_plain_visit_to_the_log_in_page_says_nothing_of_a_timeout(client, db):
    assert "登录已超时" not in client.get(reverse("login")).content.decode()


@pytest.mark.parametrize("size", [50 * 1024 * 1024])
def test_a_body_over_the_limit_is_a_413_in_chinese(client, personas, draft, size):
    client.force_login(personas.clerk_lianchi)
    response = client.generic(
        "POST",
        reverse("report_edit", args=[draft.pk]),
        b"x" * 16,
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(size),
    )
    assert response.status_code == 413
    assert "提交的内容过大" in response.content.decode()


def test_a_part_of_300000_characters_is_refused_in_chinese(client, personas, draft):
    """A browser sends the form urlencoded: 2.7 MB, over the body limit, refused before any
    parsing; sent as multipart it arrives, and the part's own limit answers at the field."""
    from urllib.parse import urlencode

    client.force_login(personas.clerk_lianchi)
    url = reverse("report_edit", args=[draft.pk])
    data = {"version": 1, "shortcomings": "法" * 300_000}
    response = client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")
    assert response.status_code in (400, 413)
    text = response.content.decode()
    assert "Bad Request" not in text
    assert "超过了大小上限" in text and "您填写的内容仍在浏览器中" in text
    at_field = client.post(url, data)
    assert "内容过长（300,000 字）" in at_field.content.decode()
    draft.refresh_from_db()
    assert draft.version == 1
