"""Per-request memoisation of configuration reads.

A page asks for the active data elements, the period's validation rules or its indicator set from
several selectors; within one request they cannot change, so each is read once. Outside a request
(tasks, commands, tests calling selectors directly) nothing is remembered: a long-running job
always reads what is current.
"""

from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import ParamSpec, TypeVar

from django.http import HttpRequest, HttpResponse

P = ParamSpec("P")
R = TypeVar("R")

_memo: ContextVar[dict | None] = ContextVar("request_memo", default=None)


class RequestMemoMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)


def per_request(func: Callable[P, R]) -> Callable[P, R]:
    """Remembers the result for the same (hashable) positional arguments until the request ends;
    model instances count by primary key."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        memo = _memo.get()
        if memo is None or kwargs:
            return func(*args, **kwargs)
        key = (func, args)
        if key not in memo:
            memo[key] = func(*args, **kwargs)
        return memo[key]

    def remember(*args: object, value: object) -> None:
        """What the call with these arguments returns for the rest of the request: a value read
        along with something else (one statement for both) need not be read again."""
        memo = _memo.get()
        if memo is not None:
            memo[(func, args)] = value

    wrapper.remember = remember  # type: ignore[attr-defined]
    return wrapper
