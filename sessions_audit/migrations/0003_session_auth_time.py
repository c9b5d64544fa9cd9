from django.db import migrations, models
from django.db.models import F


def auth_at_from_created_at(apps, schema_editor):
    # Existing sessions count their absolute lifetime from their sign-in.
    UserSession = apps.get_model("sessions_audit", "UserSession")
    UserSession.objects.update(auth_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_audit", "0002_auditors_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="usersession",
            name="auth_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(auth_at_from_created_at, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="usersession",
            name="auth_at",
            field=models.DateTimeField(),
        ),
    ]
