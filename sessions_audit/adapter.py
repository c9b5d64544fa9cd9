"""allauth's adapter, with password changes marked as allauth's own.

Every password change must end sessions, whichever path made it: allauth's
change and reset pages, the admin's "change password" form, a shell
``set_password()``. The one mechanism that sees them all is the user model's
save (``receivers.on_user_pre_save`` / ``on_user_post_save``). allauth's flows
also send their own signal (``password_changed`` / ``password_reset``) *after*
saving, and only those know whether the current session stays (a change) or
goes too (a reset). So allauth's saves are marked here, the model receiver
skips marked saves, and allauth's signal does the revoking: one revocation per
change, never two.
"""

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.base_user import AbstractBaseUser

# Set on the user instance for the one save that allauth's flow makes.
ALLAUTH_PASSWORD_FLOW = "_sessions_audit_allauth_password_flow"  # noqa: S105


class AccountAdapter(DefaultAccountAdapter):
    def set_password(self, user: AbstractBaseUser, password: str) -> None:
        setattr(user, ALLAUTH_PASSWORD_FLOW, True)
        try:
            super().set_password(user, password)
        finally:
            delattr(user, ALLAUTH_PASSWORD_FLOW)
