"""manage.py generate_supply_points --count N [--seed S] [--batch 10000]"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kouiki.core.japanese import Area
from kouiki.switching.services.synthetic import generate


class Command(BaseCommand):
    help = "Fill the supply-point registry with realistic synthetic points for all ten areas."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--batch", type=int, default=10_000)

    def handle(self, *args: Any, count: int, seed: int, batch: int, **options: Any) -> None:
        if count < 0 or batch < 1:
            self.stderr.write("--count must be >= 0 and --batch >= 1")
            return
        started = time.perf_counter()
        verbose = options.get("verbosity", 1) >= 2
        result = generate(
            count=count,
            seed=seed,
            batch=batch,
            progress=(lambda n: self.stdout.write(f"  {n:,} / {count:,}")) if verbose else None,
        )
        elapsed = time.perf_counter() - started
        areas = ", ".join(f"{Area(a).label} {n:,}" for a, n in result.per_area.items() if n)
        self.stdout.write(f"供給地点 {result.created:,} 件を作成しました（{elapsed:.1f} 秒）: {areas}")
