"""Request and response rules that hold for every page: a body arrives whole or changes nothing,
query strings carry no control characters, and nothing private is kept in a browser's cache."""

import re
from collections.abc import Callable
from functools import wraps
from tempfile import SpooledTemporaryFile
from typing import Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import resolve_url
from django.utils.functional import LazyObject

from .errors import bad_request_page, error_page

# C0 controls but tab, line feed and carriage return, and DEL: no form of the portal takes them,
# and PostgreSQL refuses NUL in text outright.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
CHUNK = 64 * 1024

Handler = Callable[[HttpRequest], HttpResponse]
P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)


class CompleteBodyMiddleware:
    """Reads a request's whole body before anything parses it, and refuses (400, nothing done)
    one that is shorter than its Content-Length (a dropped connection, a killed browser) or an
    urlencoded form that is not UTF-8. Django would otherwise parse what did arrive, and a save
    cut off after three quarters of its body would store a truncated part."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in BODY_METHODS:
            return self.get_response(request)
        with SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE) as spool:
            problem = self._take_body(request, spool)
            if problem:
                too_large = problem.startswith("提交的内容过大")
                return bad_request_page(request, problem, status=413 if too_large else 400)
            return self.get_response(request)

    def _take_body(self, request: HttpRequest, spool: SpooledTemporaryFile[bytes]) -> str:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return "请求的长度信息不正确。"
        if length <= 0:
            return ""
        if length > settings.REQUEST_BODY_MAX_BYTES:
            return (
                f"提交的内容过大（超过 {settings.REQUEST_BODY_MAX_BYTES // 1048576} MB），未保存。"
                "您填写的内容仍在浏览器中，请删减后再提交。"
            )
        remaining = length
        while remaining:
            chunk = request._stream.read(min(CHUNK, remaining))
            if not chunk:
                break
            spool.write(chunk)
            remaining -= len(chunk)
        if remaining:
            return "提交的内容没有完整送达（网络中断），未作任何修改。请检查网络后重新提交。"
        spool.seek(0)
        if request.content_type == "application/x-www-form-urlencoded":
            if not _urlencoded_is_utf8(spool.read()):
                return "提交的内容不是有效的 UTF-8 编码，未作任何修改。请使用本系统的页面提交。"
            spool.seek(0)
        request._stream = LimitedStream(spool, length)  # type: ignore[arg-type,assignment]
        return ""


def _urlencoded_is_utf8(body: bytes) -> bool:
    """Whether every name and value decodes as UTF-8. Decoding the body whole is the same as
    decoding each piece: the separators (& and =) are ASCII, which never joins or splits a UTF-8
    sequence, and are no hex digits, so no %XX escape spans two pieces."""
    try:
        unquote_to_bytes(body.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class QueryStringMiddleware:
    """A query string with control characters (NUL above all) is refused before any view or
    database sees it: no page of the portal takes one, and PostgreSQL cannot store NUL."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for key, values in request.GET.lists():
            if CONTROL_CHARACTERS.search(key) or any(
                CONTROL_CHARACTERS.search(value) for value in values
            ):
                return bad_request_page(request, "网址中含有无法识别的字符，请从页面上的链接进入。")
        return self.get_response(request)


class PrivateByDefaultMiddleware:
    """Every response that did not say otherwise is private and not stored: a shared office PC
    must not keep a draft or a PDF in its browser cache after log-out. Public pages say so
    themselves (reports.views.public)."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-store"
        return response


class OneLanguageMiddleware:
    """Says the page's language. The portal has one (settings.LANGUAGES), active without asking:
    Django's LocaleMiddleware negotiated it from each request's cookie and Accept-Language and
    sent Vary: Accept-Language for pages that never vary by it."""

    def __init__(self, get_response: Handler):
        if len(settings.LANGUAGES) != 1:
            raise ImproperlyConfigured(
                "OneLanguageMiddleware serves one language; with several, use LocaleMiddleware."
            )
        self.get_response = get_response
        self.language = settings.LANGUAGE_CODE

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", self.language)
        return response


class ResolvedUserMiddleware:
    """Puts the user in place of the lazy `request.user` (AuthenticationMiddleware's, wrapped
    again by django-otp's). Every page reads the user: the audit trail, the idle timeout, the
    access checks and the navigation bar, so loading it lazily saves nothing, and each of a
    page's reads of it (about 200 in a replay of the load test's users) went through the two
    lazy objects' proxies."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # django-otp's lazy object stands for Django's, which stands for the user.
        while isinstance(request.user, LazyObject):
            lazy: Any = request.user
            lazy.is_authenticated  # noqa: B018 - loads it (and django-otp's verification)
            request.user = lazy._wrapped
        return self.get_response(request)


def public_when_anonymous(
    view: Callable[Concatenate[HttpRequest, P], R],
) -> Callable[Concatenate[HttpRequest, P], R]:
    """A page anyone may read: cacheable by browsers and proxies for anonymous readers; private
    still for a signed-in user, whose page shows their name."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> R:
        response = view(request, *args, **kwargs)
        if not request.user.is_authenticated and response.status_code == 200:
            response["Cache-Control"] = f"public, max-age={settings.PUBLIC_CACHE_SECONDS}"
        return response

    return wrapped


class FriendlyErrorsMiddleware:
    """What Django answers without a page gets one in Chinese: 405 (wrong method) and a log-in
    redirect after a POST (the session ran out while the user typed: their text is in the
    browser's backup, and they come back to the page after log-in)."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            page = error_page(request, "405.html", status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        location = response.get("Location", "") if response.status_code == 302 else ""
        if request.method in BODY_METHODS and location.startswith(
            f"{resolve_url(settings.LOGIN_URL)}?next="
        ):
            # @login_required sent a form's POST to log in: the session had run out.
            response["Location"] = location + "&expired=1"
        return response
