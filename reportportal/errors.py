"""Error pages in Chinese that say what happened and what to do."""

from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

GENERIC_400 = "请求的内容不完整或格式不正确，未作任何修改。请返回上一页重新操作。"


def error_page(request: HttpRequest, template: str, status: int, **context: object) -> HttpResponse:
    """An error page; safe to draw before authentication has run."""
    return HttpResponse(render_to_string(template, context, request=request), status=status)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the form was too old (or opened before a log-in) to be accepted."""
    return error_page(request, "403_csrf.html", status=403)


def bad_request_page(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    """The 400 page with one message; safe to call before authentication has run."""
    html = render_to_string("400.html", {"message": message}, request=request)
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: our own refusals (BadRequest with a Chinese message) are shown as they are."""
    if isinstance(exception, RequestDataTooBig):
        message = "提交的内容超过了大小上限，未保存。您填写的内容仍在浏览器中，请删减后再提交。"
    elif isinstance(exception, TooManyFieldsSent):
        message = "提交的项目过多，未保存。"
    elif isinstance(exception, BadRequest) and str(exception):
        message = str(exception)
    else:
        message = GENERIC_400
    return bad_request_page(request, message)
