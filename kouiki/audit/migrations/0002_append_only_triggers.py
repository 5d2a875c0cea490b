"""The audit table refuses changes in the database itself, not only through the ORM.

The ORM guard (EventQuerySet, Event.save/delete) stops our own code; these triggers also stop raw
SQL, a shell, or another client of the same database.

- PostgreSQL: a row-level trigger refuses UPDATE and DELETE. Django's flush (used between
  `transactional_db` tests) empties tables with TRUNCATE, which row-level triggers do not see, so
  the test database still resets. TRUNCATE stays possible for the database owner, on purpose:
  retention jobs and test flushes need it, and it takes a privilege the application role should
  not be granted in production.
- SQLite: only UPDATE is refused. Django's flush on SQLite empties tables with DELETE, so a DELETE
  trigger would break every `transactional_db` test; the ORM guard covers deletion there.

On SQLite, a later migration that rebuilds the table (most AlterField operations) drops its
triggers with the old table: such a migration must create the trigger again.
"""

from django.db import migrations

POSTGRESQL_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$
    """,
    """
    CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
]
SQLITE_FORWARD = [
    """
    CREATE TRIGGER IF NOT EXISTS audit_event_no_update
    BEFORE UPDATE ON audit_event
    BEGIN
        SELECT RAISE(ABORT, 'audit_event is append-only: UPDATE refused');
    END
    """,
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS audit_event_no_update"]


def _run(schema_editor, statements_by_vendor):
    # params=None: the PL/pgSQL body holds a literal % that is not a query placeholder.
    for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def create_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD})


def drop_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE})


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
