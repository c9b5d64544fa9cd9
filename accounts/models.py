import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models

# WebAuthn's maximum credential id length (WebAuthn L3 §5.1, "credentialId").
MAX_CREDENTIAL_ID_BYTES = 1023
USER_HANDLE_BYTES = 64


class User(AbstractUser):
    """The project's user model, custom from the first migration.

    ``session_epoch`` is the per-user marker that "revoke all" moves: every
    registry row remembers the epoch it was created under, and a row from an
    older epoch no longer authenticates, even if a copy of it survives.

    ``webauthn_user_handle`` is the WebAuthn user id: 64 random bytes, made on
    the first passkey registration and reused for every later one. It carries
    no personal data and is not the primary key, so an authenticator that
    shows or syncs it reveals nothing about the account.
    """

    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    webauthn_user_handle = models.BinaryField(
        max_length=USER_HANDLE_BYTES, null=True, unique=True, editable=False
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_username()

    def save(self, *args, **kwargs) -> None:
        # The epoch only ever moves forward, by one UPDATE ... + 1 in
        # revoke_all_sessions. A plain save() of an instance loaded before a
        # revocation would write the old epoch back, killing the sessions made
        # since (and reviving copies the revocation killed), so an update never
        # writes it.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "session_epoch"
            ]
        super().save(*args, **kwargs)

    def ensure_user_handle(self) -> bytes:
        """Return the user's WebAuthn handle, creating (and saving) it once."""
        if not self.webauthn_user_handle:
            self.webauthn_user_handle = secrets.token_bytes(USER_HANDLE_BYTES)
            type(self).objects.filter(
                pk=self.pk, webauthn_user_handle__isnull=True
            ).update(webauthn_user_handle=self.webauthn_user_handle)
            self.refresh_from_db(fields=["webauthn_user_handle"])
        return bytes(self.webauthn_user_handle)


class Passkey(models.Model):
    """A WebAuthn credential registered by its owner (one credential store).

    The sign count, backup state and last use change only after an assertion
    has passed every check (accounts/services.py).
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="passkeys", editable=False
    )
    # Unique across all users: a credential id names exactly one account.
    credential_id = models.BinaryField(
        max_length=MAX_CREDENTIAL_ID_BYTES, unique=True, editable=False
    )
    public_key = models.BinaryField(editable=False)
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    aaguid = models.CharField(max_length=36, blank=True)
    backup_eligible = models.BooleanField(default=False)
    backup_state = models.BooleanField(default=False)
    name = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["user", "created_at"], name="passkey_user")]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @property
    def is_synced(self) -> bool:
        """Backup eligible: a synced (multi-device) passkey, not device-bound."""
        return self.backup_eligible

    @property
    def ref(self) -> str:
        """Keyed hash of the credential id, for the audit log."""
        return credential_ref(bytes(self.credential_id))


def credential_ref(credential_id: bytes) -> str:
    """The audit reference of a credential id (HMAC, never the id itself)."""
    from sessions_audit.refs import session_ref

    return session_ref("passkey:" + credential_id.hex())
