"""Who a request belongs to, decided by the database (principle 1).

Django's own ``get_user`` trusts whatever session data it finds, in the cache
or in the database. This one also requires the session's registry row, and
loads it together with the user in a single query, so an authenticated request
costs one query, as stock Django does, and a revoked session whose data still
sits in Redis authenticates nobody. The idle and absolute timeouts are
checked on the same row, so they cost no query either; only a session that
has just timed out pays for its expiry (a delete, an audit event, a flush).
"""

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from .lifecycle import expire_session, expiry_reason, record_activity
from .models import UserSession


def _hash_verified(request: HttpRequest, user) -> bool:
    session_hash = request.session.get(HASH_SESSION_KEY)
    if not session_hash:
        return False
    current = user.get_session_auth_hash()
    if constant_time_compare(session_hash, current):
        return True
    if any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    ):
        # Signed under a retired SECRET_KEY: upgrade, as Django does.
        request.session.cycle_key()
        request.session[HASH_SESSION_KEY] = current
        return True
    return False


def load_registry_row(request: HttpRequest) -> UserSession | None:
    """Return the live registry row of this request's session, or None."""
    session = request.session
    try:
        user_id = session[SESSION_KEY]
        backend_path = session[BACKEND_SESSION_KEY]
    except KeyError:
        return None
    if backend_path not in settings.AUTHENTICATION_BACKENDS or not session.session_key:
        return None
    try:
        # get(), not first(): the key is unique, and first() would add an
        # ORDER BY that costs more to compile than the query takes to run.
        row = UserSession.objects.select_related("user").get(
            session_key=session.session_key, user_id=user_id
        )
    except UserSession.DoesNotExist:
        return None
    if row.epoch != row.user.session_epoch or not row.user.is_active:
        return None
    if not _hash_verified(request, row.user):
        return None
    reason = expiry_reason(row, now=timezone.now())
    if reason is not None:
        expire_session(session=row, reason=reason, request=request)
        return None
    return row


def get_user(request: HttpRequest):
    """Return the request's user, or ``AnonymousUser`` if the session is not live.

    A session that carries a user but has no live registry row is flushed, which
    deletes whatever copy of it is left in the database and the cache.
    """
    row = load_registry_row(request)
    if row is None:
        if SESSION_KEY in request.session:
            request.session.flush()
        return AnonymousUser()
    request.user_session = row
    record_activity(session=row, request=request)
    return row.user
