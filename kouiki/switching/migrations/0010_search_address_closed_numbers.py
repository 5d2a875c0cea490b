"""Close every number of an address key's block part (ADR 31): a number after the separator and
before another character (a building's name) gets the separator too, so that a typed fragment,
whose last number is now closed, finds it; the trigram index then narrows 「本町2-3」 to 番 3 instead
of 3 and 30–39. Search keys only; on PostgreSQL one UPDATE of the rows it changes."""

import re

from django.db import migrations

# search_keys._OPEN_AFTER_SEPARATOR, as it is written here (a migration keeps its own copy).
OPEN_AFTER_SEPARATOR = re.compile(r"(x[0-9]+)(?=[^0-9x])")


def close_numbers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE switching_supplypointversion "
            "SET search_address = regexp_replace(search_address, %s, %s, 'g') "
            "WHERE search_address ~ %s",
            [r"x([0-9]+)([^0-9x])", r"x\1x\2", r"x[0-9]+[^0-9x]"],
        )
        return
    Version = apps.get_model("switching", "SupplyPointVersion")
    changed = []
    for row in Version.objects.filter(search_address__contains="x").only("pk", "search_address").iterator():
        closed = OPEN_AFTER_SEPARATOR.sub(r"\1x", row.search_address)
        if closed != row.search_address:
            row.search_address = closed
            changed.append(row)
    Version.objects.bulk_update(changed, ["search_address"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("switching", "0009_supply_point_search_keys"),
    ]

    operations = [
        migrations.RunPython(close_numbers, migrations.RunPython.noop),
    ]
