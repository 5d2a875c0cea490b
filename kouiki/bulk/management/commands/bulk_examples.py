"""`manage.py bulk_examples [DIR]`: write each registered bulk function's example file (its template:
the header in the API's order and its example rows, UTF-8 with BOM, CRLF) to DIR, by default
docs/guide/bulk-examples/, named after the function (sw-w02.csv); the user guide links them."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from kouiki.bulk import registry, services

DEFAULT_DIR = Path("docs") / "guide" / "bulk-examples"


def example_files() -> dict[str, bytes]:
    """Each registered function's example file by its name."""
    return {
        f"{function.function_id.lower()}.csv": services.template_csv(function)
        for function in registry.all_functions()
    }


class Command(BaseCommand):
    help = "Write each registered bulk function's example CSV file (docs/guide/bulk-examples/ by default)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("directory", nargs="?", default=None, help="where to write the files")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"] or Path(settings.BASE_DIR) / DEFAULT_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        for name, data in example_files().items():
            (directory / name).write_bytes(data)
            self.stdout.write(str(directory / name))
