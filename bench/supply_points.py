"""Benchmark of the supply-point registry: generator throughput and current-version lookups.

Prints figures, asserts nothing. Runs against the configured database (DATABASE_URL), migrating
it first; use a throw-away database. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kouiki.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from kouiki.switching import selectors  # noqa: E402
from kouiki.switching.models import SupplyPoint  # noqa: E402
from kouiki.switching.services.synthetic import generate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000, help="points to generate")
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lookups", type=int, default=10_000, help="random current-version lookups")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    before = SupplyPoint.objects.count()

    started = time.perf_counter()
    result = generate(count=args.count, seed=args.seed, batch=args.batch)
    elapsed = time.perf_counter() - started
    total = SupplyPoint.objects.count()
    print(
        f"generate: {result.created:,} points (+1 version each) in {elapsed:.1f} s "
        f"= {result.created / elapsed:,.0f} points/s (registry now {total:,}, was {before:,})"
    )

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE switching_supplypoint; ANALYZE switching_supplypointversion")

    rng = random.Random(args.seed)  # noqa: S311 - benchmark sampling
    numbers = list(SupplyPoint.objects.values_list("number", flat=True))
    sample = [rng.choice(numbers) for _ in range(args.lookups)]
    started = time.perf_counter()
    for number in sample:
        selectors.current(number)
    elapsed = time.perf_counter() - started
    print(
        f"current(number): {args.lookups:,} random lookups in {elapsed:.2f} s "
        f"= {args.lookups / elapsed:,.0f} lookups/s ({elapsed / args.lookups * 1e3:.3f} ms each, one client)"
    )


if __name__ == "__main__":
    main()
