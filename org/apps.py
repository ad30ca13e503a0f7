from django.apps import AppConfig


class OrgConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "org"
    verbose_name = "组织与用户"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from . import audit

        user_logged_in.connect(audit.on_logged_in, dispatch_uid="audit_login")
        user_login_failed.connect(audit.on_login_failed, dispatch_uid="audit_login_failed")
        user_logged_out.connect(audit.on_logged_out, dispatch_uid="audit_logout")
        user_locked_out.connect(audit.on_locked_out, dispatch_uid="audit_locked_out")
        user_logged_out.connect(_forget_session, dispatch_uid="forget_session")
        user_logged_in.connect(_note_activity, dispatch_uid="note_activity")


def _note_activity(sender: object, request: object, user: object, **kwargs: object) -> None:
    """A new session starts active (org.middleware.IdleTimeoutMiddleware), with no write later."""
    import time

    from .middleware import SEEN

    session = getattr(request, "session", None)
    if session is not None:
        session[SEEN] = time.time()


def _forget_session(sender: object, request: object, user: object, **kwargs: object) -> None:
    """The session list (org.UserSession) drops a session when its user logs out."""
    from .services import session_ended

    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        session_ended(session_key=key)
