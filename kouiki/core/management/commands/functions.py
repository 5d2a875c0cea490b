"""`manage.py functions`: the function catalog as a table, as JSON, or as docs/functions.md."""

from __future__ import annotations

import json
import unicodedata
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kouiki.core import catalog


def _width(text: str) -> int:
    """Columns the text takes in a terminal: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = (
        "Print the function catalog (a table, --json, or --markdown for docs/functions.md), or where"
        " the functions named live: their services, selectors, views, API operations and tests."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("ids", nargs="*", metavar="ID", help="function ids, e.g. SW-L06")
        output = parser.add_mutually_exclusive_group()
        output.add_argument("--json", action="store_true", help="print the catalog as a JSON list")
        output.add_argument("--markdown", action="store_true", help="print the document docs/functions.md")
        parser.add_argument("--system", choices=sorted(catalog.SYSTEMS), help="only this system's functions")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["ids"]:
            for function_id in options["ids"]:
                self._where(function_id.upper())
            return
        system = options["system"]
        if options["markdown"]:
            self.stdout.write(catalog.markdown_table(), ending="")
            return
        if options["json"]:
            rows = [row for row in catalog.as_dicts() if system is None or row["system"] == system]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        self._table(catalog.functions(system))

    def _table(self, functions: list[catalog.Function]) -> None:
        header = ["id", "機能名", "who", "surface", "built", "URL / API"]
        rows = [
            [
                f.id,
                f.title,
                ",".join(sorted(f.who)),
                f.surface,
                "yes" if f.built else "-",
                " ".join([*catalog.urls(f), f.api_operation or ""]).strip(),
            ]
            for f in functions
        ]
        widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
        for row in [header, ["-" * w for w in widths], *rows]:
            self.stdout.write("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())

    def _where(self, function_id: str) -> None:
        try:
            function = catalog.get(function_id)
        except KeyError as error:
            raise CommandError(str(error.args[0])) from error
        built = "built" if function.built else "not built"
        self.stdout.write(f"{function.id}  {function.title}  ({catalog.SYSTEMS[function.system]}, {built})")
        self.stdout.write(f"  who: {', '.join(sorted(function.who))}")
        found = catalog.places(function.id)
        for place in found:
            self.stdout.write(f"  {place.kind:<9} {place.path}  {place.file}:{place.line}")
            for reached in place.reached_at:
                self.stdout.write(f"  {'':<9}   at {reached}")
        if not found:
            self.stdout.write("  (no service, view or operation names this function yet)")
        tests = catalog.tests_naming(function.id)
        for test in tests:
            self.stdout.write(f"  {'test':<9} {test}")
        self.stdout.write("")
