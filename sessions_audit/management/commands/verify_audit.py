"""manage.py verify_audit: walk the hash chain; exit 1 at the first bad link."""

from django.core.management.base import BaseCommand, CommandError

from sessions_audit import chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and report the first broken link."

    def handle(self, *args, **options) -> None:
        verdict = chain.verify()
        if not verdict.ok:
            raise CommandError(
                f"Audit chain broken at event {verdict.event_id}: {verdict.problem} "
                f"({verdict.checked} events verified before it).",
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {verdict.checked} events.")
        )
