"""Closed the numbers of the address keys 0009 wrote (a separator after a number before a
building's name). Now nothing: 0011 turns each number into one character from the keys of 0009
and of this migration alike, so a registry migrated from 0009 is not rewritten twice (ADR 31)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("switching", "0009_supply_point_search_keys"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),
    ]
