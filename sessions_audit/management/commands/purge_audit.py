"""manage.py purge_audit: delete audit events past the retention period."""

import getpass
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sessions_audit.app_settings import app_settings
from sessions_audit.retention import purge_events


class Command(BaseCommand):
    help = (
        "Delete audit events older than the retention period "
        "(SESSIONS_AUDIT['AUDIT_RETENTION_DAYS']); the purge is itself audited "
        "and the chain stays verifiable from a recorded anchor."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days instead of the configured retention.",
        )

    def handle(self, *args, days: int | None, **options) -> None:
        days = app_settings.AUDIT_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError("--days must be at least 1.")
        before = timezone.now() - timedelta(days=days)
        result = purge_events(
            before=before,
            data={"source": "command", "os_user": getpass.getuser(), "days": days},
        )
        self.stdout.write(
            f"Purged {result.purged} audit events older than "
            f"{before:%Y-%m-%d %H:%M:%S}Z; the chain now starts at event "
            f"{result.first_kept_id}."
        )
