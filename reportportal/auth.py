"""The authentication backend in settings: org's (the user with their role and place, in one
query), which also counts the user's unread notices in that query, for the navigation bar every
page shows (reports.context_processors): one statement a page less."""

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from org.backends import PortalBackend as OrgBackend
from reports.context_processors import UNREAD_AT_LOAD, unread_subquery_sql


class PortalBackend(OrgBackend):
    def user_query(self) -> QuerySet[User]:
        return super().user_query().annotate(**{UNREAD_AT_LOAD: RawSQL(unread_subquery_sql(), ())})
