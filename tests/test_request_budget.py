"""No request stores half a save, refuses input with a 500, or keeps a private page in a cache."""

import http.client
import re
import socket
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from reports.services.drafts import report_start


def session_and_form(live_server, user, path):
    """A signed-in session and the form's CSRF token, as a browser would have them."""
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    host = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
    connection.request("GET", path, headers={"Cookie": f"sessionid={session}"})
    response = connection.getresponse()
    page = response.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    connection.close()
    return f"sessionid={session}; csrftoken={csrf_cookie}", token


def post_raw(live_server, path, cookie, body: bytes, *, send: int) -> str:
    """POSTs with the full Content-Length but only `send` bytes of the body, then closes the
    sending side (a connection dropped mid-upload); returns the status line."""
    host = urlsplit(live_server.url)
    with socket.create_connection((host.hostname, host.port), timeout=10) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host.hostname}:{host.port}\r\n"
            f"Cookie: {cookie}\r\nReferer: {live_server.url}{path}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        sock.sendall(head.encode() + body[:send])
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer.split(b"\r\n", 1)[0].decode()


@pytest.mark.django_db(transaction=True)
def test_a_save_cut_off_mid_body_changes_nothing(live_server, personas):
    report = report_start(
        township=personas.lianchi, period=personas.period, actor=personas.clerk_lianchi
    )
    path = reverse("report_edit", args=[report.pk])
    cookie, token = session_and_form(live_server, personas.clerk_lianchi, path)
    body = urlencode(
        {"csrfmiddlewaretoken": token, "version": report.version, "shortcomings": "问题" * 10001}
    ).encode()

    status = post_raw(live_server, path, cookie, body, send=len(body) * 3 // 4)
    assert " 400 " in status
    report.refresh_from_db()
    assert (report.version, report.shortcomings) == (1, "")

    # The same body sent whole is saved: the refusal above is the cut, not the request.
    status = post_raw(live_server, path, cookie, body, send=len(body))
    assert " 302 " in status
    report.refresh_from_db()
    assert (report.version, report.shortcomings) == (2, "问题" * 10001)


def test_a_form_body_that_is_not_utf8_changes_nothing(client, draft, personas):
    client.force_login(personas.clerk_lianchi)
    response = client.post(
        reverse("report_edit", args=[draft.pk]),
        data=f"version={draft.version}&shortcomings=%ff%fe%fd".encode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "不是有效的 UTF-8 编码" in response.content.decode()
    draft.refresh_from_db()
    assert draft.version == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("正文\x00内容", "控制字符"),
        ("a" + "\u0301" * 1000, "组合符号"),
        ("长" * 100_001, "内容过长"),
    ],
)
def test_a_part_that_cannot_be_stored_is_refused_at_its_field(
    client, draft, personas, text, message
):
    client.force_login(personas.clerk_lianchi)
    response = client.post(
        reverse("report_edit", args=[draft.pk]), {"version": draft.version, "shortcomings": text}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["shortcomings"]
    assert len(errors) == 1 and message in errors[0]
    draft.refresh_from_db()
    assert (draft.version, draft.shortcomings) == (1, "")


@pytest.mark.parametrize("body", ["请\x00补充", "意见" * 2000])
def test_a_comment_that_cannot_be_stored_is_refused(client, personas, full_parts, body):
    from reports.models import ReviewComment
    from tests.helpers import submit_report

    report = submit_report(
        township=personas.lianchi,
        period=personas.period,
        clerk=personas.clerk_lianchi,
        parts=full_parts,
    )
    client.force_login(personas.reviewer_shenqiu)
    response = client.post(
        reverse("comment_create", args=[report.pk]),
        {"target": "shortcomings", "body": body},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert not ReviewComment.objects.exists()


def test_a_return_reason_with_nul_is_refused(client, personas, full_parts):
    from tests.helpers import submit_report

    report = submit_report(
        township=personas.lianchi,
        period=personas.period,
        clerk=personas.clerk_lianchi,
        parts=full_parts,
    )
    client.force_login(personas.reviewer_shenqiu)
    response = client.post(
        reverse("report_act", args=[report.pk, "return"]), {"note": "请\x00修改"}, follow=True
    )
    assert "控制字符" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "submitted"


def test_an_overlong_user_name_is_refused_before_anything_is_stored(client, db):
    from axes.models import AccessAttempt

    response = client.post(reverse("login"), {"username": "x" * 300, "password": "demo1234"})
    assert response.status_code == 200
    assert "用户名不正确" in response.content.decode()
    assert not AccessAttempt.objects.exists()


def test_a_query_string_with_nul_is_refused(client, personas):
    response = client.get(reverse("public_index") + "?county=%00")
    assert response.status_code == 400
    assert "无法识别的字符" in response.content.decode()


@pytest.mark.parametrize("query", ["year=²", "year=" + "9" * 5000, "county=²", "county=1.5"])
def test_a_bad_id_or_year_is_a_400_in_chinese(client, personas, query):
    client.force_login(personas.admin)
    for name in ("public_index", "admin_home", "ranking", "review_queue"):
        response = client.get(reverse(name) + "?" + query)
        if (name, query[:4]) == ("admin_home", "coun"):
            assert response.status_code == 200  # a parameter that page does not read
            continue
        assert response.status_code == 400, (name, query)
        assert "参数不正确" in response.content.decode()


def test_private_pages_are_not_kept_by_the_browser_and_public_ones_may_be(client, draft, personas):
    client.force_login(personas.clerk_lianchi)
    for url in (reverse("report_edit", args=[draft.pk]), reverse("township_home")):
        assert client.get(url)["Cache-Control"] == "private, no-store"
    client.logout()
    assert "no-store" in client.get(reverse("login"))["Cache-Control"]
    assert client.get(reverse("public_index"))["Cache-Control"] == "public, max-age=300"
    client.force_login(personas.clerk_lianchi)
    assert client.get(reverse("public_index"))["Cache-Control"] == "private, no-store"
