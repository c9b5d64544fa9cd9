"""The Auditors group: view and export audit events, nothing else."""

AUDITORS = "Auditors"
AUDITOR_PERMISSIONS = ("view_event", "export_event")


def ensure_auditors_group(**kwargs) -> None:
    """Create the Auditors group with exactly its permissions, if missing.

    Migration 0002 creates it; this post_migrate receiver puts it back after a
    ``flush`` (which empties every table but, like Django's permissions, re-runs
    post_migrate), so the group is always there.
    """
    from django.contrib.auth.models import Group, Permission

    group, created = Group.objects.get_or_create(name=AUDITORS)
    if created:
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="sessions_audit",
                codename__in=AUDITOR_PERMISSIONS,
            )
        )
