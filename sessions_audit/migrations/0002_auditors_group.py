"""Create the Auditors group: view and export audit events, nothing else."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AUDITORS = "Auditors"
PERMISSIONS = ("view_event", "export_event")


def create_auditors(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=AUDITORS)
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="sessions_audit", codename__in=PERMISSIONS
        )
    )


def remove_auditors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=AUDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_audit", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_auditors, remove_auditors)]
