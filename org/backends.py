"""The authentication backend: Django's ModelBackend, loading the signed-in user together with
their role and place.

Every page asks org.access for the user's Membership, and the navigation bar names its township,
county or city: read with the user, in one query, instead of three on every request.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.db.models import QuerySet

# The membership and its place (a clerk's township with its county): what org.access and the
# navigation bar read. A user without a membership gets none cached, so access still finds none.
USER_WITH_PLACE = (
    "membership__township__county",
    "membership__county",
    "membership__city",
)


class PortalBackend(ModelBackend):
    """ModelBackend (password check, inactive users refused) whose get_user — run on every
    request from the session — reads the membership and its place in the same query."""

    def user_query(self) -> QuerySet[User]:
        """The query get_user reads the user with (reportportal.auth adds to it)."""
        return User._default_manager.select_related(*USER_WITH_PLACE)

    def get_user(self, user_id: int) -> User | None:
        try:
            user = self.user_query().get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
