"""Creates the floor's table (its migration) and fills it afresh with `--rows` rows.

    DATABASE_URL=… DJANGO_SETTINGS_MODULE=floor.settings PYTHONPATH=bench \\
      python -m floor.prepare --rows 10000 --ids-file /tmp/ids.txt

Writes the seeded keys (`floor.row_id(1…rows)`), one a line, to `--ids-file` for the load generator.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from floor import TABLE, row_id  # noqa: E402
from floor.models import Row  # noqa: E402

CUSTOMER_NAME = "広域 太郎"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--ids-file", type=Path, required=True)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    ids = [row_id(serial) for serial in range(1, args.rows + 1)]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {TABLE}")
        Row.objects.bulk_create(
            [
                Row(
                    id=key,
                    organization_id=1,
                    kind="20",
                    state="received",
                    customer_name=CUSTOMER_NAME,
                    payload={"supply_point_number": f"039{key[3:]}"},
                )
                for key in ids
            ],
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")
    args.ids_file.write_text("".join(f"{key}\n" for key in ids))


if __name__ == "__main__":
    main()
