"""Chain the events that predate the hash chain, then make the table append-only.

The PostgreSQL trigger refuses every UPDATE and DELETE on the audit tables.
There is one exception, for the retention purge alone (retention.py): a DELETE
on sessions_audit_event inside a transaction that has set the transaction-local
setting ``sessions_audit.purge`` to ``on``. On SQLite this migration only
chains existing rows; the ORM guards in models.py are what refuse changes there.
"""

from django.db import migrations

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION sessions_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'sessions_audit_event'
     AND current_setting('sessions_audit.purge', true) = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION '% on % refused: the audit log is append-only',
    TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER sessions_audit_event_append_only
  BEFORE UPDATE OR DELETE ON sessions_audit_event
  FOR EACH STATEMENT EXECUTE FUNCTION sessions_audit_append_only();
CREATE TRIGGER sessions_audit_anchor_append_only
  BEFORE UPDATE OR DELETE ON sessions_audit_auditanchor
  FOR EACH STATEMENT EXECUTE FUNCTION sessions_audit_append_only();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS sessions_audit_event_append_only ON sessions_audit_event;
DROP TRIGGER IF EXISTS sessions_audit_anchor_append_only
  ON sessions_audit_auditanchor;
DROP FUNCTION IF EXISTS sessions_audit_append_only();
"""


def chain_existing_events(apps, schema_editor):
    from sessions_audit.chain import GENESIS, HASHED_FIELDS, compute_hash

    Event = apps.get_model("sessions_audit", "Event")
    Head = apps.get_model("sessions_audit", "AuditChainHead")
    names = ("id", *HASHED_FIELDS)
    prev, last_id = GENESIS, None
    for row in Event.objects.order_by("id").values_list(*names).iterator():
        fields = dict(zip(names, row, strict=True))
        fields["prev_hash"] = prev
        digest = compute_hash(fields)
        Event.objects.filter(pk=fields["id"]).update(prev_hash=prev, chain_hash=digest)
        prev, last_id = digest, fields["id"]
    if last_id is not None:
        Head.objects.update_or_create(
            pk=1, defaults={"last_event_id": last_id, "last_hash": prev}
        )


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL, None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, None)


class Migration(migrations.Migration):
    dependencies = [("sessions_audit", "0004_event_hash_chain")]

    operations = [
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
