from django.apps import AppConfig


class SessionsAuditConfig(AppConfig):
    name = "sessions_audit"
    verbose_name = "Sessions and audit"

    def ready(self) -> None:
        from allauth.account import signals as allauth_signals
        from django.contrib.auth import get_user_model
        from django.contrib.auth import signals as auth_signals
        from django.db.models import signals as model_signals

        from . import groups, receivers

        uid = "sessions_audit.receivers."
        auth_signals.user_logged_in.connect(
            receivers.on_user_logged_in, dispatch_uid=uid + "on_user_logged_in"
        )
        auth_signals.user_logged_out.connect(
            receivers.on_user_logged_out, dispatch_uid=uid + "on_user_logged_out"
        )
        auth_signals.user_login_failed.connect(
            receivers.on_user_login_failed, dispatch_uid=uid + "on_user_login_failed"
        )
        allauth_signals.password_changed.connect(
            receivers.on_password_changed, dispatch_uid=uid + "on_password_changed"
        )
        # A first password on an account without one is a change too.
        allauth_signals.password_set.connect(
            receivers.on_password_changed, dispatch_uid=uid + "on_password_set"
        )
        allauth_signals.password_reset.connect(
            receivers.on_password_reset, dispatch_uid=uid + "on_password_reset"
        )
        allauth_signals.authentication_step_completed.connect(
            receivers.on_authentication_step_completed,
            dispatch_uid=uid + "on_authentication_step_completed",
        )
        model_signals.post_migrate.connect(
            groups.ensure_auditors_group,
            sender=self,
            dispatch_uid="sessions_audit.groups.ensure_auditors_group",
        )
        user_model = get_user_model()
        model_signals.pre_save.connect(
            receivers.on_user_pre_save,
            sender=user_model,
            dispatch_uid=uid + "on_user_pre_save",
        )
        model_signals.post_save.connect(
            receivers.on_user_post_save,
            sender=user_model,
            dispatch_uid=uid + "on_user_post_save",
        )
