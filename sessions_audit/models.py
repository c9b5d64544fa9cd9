import uuid

from django.conf import settings
from django.db import models


class Method(models.TextChoices):
    """How a session was signed in."""

    PASSWORD = "password", "Password"
    PASSKEY = "passkey", "Passkey"
    OTHER = "other", "Other"


class EventType(models.TextChoices):
    """Stable, past-tense audit event types. Values never change once shipped.

    The README's event catalogue lists each with its trigger and fields.
    """

    LOGIN_SUCCEEDED = "login_succeeded", "Sign-in succeeded"
    LOGIN_FAILED = "login_failed", "Sign-in failed"
    LOGGED_OUT = "logged_out", "Signed out"
    SESSION_CREATED = "session_created", "Session created"
    SESSION_ROTATED = "session_rotated", "Session key rotated"
    SESSION_EXPIRED = "session_expired", "Session expired"
    SESSION_REVOKED = "session_revoked", "Session revoked"
    ALL_SESSIONS_REVOKED = "all_sessions_revoked", "All sessions revoked"
    CLIENT_CHANGED = "client_changed", "Client changed"
    REAUTHENTICATED = "reauthenticated", "Re-authenticated"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET = "password_reset", "Password reset"
    PASSKEY_REGISTERED = "passkey_registered", "Passkey registered"
    PASSKEY_RENAMED = "passkey_renamed", "Passkey renamed"
    PASSKEY_REMOVED = "passkey_removed", "Passkey removed"
    PASSKEY_LOGIN_FAILED = "passkey_login_failed", "Passkey sign-in failed"
    PASSKEY_CLONE_SUSPECTED = "passkey_clone_suspected", "Passkey clone suspected"
    AUDIT_EXPORTED = "audit_exported", "Audit log exported"
    AUDIT_PURGED = "audit_purged", "Audit events purged"
    AUTHORIZATION_REFUSED = "authorization_refused", "Authorization refused"
    PASSKEY_REGISTRATION_FAILED = (
        "passkey_registration_failed",
        "Passkey registration failed",
    )


class Reason(models.TextChoices):
    """Why a session ended or an action was taken (stable values)."""

    LOGOUT = "logout", "Signed out"
    SELF = "self", "Ended by the user"
    ADMIN = "admin", "Ended by an admin"
    PASSWORD_CHANGE = "password_change", "Password changed"
    PASSWORD_RESET = "password_reset", "Password reset"
    DEACTIVATION = "deactivation", "Account deactivated"
    PRIVILEGE_CHANGE = "privilege_change", "Privileges raised"
    PASSKEY_REMOVAL = "passkey_removal", "Passkey removed"
    CONCURRENCY_LIMIT = "concurrency_limit", "Too many sessions"
    KILL_SWITCH = "kill_switch", "Every session ended"
    IDLE = "idle", "Idle timeout"
    ABSOLUTE = "absolute", "Absolute timeout"
    BAD_CREDENTIALS = "bad_credentials", "Wrong credentials"


class UserSession(models.Model):
    """The registry: one row per live authenticated session.

    A session authenticates only while its row exists (see authentication.py);
    ending a session deletes the row, and the audit log keeps its history.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions"
    )
    # The live key, kept to delete the session store; it is never shown, logged
    # or exported. `ref` is what the audit log and every interface use instead.
    session_key = models.CharField(max_length=40, unique=True)
    ref = models.CharField(max_length=32)
    epoch = models.PositiveIntegerField()
    method = models.CharField(max_length=16, choices=Method.choices)
    # The passkey a session signed in with, so that removing the passkey can end
    # exactly those sessions (Reason.PASSKEY_REMOVAL).
    passkey = models.ForeignKey(
        "accounts.Passkey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    created_at = models.DateTimeField()
    # When the user last proved who they are: sign-in, or a re-authentication
    # (NIST 800-63B §5.2: that resets both timers). The absolute timeout counts
    # from here; activity never moves it.
    auth_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        verbose_name = "session"
        ordering = ["-last_seen_at"]
        indexes = [
            models.Index(fields=["user", "-last_seen_at"], name="usersession_user_seen")
        ]
        permissions = [("revoke_usersession", "Can end sessions")]

    def __str__(self) -> str:
        return f"{self.user} on {self.ip or 'unknown address'}"


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit events are append-only.")

    def delete(self):
        raise TypeError("Audit events are append-only.")


class Event(models.Model):
    """One audit event. Append-only: rows are inserted, never changed."""

    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(db_index=True)
    # Stored without database choices: adding an event type needs no migration.
    # record_event() accepts only EventType members.
    event_type = models.CharField(max_length=40)
    # No database constraints: deleting a user must not touch their audit trail.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, blank=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    subject_label = models.CharField(max_length=150, blank=True)
    session_ref = models.CharField(max_length=32, blank=True)
    method = models.CharField(max_length=16, blank=True)
    reason = models.CharField(max_length=40, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Tamper evidence (chain.py): SHA-256 over this row's canonical form, which
    # includes the previous event's hash.
    prev_hash = models.CharField(max_length=64, blank=True)
    chain_hash = models.CharField(max_length=64, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        default_permissions = ("view",)
        permissions = [("export_event", "Can export audit events")]
        indexes = [
            models.Index(
                fields=["event_type", "created_at"], name="event_type_created"
            ),
            models.Index(
                fields=["subject", "created_at"], name="event_subject_created"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.event_type}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only.")


class AuditChainHead(models.Model):
    """One row: the hash of the newest event, so a cut-off tail is detected."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_event_id = models.BigIntegerField(null=True)
    last_hash = models.CharField(max_length=64)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"chain head at event {self.last_event_id}"


class AuditAnchor(models.Model):
    """Where the chain starts after a retention purge (retention.py).

    The first kept event links to ``prev_hash`` instead of to a purged event;
    ``verify_audit`` starts from the newest anchor.
    """

    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField()
    first_event_id = models.BigIntegerField()
    prev_hash = models.CharField(max_length=64)
    purged_count = models.PositiveBigIntegerField()
    cutoff = models.DateTimeField()

    class Meta:
        default_permissions = ()
        ordering = ["-first_event_id"]

    def __str__(self) -> str:
        return f"anchor at event {self.first_event_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Audit anchors are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit anchors are append-only.")
