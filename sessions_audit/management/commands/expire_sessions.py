"""Expiry clean-up: remove timed-out sessions from the database, cache and registry.

Django's ``clearsessions`` deletes expired ``django_session`` rows only: it
leaves their Redis copies (until their TTL) and the registry rows, and writes
no audit event. This command ends each timed-out registry session through
``lifecycle.expire_session`` (its ``session_expired`` event, then the store
deletes), and then deletes the expired session stores that no registry row
points at (anonymous, pre-sign-in sessions) from the database and the cache.
Run it from cron (every few minutes); the timeouts hold without it, since each
request checks them, but stores and rows would pile up.
"""

from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.management.base import BaseCommand
from django.utils import timezone
from tqdm import tqdm

from sessions_audit import lifecycle, selectors
from sessions_audit.app_settings import app_settings
from sessions_audit.models import Reason, UserSession

BATCH = 1000


class Command(BaseCommand):
    help = "End timed-out sessions (audited) and delete expired session stores."

    def add_arguments(self, parser):
        parser.add_argument(
            "--progress",
            action="store_true",
            help="Show the progress bar even on a small store.",
        )

    def handle(self, *args, progress: bool, **options):
        now = timezone.now()
        timed_out = selectors.expired_sessions(now=now)
        stale_stores = Session.objects.filter(expire_date__lt=now)
        total = timed_out.count() + stale_stores.count()
        bar = tqdm(
            total=total,
            unit="session",
            file=self.stderr._out,
            disable=not progress and total < app_settings.CLEANUP_PROGRESS_THRESHOLD,
        )
        ended = 0
        with bar:
            # In key order, a batch at a time: rows are deleted as they go, so
            # no cursor stays open over the table being changed.
            last = None
            while chunk := list(
                (timed_out if last is None else timed_out.filter(pk__gt=last))[:BATCH]
            ):
                last = chunk[-1].pk
                for row in chunk:
                    reason = lifecycle.expiry_reason(row, now=now)
                    if reason is not None:
                        ended += lifecycle.expire_session(session=row, reason=reason)
                bar.update(len(chunk))
            # A registry row whose store expired no longer carries a user: its
            # store lived as long as the absolute timeout allows.
            keys_query = stale_stores.order_by("pk").values_list("pk", flat=True)
            while keys := list(keys_query[:BATCH]):
                for row in UserSession.objects.select_related("user").filter(
                    session_key__in=keys
                ):
                    ended += lifecycle.expire_session(
                        session=row, reason=Reason.ABSOLUTE
                    )
                Session.objects.filter(session_key__in=keys).delete()
                caches[settings.SESSION_CACHE_ALIAS].delete_many(
                    [KEY_PREFIX + key for key in keys]
                )
                bar.update(len(keys))
        self.stdout.write(
            self.style.SUCCESS(
                f"Ended {ended} timed-out sessions; "
                f"checked {total} sessions and stores."
            )
        )
