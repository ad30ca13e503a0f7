"""The authentication backend in settings: org's (the user with their role and place, in one
query), which also counts the user's unread notices in that query, for the navigation bar every
page shows (reports.context_processors): one statement a page less."""

from collections.abc import Mapping

from org.backends import PortalBackend as OrgBackend
from reports.context_processors import UNREAD_AT_LOAD, unread_subquery_sql


class PortalBackend(OrgBackend):
    def extra_columns(self) -> Mapping[str, str]:
        return {UNREAD_AT_LOAD: unread_subquery_sql()}
