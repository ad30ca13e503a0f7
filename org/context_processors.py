from django.http import HttpRequest

from .access import membership_of, pages


def membership(request: HttpRequest) -> dict[str, object]:
    """The signed-in user's role and place, and the pages the navigation bar offers."""
    return {"membership": membership_of(request.user), "pages": pages(request.user)}
