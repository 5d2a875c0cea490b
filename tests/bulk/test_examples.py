"""The user guide's example files (docs/guide/bulk-examples/) are the registered functions' templates:
regenerate them with `manage.py bulk_examples` when a function's columns or example change."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from kouiki.bulk.management.commands.bulk_examples import DEFAULT_DIR, example_files


def test_the_guides_example_files_are_up_to_date() -> None:
    directory = Path(settings.BASE_DIR) / DEFAULT_DIR
    expected = example_files()
    assert sorted(path.name for path in directory.glob("*.csv")) == sorted(expected)
    stale = [name for name, data in expected.items() if (directory / name).read_bytes() != data]
    assert not stale, f"run `manage.py bulk_examples`: {stale} differ from the functions' templates"
