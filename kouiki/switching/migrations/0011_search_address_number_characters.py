"""Address keys with each number as one character (ADR 31: U+20000 + the number, up to four
digits), so that the trigram index sees a town's last character with two whole numbers — rare
enough to narrow at once.

PostgreSQL: one UPDATE turns the keys 0009/0010 wrote (numbers closed by the separator ``x``) into
the new form in SQL, with the trigram index dropped meanwhile and built again after (a bulk build,
not an index update per row); the result equals search_keys.address_key of the address. SQLite:
recomputed in Python."""

from django.db import migrations

from kouiki.switching.models.search_keys import address_key

TRGM_INDEX = "switching_spv_search_address_trgm"
TO_CHARACTERS = r"""
UPDATE switching_supplypointversion AS v SET search_address = (
    SELECT string_agg(
        CASE WHEN t.part[1] ~ '^[0-9]{1,4}x?$'
             THEN chr(131072 + rtrim(t.part[1], 'x')::int) ELSE t.part[1] END,
        '' ORDER BY t.n)
    FROM regexp_matches(v.search_address, '[0-9]+x?|[^0-9]+', 'g') WITH ORDINALITY AS t(part, n)
)
WHERE v.search_address ~ '[0-9]'
"""


def recompute(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")
        schema_editor.execute(TO_CHARACTERS)
        schema_editor.execute(
            f"CREATE INDEX {TRGM_INDEX} ON switching_supplypointversion "
            "USING gin (search_address gin_trgm_ops) WHERE valid_to IS NULL"
        )
        return
    Version = apps.get_model("switching", "SupplyPointVersion")
    rows = [
        Version(pk=row.pk, search_address=address_key(row.customer_address)[:200])
        for row in Version.objects.only("pk", "customer_address").iterator(chunk_size=2000)
    ]
    Version.objects.bulk_update(rows, ["search_address"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("switching", "0010_search_address_closed_numbers"),
    ]

    operations = [
        migrations.RunPython(recompute, migrations.RunPython.noop),
    ]
