"""manage.py export_audit: the auditor export from the command line.

The same filters as the auditor page, the same export function, audited like
every other export (the actor is recorded as the operating-system user, since
the command is local and has no signed-in user).
"""

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sessions_audit import selectors, services
from sessions_audit.export import FORMATS, write_export
from sessions_audit.forms import AuditFilterForm
from sessions_audit.models import EventType


class Command(BaseCommand):
    help = "Export audit events as CSV or JSON Lines (streamed, constant memory)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--since", help="First UTC day, YYYY-MM-DD.")
        parser.add_argument("--until", help="Last UTC day (inclusive), YYYY-MM-DD.")
        parser.add_argument("--user", help="Username, as actor or subject.")
        parser.add_argument(
            "--type",
            action="append",
            dest="types",
            choices=EventType.values,
            metavar="EVENT_TYPE",
            help="Event type; repeat for several.",
        )
        parser.add_argument("--ip", help="Client IP address.")
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument(
            "--output", "-o", default="-", help="File to write; '-' is stdout."
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar on stderr."
        )

    def handle(self, *args, **options) -> None:
        form = AuditFilterForm(
            {name: options[name] or "" for name in ("since", "until", "user", "ip")}
        )
        if not form.is_valid():
            errors = "; ".join(
                f"{name}: {' '.join(messages)}"
                for name, messages in form.errors.items()
            )
            raise CommandError(f"Invalid filters: {errors}")
        selection = {**form.selection(), "types": options["types"]}
        fmt = options["format"]
        events = services.start_export(
            events=selectors.audit_events(**selection),
            actor=None,
            filters={
                "source": "command",
                "os_user": getpass.getuser(),
                "format": fmt,
                **form.described(),
                **({"types": options["types"]} if options["types"] else {}),
            },
        )
        total = events.count()
        bar = tqdm(
            total=total,
            unit=" rows",
            file=self.stderr,
            disable=options["no_progress"],
            desc="export",
        )
        output = options["output"]
        with bar:
            if output == "-":
                rows = write_export(
                    events, sys.stdout.buffer, fmt=fmt, progress=bar.update
                )
            else:
                with open(output, "wb") as out:
                    rows = write_export(events, out, fmt=fmt, progress=bar.update)
        if output != "-":
            self.stderr.write(f"Wrote {rows} events to {output}.")
