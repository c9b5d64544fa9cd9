"""Email notices to the account owner, sent through allauth's mechanism.

allauth already mails "password changed" and "password reset" (with
``ACCOUNT_EMAIL_NOTIFICATIONS``); these add the session events it does not
know about, with the same templates base (IP, browser, time, "if this was not
you"). A notice never carries a session key, a reference or a link that signs
anyone in. Mail is best effort: a failing mail server never fails the action.
"""

import logging

from allauth.account.adapter import get_adapter
from allauth.core import context
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

logger = logging.getLogger(__name__)

NEW_DEVICE = "account/email/new_device_signin"
SESSIONS_ENDED_BY_ADMIN = "account/email/sessions_ended_by_admin"
PASSWORD_CHANGED = "account/email/password_changed"  # noqa: S105


def notify(
    *,
    template_prefix: str,
    user: AbstractBaseUser,
    request: HttpRequest | None,
    extra: dict | None = None,
) -> None:
    """Mail ``user`` the notice ``template_prefix``; skipped without a request.

    Without a request (a management command) there is no origin to report, so
    no notice is sent; the kill switch is announced by whoever runs it.
    """
    if request is None:
        return
    try:
        with context.request_context(request):
            get_adapter(request).send_notification_mail(
                template_prefix, user, extra or {}
            )
    except Exception:
        logger.warning("Notification %s not sent.", template_prefix, exc_info=True)
