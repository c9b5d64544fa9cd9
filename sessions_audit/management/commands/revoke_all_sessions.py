"""The kill switch: end every session of every user, audited."""

from django.core.management.base import BaseCommand, CommandError

from sessions_audit import services


class Command(BaseCommand):
    help = (
        "End every session of every user (reason kill_switch). Every user's "
        "session epoch moves too, so no surviving copy authenticates. Nobody's "
        "session survives, including the admin running this: sign in again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--note", default="", help="Recorded in the audit log.")
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask for confirmation."
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Never prompt: without --yes, refuse.",
        )

    def handle(self, *args, note: str, yes: bool, interactive: bool, **options):
        if not yes:
            if not interactive:
                raise CommandError("Refusing to run without --yes.")
            answer = input("End EVERY session of EVERY user? Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing ended.")
        result = services.revoke_every_session(note=note)
        self.stdout.write(
            self.style.SUCCESS(
                f"Ended {result.sessions} sessions of {result.users} users."
            )
        )
