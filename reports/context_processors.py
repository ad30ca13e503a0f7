from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Notice


def notices(request: HttpRequest) -> dict[str, object]:
    """The signed-in user's unread notices, counted only when a page shows the number."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notices": 0}
    return {
        "unread_notices": SimpleLazyObject(
            lambda: Notice.objects.filter(user=user, read_at__isnull=True).count()
        )
    }
