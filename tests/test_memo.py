"""Per-request memoisation: read once a request, never across requests or outside one."""

from django.http import HttpResponse
from django.test import RequestFactory

from reportportal.memo import RequestMemoMiddleware, per_request

calls: list[int] = []


@per_request
def doubled(number: int) -> int:
    calls.append(number)
    return number * 2


def in_a_request(body) -> None:
    def view(_request):
        body()
        return HttpResponse()

    RequestMemoMiddleware(view)(RequestFactory().get("/"))


def test_a_call_is_made_once_a_request_and_again_in_the_next():
    calls.clear()
    in_a_request(lambda: [doubled(2), doubled(2), doubled(3)])
    assert calls == [2, 3]
    in_a_request(lambda: doubled(2))
    assert calls == [2, 3, 2]


def test_a_value_read_along_with_something_else_is_remembered_for_the_request():
    calls.clear()
    seen = []

    def body():
        doubled.remember(5, value=99)
        seen.append(doubled(5))

    in_a_request(body)
    assert seen == [99] and calls == []
    doubled.remember(5, value=99)  # outside a request: nothing is kept
    assert doubled(5) == 10 and calls == [5]
