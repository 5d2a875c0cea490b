"""Load the demo data of every app (README, Demo accounts). Idempotent; never in production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kouiki.core import demo


class Command(BaseCommand):
    help = "Load the demo organizations and accounts (README, Demo accounts). Never in production."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("load_demo は本番設定（KOUIKI_PRODUCTION）では実行できません。")
        total = 0
        with transaction.atomic():
            for name, loader in demo.loaders():
                created = loader()
                total += created
                self.stdout.write(f"demo data [{name}]: {created} new record(s)")
        self.stdout.write(f"demo data: {total} new record(s)")
