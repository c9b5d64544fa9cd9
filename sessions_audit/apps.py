from django.apps import AppConfig


class SessionsAuditConfig(AppConfig):
    name = "sessions_audit"
    verbose_name = "Sessions and audit"

    def ready(self) -> None:
        from django.contrib.auth import signals as auth_signals

        from . import receivers

        auth_signals.user_logged_in.connect(
            receivers.on_user_logged_in,
            dispatch_uid="sessions_audit.receivers.on_user_logged_in",
        )
        auth_signals.user_logged_out.connect(
            receivers.on_user_logged_out,
            dispatch_uid="sessions_audit.receivers.on_user_logged_out",
        )
        auth_signals.user_login_failed.connect(
            receivers.on_user_login_failed,
            dispatch_uid="sessions_audit.receivers.on_user_login_failed",
        )
