from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from sessions_audit.groups import AUDITORS

# Local-only demo credentials: the command refuses to run unless DEBUG is on.
DEMO_USERS = [
    # username, password, role
    ("alice", "alice-demo-password", "user"),
    ("admin", "admin-demo-password", "admin"),
    ("auditor", "auditor-demo-password", "auditor"),
]


class Command(BaseCommand):
    help = "Create (or reset) the demo user, admin and auditor. Development only."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo only runs with DEBUG on: its passwords are public."
            )
        User = get_user_model()
        for username, password, role in DEMO_USERS:
            user, _ = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.com"}
            )
            user.is_staff = role in {"admin", "auditor"}
            user.is_superuser = role == "admin"
            user.set_password(password)
            user.save()
            if role == "auditor":
                user.groups.set([Group.objects.get(name=AUDITORS)])
            self.stdout.write(f"  {role:8} {username:8} password: {password}")
