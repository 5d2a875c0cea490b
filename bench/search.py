# ruff: noqa: E501 - a table of figures printed in long lines
"""Benchmark of 特定地点検索 (SW-W01, issue 14) over HTTP, beside the same SQL run by plain psycopg.

Against an existing PostgreSQL database of generated points (`manage.py generate_supply_points`;
`--count N` generates N more first). Migrates it (a no-op when it is up to date), makes a retailer
with an API token, samples current 低圧 points (TABLESAMPLE), and starts the real server: gunicorn
with `--workers` sync processes, as `make run` serves it. Then, one kind after another, it sends
`--requests` searches of `sw_w01` GET /api/switching/v1/supply-points/search from `--clients`
concurrent clients:

- meter: `meter_number` of a sampled point, written with hyphens (03-1234-567891);
- pole: `pole_number` of a sampled point, in full width;
- address: a fragment as a user types it — the town, 丁目 and 番 of a sampled point's address
  (「香林坊6-40」), whatever way the registry wrote it.

For each it prints p50 / p95 / p99 in ms and the share of answers with hits, and beside them the
baseline: the SQL the search service runs for the same criteria (the ORM's statement, with the
LIMIT) executed by plain psycopg on one connection — what the index lookup costs without HTTP,
authentication, rate limit and Django. It also prints the plan (EXPLAIN) of one search of each kind:
the indexes it must use are `switching_spv_search_meter`, `switching_spv_search_pole` and
`switching_spv_search_address_trgm`. Targets at 10,000,000 points (issue 14): p95 < 20 ms for
meter or pole, < 100 ms for an address fragment. Prints figures, asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kouiki_bench_search \\
      uv run python bench/search.py [--count 0] [--requests 500] [--clients 1] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import psycopg
from django.core.management import call_command
from django.db import connection

from bench.switching_api import (
    API,
    SETTINGS,
    create_database_cache_table,
    drive,
    free_port,
    retailer,
    start_gunicorn,
    stop_servers,
)
from kouiki.switching.models.search_keys import NUMBER_BASE, address_key, number_key
from kouiki.switching.services import search
from kouiki.switching.services.synthetic import PLACES, flush_search_index, generate

TOKEN = "bench-search-9101"
TOWNS = sorted({town for places in PLACES.values() for _, _, towns in places for town in towns}, key=len)
FULL_WIDTH = str.maketrans(
    "0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "０１２３４５６７８９－ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ",
)


def sample(count: int) -> list[tuple[str, str, str]]:
    """(meter number, pole number, address) of about `count` current 低圧 points, spread over the
    table (TABLESAMPLE SYSTEM: pages at random, so a 10,000,000-row table is not read through)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM switching_supplypointversion WHERE valid_to IS NULL")
        total = cursor.fetchone()[0]
        percent = min(100.0, max(0.01, 100.0 * count * 20 / max(total, 1)))
        cursor.execute(
            f"""SELECT v.meter->>'meter_number', v.pole_number, v.customer_address
                FROM switching_supplypointversion v TABLESAMPLE SYSTEM ({percent:.4f})
                JOIN switching_supplypoint p ON p.id = v.supply_point_id
                WHERE v.valid_to IS NULL AND p.point_class = 'low'
                  AND v.pole_number <> '' AND v.meter->>'meter_number' <> ''
                LIMIT %s""",  # noqa: S608 - a number of ours
            [count],
        )
        rows = cursor.fetchall()
    random.Random(0).shuffle(rows)  # noqa: S311 - benchmark sampling
    return rows


def fragment(address: str) -> str | None:
    """The town, 丁目 and 番 of an address as a user types them (「香林坊6-40」), or None."""
    key = address_key(address)
    for town in reversed(TOWNS):  # the longest town name first
        found = re.search(
            re.escape(address_key(town)) + "([\U00020000-\U0002270f])([\U00020000-\U0002270f])", key
        )
        if found:
            chome, ban = (ord(c) - NUMBER_BASE for c in found.groups())
            return f"{town}{chome}-{ban}"
    return None


def criteria_of(kind: str, row: tuple[str, str, str]) -> dict[str, str] | None:
    meter, pole, address = row
    if kind == "meter":
        return {"meter_number": f"{meter[:2]}-{meter[2:6]}-{meter[6:]}"}
    if kind == "pole":
        return {"pole_number": pole.translate(FULL_WIDTH)}
    typed = fragment(address)
    return {"address": typed} if typed else None


def statement(params: dict[str, str]) -> tuple[str, list[Any]]:
    """The SQL the search service runs for these criteria (its query, LIMIT included)."""
    keys = {
        "address": address_key(params.get("address", "")),
        "pole_number": number_key(params.get("pole_number", "")),
        "meter_number": number_key(params.get("meter_number", "")),
        "customer_name": "",
    }
    query = search._query(keys, search.SCOPES["SW-W01"], 0)[: search.LIMIT + 1]
    sql, values = query.query.sql_with_params()
    return sql, list(values)


def percentiles(latencies: list[float]) -> tuple[float, float, float]:
    ordered = sorted(latencies)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000

    return at(50), at(95), at(99)


def baseline(statements: list[tuple[str, list[Any]]]) -> list[float]:
    """Each statement once on one plain psycopg connection (prepared by psycopg after a few runs)."""
    settings = connection.settings_dict
    conninfo = psycopg.conninfo.make_conninfo(
        dbname=settings["NAME"],
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=str(settings["PORT"]) if settings["PORT"] else None,
    )
    latencies = []
    with psycopg.connect(conninfo, autocommit=True) as plain, plain.cursor() as cursor:
        for sql, values in statements[:20]:  # warm the cache as the HTTP runs do
            cursor.execute(sql, values)
            cursor.fetchall()
        for sql, values in statements:
            started = time.perf_counter()
            cursor.execute(sql, values)
            cursor.fetchall()
            latencies.append(time.perf_counter() - started)
    return latencies


def explain(sql: str, values: list[Any]) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS off) " + sql, values)
        return "\n".join("    " + row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--count", type=int, default=0, help="points to generate first (0: use the database as it is)"
    )
    parser.add_argument("--requests", type=int, default=500, help="searches of each kind")
    parser.add_argument("--clients", type=int, default=1, help="concurrent HTTP clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync processes")
    parser.add_argument("--seed", type=int, default=0, help="seed of --count's generation")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("bench/search.py measures PostgreSQL's indexes: set DATABASE_URL")

    call_command("migrate", verbosity=0)
    if args.count:
        started = time.perf_counter()
        created = generate(count=args.count, seed=args.seed).created
        print(f"generated {created:,} points in {time.perf_counter() - started:.1f} s")
    merged = flush_search_index()
    print(f"address index: {merged} pending-list pages merged (gin_clean_pending_list)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE switching_supplypoint")
        cursor.execute("ANALYZE switching_supplypointversion")
        cursor.execute("SELECT count(*) FROM switching_supplypointversion WHERE valid_to IS NULL")
        points = cursor.fetchone()[0]
    print(f"database: {connection.settings_dict['NAME']} · {points:,} current points · {os.cpu_count()} CPUs")
    print(f"{args.workers} web processes · {args.clients} clients · {args.requests} searches of each kind")

    create_database_cache_table()
    retailer("9101", "新電力A株式会社", TOKEN)
    rows = sample(args.requests)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "KOUIKI_API_RATE": "10000000/m",
        "KOUIKI_DB_POOL": "1",
        "KOUIKI_LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)  # the database cache, as bench/switching_api.py without --redis
    port = free_port()
    log = Path(tempfile.gettempdir()) / "kouiki_bench_search.log"
    web = start_gunicorn("kouiki.wsgi:application", port, args.workers, env, log)
    last: Exception | None = None
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{base}{API}/openapi.json", timeout=5).status_code == 200:
                break
        except httpx.HTTPError as error:
            last = error
        if time.monotonic() > deadline or web.poll() is not None:
            stop_servers([web])
            raise SystemExit(f"the server did not start: {last!r} (log: {log})")
        time.sleep(0.3)

    header = f"{'search':10} {'n':>5} {'errors':>6} {'hits':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}   {'SQL p50':>8} {'SQL p95':>8} {'SQL p99':>8}  target p95"
    lines = []
    plans = []
    try:
        drive("warm-up", base, TOKEN, list(range(20)), 2, lambda c, _: c.get(f"{API}/operators"))
        for kind, target in (("meter", 20), ("pole", 20), ("address", 100)):
            items = [p for p in (criteria_of(kind, row) for row in rows) if p][: args.requests]
            phase = drive(
                kind,
                base,
                TOKEN,
                items,
                args.clients,
                lambda c, params: c.get(f"{API}/supply-points/search", params=params),
            )
            errors = sum(n for status, n in phase.statuses.items() if status >= 300)
            found = sum(1 for answer in phase.results if answer["results"])
            statements = [statement(params) for params in items]
            sql = percentiles(baseline(statements))
            http = percentiles(phase.latencies)
            lines.append(
                f"{kind:10} {len(items):>5} {errors:>6} {found * 100 // max(len(phase.results), 1):>4}% "
                f"{http[0]:>8.1f} {http[1]:>8.1f} {http[2]:>8.1f}   {sql[0]:>8.2f} {sql[1]:>8.2f} {sql[2]:>8.2f}  < {target} ms"
            )
            plans.append(f"{kind}: {items[0]}\n{explain(*statements[0])}")
    finally:
        stop_servers([web])
    print(header)
    print("\n".join(lines))
    print("\nplans (EXPLAIN ANALYZE of the first search of each kind):")
    print("\n".join(plans))


if __name__ == "__main__":
    main()
