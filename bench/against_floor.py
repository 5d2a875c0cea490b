# ruff: noqa: E501, S603, S608 - our own command lines; pgbench scripts built from our own constants
"""Kouiki's switching API against a floor: a minimal Django project, same server, database and load.

The floor (`bench/floor/`: Django + django-ninja, no middleware, the psycopg pool, one table with a
22-character key) is what no request of ours can beat on this machine. Both are served the same
way — gunicorn with `--workers` sync processes on 127.0.0.1 — and driven by wrk with
`--connections` connections for `--duration` seconds a phase:

- floor: `GET /rows/{id}` (random seeded rows) and `POST /rows` (one new row a request);
- Kouiki, with the task worker (`manage.py worker`) beside it: `sw_l06` POST /cancel-forwards (each
  request another point of 新電力B, its own Idempotency-Key), `sw_l10` POST
  /received-cancel-forwards/{n}/decision (OK on the switches sw_l06 made), `sw_l14` GET
  /applications/{n} (random reception numbers), `sw_l15` POST /applications/statuses (100 random
  numbers a call);
- then, for sw_l06 and sw_l14, a paced run at half the rate measured (a Python client: open loop,
  latency counted from when each request was due), for p99 at half the saturated rate;
- pgbench of the bare one-row select and insert on the floor's table, for context.

It prints one table: each phase's requests, answers other than 2xx, req/s, p50 and p99 latency,
the floor figure it is compared with, the ratio and issue 18's target; then the paced runs.
Prints figures, asserts nothing. See bench/README.md.

    createdb -h 127.0.0.1 -U postgres kouiki_bench_floor
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kouiki_bench_floor \\
      uv run python bench/against_floor.py [--duration 15] [--connections 16] [--workers N] \\
      [--points 15000] [--no-redis] [--json figures.json]
    dropdb -h 127.0.0.1 -U postgres kouiki_bench_floor
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import shutil
import string
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WRK = "/usr/bin/wrk"
LUA = BENCH / "wrk_requests.lua"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
# What issue 18 asks, against the floor served the same way.
READ_TARGET = 0.30  # sw_l14 ÷ the floor's one-row read
WRITE_TARGET = 0.15  # sw_l06, sw_l10 ÷ the floor's one-row insert
BATCH = 100  # numbers per sw_l15 call
BATCH_TARGET = 20.0  # sw_l15 numbers/s ÷ sw_l14 req/s
P99_TARGET_MS = 100.0  # at half the saturated rate


# --- results --------------------------------------------------------------------------------------


@dataclass
class Load:
    """One wrk phase: every connection sends its next request as soon as the last is answered."""

    name: str
    requests: int
    seconds: float
    statuses: dict[int, int]
    socket_errors: int
    timeouts: int
    p50_ms: float
    p99_ms: float
    exhausted: bool  # a thread used up its items before the end: req/s is understated

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def non_2xx(self) -> int:
        return sum(count for status, count in self.statuses.items() if not 200 <= status < 300)


@dataclass
class Paced:
    """One paced run: request i is due at start + i / rate, whatever the answers before it."""

    name: str
    target_rate: float
    requests: int = 0
    seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)  # seconds, from when each was due
    exhausted: bool = False

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def non_2xx(self) -> int:
        return sum(count for status, count in self.statuses.items() if not 200 <= status < 300)

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


# --- servers --------------------------------------------------------------------------------------


def wait_until_up(port: int, path: str, processes: list[subprocess.Popen[bytes]], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            break
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.3)
    raise SystemExit(f"the server on port {port} did not start (its log: {log})")


# --- load -----------------------------------------------------------------------------------------


@dataclass
class Requests:
    """What a phase sends (bench/wrk_requests.lua says what each field means)."""

    name: str
    method: str
    path: str
    items: list[str]
    token: str = ""
    body: str = ""
    mode: str = "random"  # or "each": every item once
    batch: int = 1
    idempotency_key: bool = False


def run_wrk(port: int, requests: Requests, args: argparse.Namespace, workdir: Path, seconds: int) -> Load:
    items = workdir / ("".join(c if c.isalnum() else "_" for c in requests.name) + ".items")
    items.write_text("".join(f"{item}\n" for item in requests.items))
    headers = ["-H", "Content-Type: application/json"]
    if requests.token:
        headers += ["-H", f"Authorization: Bearer {requests.token}"]
    tag = "".join(random.choices(string.ascii_uppercase, k=6))  # noqa: S311 - a run's tag
    command = [
        WRK,
        "--threads",
        str(args.wrk_threads),
        "--connections",
        str(args.connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "30s",
        "--script",
        str(LUA),
        *headers,
        f"http://127.0.0.1:{port}",
        "--",
        requests.mode,
        str(items),
        str(args.wrk_threads),
        str(requests.batch),
        tag,
        requests.method,
        requests.path,
        requests.body,
        "1" if requests.idempotency_key else "0",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=False)
    line = next((line for line in output.stdout.splitlines() if line.startswith("AGAINST_FLOOR ")), None)
    if output.returncode != 0 or line is None:
        print(output.stdout, output.stderr, file=sys.stderr)
        raise SystemExit(f"wrk failed in {requests.name}")
    found = json.loads(line.removeprefix("AGAINST_FLOOR "))
    return Load(
        name=requests.name,
        requests=found["requests"],
        seconds=found["duration_us"] / 1e6,
        statuses={int(status): count for status, count in found["statuses"].items()},
        socket_errors=found["socket_errors"],
        timeouts=found["timeouts"],
        p50_ms=found["p50_us"] / 1000,
        p99_ms=found["p99_us"] / 1000,
        exhausted=found["exhausted"],
    )


def run_paced(
    port: int,
    requests: Requests,
    rate: float,
    seconds: int,
    connections: int,
    next_item: Callable[[int], str | None],
) -> Paced:
    """`connections` threads, each with its own connection (http.client: kept alive when the server
    allows, opened again when it closes), send request i at start + i / rate; thread k sends
    requests k, k + connections, …. The latency of each counts from when it was due, so a server
    that falls behind shows as latency, not as fewer requests (no coordinated omission).
    `next_item(i)` gives request i's item, or None when there is none left."""
    result = Paced(requests.name, rate)
    total = int(rate * seconds)
    lock = threading.Lock()
    headers = {"Content-Type": "application/json"}
    if requests.token:
        headers["Authorization"] = f"Bearer {requests.token}"
    start = time.perf_counter() + 0.2

    def send(k: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for i in range(k, total, connections):
            item = next_item(i)
            if item is None:
                with lock:
                    result.exhausted = True
                break
            due = start + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            body = requests.body.replace("{item}", item) if requests.body else None
            sent_headers = headers
            if requests.idempotency_key:
                sent_headers = {**headers, "Idempotency-Key": uuid.uuid4().hex}
            try:
                connection.request(
                    requests.method,
                    requests.path.replace("{item}", item),
                    body=body.encode() if body else None,
                    headers=sent_headers,
                )
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                status = 0
            latency = time.perf_counter() - due
            with lock:
                result.latencies.append(latency)
                result.statuses[status] = result.statuses.get(status, 0) + 1
        connection.close()

    workers = [threading.Thread(target=send, args=(k,)) for k in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    result.seconds = time.perf_counter() - start
    result.requests = len(result.latencies)
    return result


# --- main -----------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=15, help="seconds of each phase (default 15)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections, paced threads")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.process_cpu_count() or 1,
        help="gunicorn processes (default: the CPUs)",
    )
    parser.add_argument(
        "--points",
        type=int,
        default=15_000,
        help="new points of 新電力B for sw_l06, its paced run and the top-up for sw_l10 (about 2.5 × "
        "sw_l06's req/s × --duration are used), and rows of the floor (default 15,000)",
    )
    parser.add_argument(
        "--redis",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=f"Kouiki's cache in Redis (REDIS_URL, else {DEFAULT_REDIS_URL}), as in production; "
        "--no-redis: the database cache",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file as JSON")
    args = parser.parse_args()
    if args.connections % args.wrk_threads:
        parser.error("--connections must be a multiple of --wrk-threads (wrk gives each thread as many)")
    if not Path(WRK).exists() or not shutil.which("pgbench"):
        parser.error(f"needs {WRK} (apt-get install wrk) and pgbench (postgresql-client)")
    return args


def main() -> None:
    args = parse_args()
    # This process and Kouiki's servers use one cache (what this process sets up, the token
    # generation among it, is where the servers look).
    if args.redis:
        os.environ["REDIS_URL"] = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    else:
        os.environ.pop("REDIS_URL", None)
    run(args)


def run(args: argparse.Namespace) -> None:
    # Django starts here, with the cache chosen above (switching_api sets it up on import).
    import switching_api as base
    from django.core.management import call_command
    from django.db import connection
    from django_tasks_db.models import DBTaskResult
    from floor import KEY_LENGTH, SEEDED, TABLE, row_id

    from kouiki.switching.models import Application, Switch, SwitchState

    if connection.vendor != "postgresql":
        raise SystemExit("DATABASE_URL must name a PostgreSQL database (see the docstring).")
    call_command("migrate", verbosity=0)
    base.create_database_cache_table()
    a = base.retailer("9101", "新電力A株式会社", base.TOKEN_A)
    b = base.retailer("9102", "新電力B株式会社", base.TOKEN_B)
    points = base.make_points(b, args.points)

    workdir = Path(tempfile.mkdtemp(prefix="against_floor_"))
    floor_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "floor.settings"}
    floor_ids = workdir / "floor.ids"
    subprocess.run(
        [sys.executable, "-m", "floor.prepare", "--rows", str(args.points), "--ids-file", str(floor_ids)],
        cwd=ROOT,
        env={**floor_env, "PYTHONPATH": str(BENCH)},
        check=True,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    cache = "Redis" if args.redis else "the database cache"
    print(
        f"database {connection.settings_dict['NAME']} · {os.cpu_count()} CPUs · gunicorn {args.workers} sync "
        f"workers · wrk {args.wrk_threads} threads, {args.connections} connections, {args.duration} s a "
        f"phase · Kouiki's cache: {cache} · logs in {workdir}",
        flush=True,
    )

    def settle(rate: float) -> None:
        """wrk stops without waiting for the answers in flight: the requests queued at the server
        (up to one per connection) are still served after it. Waits that long."""
        time.sleep(min(30.0, args.connections / max(rate, 1.0)) + 0.5)

    def phase(port: int, requests: Requests, seconds: int | None = None) -> Load:
        load = run_wrk(port, requests, args, workdir, seconds or args.duration)
        settle(load.rate)
        if seconds is None:
            print(f"  {requests.name}: {load.rate:,.1f} req/s, non-2xx {load.non_2xx}", flush=True)
        return load

    def drain() -> float:
        """Waits (at most 2 minutes) until the worker has done the tasks the last phase queued, so
        the next phase does not share the CPUs with them; returns the seconds waited."""
        started = time.monotonic()
        while DBTaskResult.objects.ready().exists() and time.monotonic() - started < 120:
            time.sleep(0.5)
        return time.monotonic() - started

    # --- the floor ---
    port = base.free_port()
    floor_log = workdir / "floor.log"
    floor = [base.start_gunicorn("floor.wsgi:application", port, args.workers, floor_env, floor_log, BENCH)]
    loads: dict[str, Load] = {}
    try:
        wait_until_up(port, f"/rows/{row_id(1)}", floor, floor_log)
        ids = floor_ids.read_text().split()
        read_row = Requests("floor GET /rows/{id}", "GET", "/rows/{item}", ids)
        phase(port, read_row, seconds=1)  # warm-up: every process loads the app
        print("floor:", flush=True)
        loads["floor_read"] = phase(port, read_row)
        loads["floor_insert"] = phase(
            port,
            Requests(
                "floor POST /rows",
                "POST",
                "/rows",
                points,
                body=json.dumps(
                    {
                        "id": "{uid}",
                        "organization_id": 1,
                        "kind": "20",
                        "state": "received",
                        "customer_name": base.CUSTOMER_NAME,
                        "payload": {"supply_point_number": "{item}"},
                    },
                    ensure_ascii=False,
                ),
            ),
        )
    finally:
        base.stop_servers(floor)

    # --- Kouiki ---
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kouiki.settings",
        "KOUIKI_API_RATE": "10000000/m",
        "KOUIKI_DB_POOL": "1",
        "KOUIKI_TSO_SIMULATOR_DELAY_SECONDS": "0",
        "KOUIKI_LOG_LEVEL": "WARNING",
    }
    port = base.free_port()
    with (workdir / "worker.log").open("ab") as worker_log:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "worker"],
            cwd=ROOT,
            env=env,
            process_group=0,
            stdout=worker_log,
            stderr=worker_log,
        )
    kouiki_log = workdir / "kouiki.log"
    kouiki = [base.start_gunicorn("kouiki.wsgi:application", port, args.workers, env, kouiki_log), worker]
    api = base.API
    paced: dict[str, Paced] = {}
    drained: dict[str, float] = {}
    try:
        wait_until_up(port, f"{api}/openapi.json", kouiki, kouiki_log)
        for token in (base.TOKEN_A, base.TOKEN_B):  # warm-up: every process, both tokens
            phase(port, Requests("warm-up", "GET", f"{api}/applications?limit=1", ["-"], token), seconds=1)
        print("Kouiki:", flush=True)
        bodies = [json.dumps(base.cancel_forward_body(number), ensure_ascii=False) for number in points]
        register = Requests(
            "sw_l06 POST /cancel-forwards",
            "POST",
            f"{api}/cancel-forwards",
            bodies,
            base.TOKEN_A,
            body="{item}",
            mode="each",
            idempotency_key=True,
        )

        def unregistered() -> list[str]:
            """The bodies for the points of `points` that have no switch yet."""
            # make_points' numbers are consecutive and of one width: a range holds them.
            used = set(
                Switch.objects.filter(supply_point__number__range=(points[0], points[-1])).values_list(
                    "supply_point__number", flat=True
                )
            )
            return [body for number, body in zip(points, bodies, strict=True) if number not in used]

        def waiting_switches() -> list[str]:
            return list(
                Switch.objects.filter(
                    new_retailer=a, current_retailer=b, state=SwitchState.REQUESTED
                ).values_list("number", flat=True)
            )

        loads["sw_l06"] = phase(port, register)
        drained["sw_l06"] = drain()
        left = unregistered()
        paced["sw_l06"] = run_paced(
            port,
            register,
            loads["sw_l06"].rate / 2,
            args.duration,
            args.connections,
            lambda i: left[i] if i < len(left) else None,
        )
        drained["sw_l06 paced"] = drain()

        # Switches for sw_l10 to decide: at least twice what sw_l06 made in one phase, registered
        # now (not measured) if the two runs above made fewer.
        switches = waiting_switches()
        wanted = int(2 * loads["sw_l06"].rate * args.duration) + args.connections
        if len(switches) < wanted and loads["sw_l06"].rate > 0:
            missing = wanted - len(switches)
            top_up = replace(register, name="sw_l06 top-up", items=unregistered()[:missing])
            phase(port, top_up, seconds=math.ceil(missing / loads["sw_l06"].rate) + 1)
            drained["sw_l06 top-up"] = drain()
            switches = waiting_switches()
        loads["sw_l10"] = phase(
            port,
            Requests(
                "sw_l10 POST …/decision",
                "POST",
                f"{api}/received-cancel-forwards/{{item}}/decision",
                switches,
                base.TOKEN_B,
                body='{"decision": "ok"}',
                mode="each",
                idempotency_key=True,
            ),
        )
        drained["sw_l10"] = drain()

        receptions = list(
            Application.objects.filter(organization=a).values_list("reception_number", flat=True)
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        status = Requests(
            "sw_l14 GET /applications/{n}", "GET", f"{api}/applications/{{item}}", receptions, base.TOKEN_A
        )
        loads["sw_l14"] = phase(port, status)
        rng = random.Random(0)  # noqa: S311 - benchmark sampling
        paced["sw_l14"] = run_paced(
            port,
            status,
            loads["sw_l14"].rate / 2,
            args.duration,
            args.connections,
            lambda _: rng.choice(receptions),
        )
        loads["sw_l15"] = phase(
            port,
            Requests(
                f"sw_l15 POST /applications/statuses ({BATCH})",
                "POST",
                f"{api}/applications/statuses",
                receptions,
                base.TOKEN_A,
                body='{"reception_numbers": {items}}',
                batch=BATCH,
            ),
        )
    finally:
        base.stop_servers(kouiki)

    # --- pgbench, for context: the bare statements on the floor's table ---
    with connection.cursor() as cursor:
        cursor.execute("DROP SEQUENCE IF EXISTS bench_floor_seq")
        cursor.execute("CREATE SEQUENCE bench_floor_seq")
    sizing = {"clients": args.connections, "seconds": args.duration}
    tps = {
        "select": base.pgbench(
            f"\\set n random(1, {args.points})\n"
            f"SELECT * FROM {TABLE} WHERE id = '{SEEDED}' || lpad(:n::text, {KEY_LENGTH - len(SEEDED)}, '0');\n",
            **sizing,
        ),
        "insert": base.pgbench(
            f"INSERT INTO {TABLE} (id, organization_id, kind, state, customer_name, payload, created_at, updated_at)"
            f" VALUES ('G' || lpad(nextval('bench_floor_seq')::text, {KEY_LENGTH - 1}, '0'), 1, '20', 'received',"
            f" '{base.CUSTOMER_NAME}', '{{\"supply_point_number\": \"{points[0]}\"}}', now(), now());\n",
            **sizing,
        ),
    }
    with connection.cursor() as cursor:
        cursor.execute("DROP SEQUENCE IF EXISTS bench_floor_seq")

    report(args, cache, loads, paced, drained, tps, workdir)


@dataclass
class Comparison:
    against: str
    its_rate: float
    ratio: float
    shown: str  # the ratio as printed
    target: str
    met: bool


def compare(loads: dict[str, Load]) -> dict[str, Comparison]:
    """Each Kouiki phase against what issue 18 compares it with."""
    comparisons = {}
    for key, against, target in (
        ("sw_l14", "floor_read", READ_TARGET),
        ("sw_l06", "floor_insert", WRITE_TARGET),
        ("sw_l10", "floor_insert", WRITE_TARGET),
    ):
        its_rate = loads[against].rate
        ratio = loads[key].rate / its_rate if its_rate else 0.0
        label = "floor GET" if against == "floor_read" else "floor POST"
        comparisons[key] = Comparison(
            label, its_rate, ratio, f"{ratio:.1%}", f"≥ {target:.0%}", ratio >= target
        )
    single = loads["sw_l14"].rate
    times = loads["sw_l15"].rate * BATCH / single if single else 0.0
    comparisons["sw_l15"] = Comparison(
        "sw_l14, numbers/s", single, times, f"{times:.1f}×", f"≥ {BATCH_TARGET:.0f}×", times >= BATCH_TARGET
    )
    return comparisons


def not_2xx(statuses: dict[int, int]) -> str:
    return ", ".join(
        f"{status}×{count}" for status, count in sorted(statuses.items()) if not 200 <= status < 300
    )


def report(
    args: argparse.Namespace,
    cache: str,
    loads: dict[str, Load],
    paced: dict[str, Paced],
    drained: dict[str, float],
    tps: dict[str, float],
    workdir: Path,
) -> None:
    comparisons = compare(loads)
    load_average = os.getloadavg()
    print(
        f"\n{datetime.now():%Y-%m-%d %H:%M} · gunicorn {args.workers} sync workers · wrk {args.connections} "
        f"connections, {args.duration} s a phase · Kouiki's cache: {cache}"
    )
    columns = "{:40} {:>8} {:>7} {:>8} {:>7} {:>7}  {:18} {:>9} {:>7} {:>6} {:>4}"
    header = columns.format(
        "operation", "requests", "non-2xx", "req/s", "p50 ms", "p99 ms", "compared with", "its req/s", "ratio",
        "target", "met?",
    )  # fmt: skip
    print(header + "  notes")
    print("-" * (len(header) + 7))
    for key, load in loads.items():
        notes = []
        if load.non_2xx:
            notes.append(f"non-2xx: {not_2xx(load.statuses)}")
        if load.socket_errors or load.timeouts:
            notes.append(f"socket errors {load.socket_errors}, timeouts {load.timeouts}")
        if load.exhausted:
            notes.append("ran out of items: req/s understated, raise --points")
        c = comparisons.get(key)
        print(
            columns.format(
                load.name,
                load.requests,
                load.non_2xx,
                f"{load.rate:.1f}",
                f"{load.p50_ms:.1f}",
                f"{load.p99_ms:.1f}",
                c.against if c else "",
                f"{c.its_rate:.1f}" if c else "",
                c.shown if c else "",
                c.target if c else "",
                ("yes" if c.met and not notes else "no") if c else "",
            )
            + ("  " + "; ".join(notes) if notes else "")
        )
    numbers = loads["sw_l15"].rate * BATCH
    print(f"sw_l15: {numbers:,.0f} numbers/s ({BATCH} a call), sw_l14: {loads['sw_l14'].rate:,.1f} numbers/s")
    print(
        f"pgbench on the floor's table, same run, {args.connections} clients: one-row select "
        f"{tps['select']:,.0f} tps, one-row insert {tps['insert']:,.0f} tps (context only)"
    )
    waited = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in drained.items())
    print(f"waited for the task worker to finish a phase's tasks before the next: {waited}")

    print(
        f"\nAt half the saturated rate: paced Python client, {args.connections} threads, latency counted "
        "from when each request was due"
    )
    columns = "{:40} {:>8} {:>8} {:>8} {:>7} {:>7} {:>7}  {}"
    header = columns.format(
        "operation",
        "target/s",
        "req/s",
        "requests",
        "non-2xx",
        "p50 ms",
        "p99 ms",
        f"p99 < {P99_TARGET_MS:.0f} ms?",
    )
    print(header)
    print("-" * len(header))
    for run in paced.values():
        notes = []
        if run.non_2xx:
            notes.append(f"non-2xx: {not_2xx(run.statuses)}")
        if run.exhausted:
            notes.append("ran out of items, raise --points")
        met = run.percentile(99) < P99_TARGET_MS and not notes
        print(
            columns.format(
                run.name,
                f"{run.target_rate:.1f}",
                f"{run.rate:.1f}",
                run.requests,
                run.non_2xx,
                f"{run.percentile(50):.1f}",
                f"{run.percentile(99):.1f}",
                "yes" if met else "no",
            )
            + ("  " + "; ".join(notes) if notes else "")
        )
    print(
        "\nload average at the end (1, 5, 15 min): "
        + ", ".join(f"{value:.2f}" for value in load_average)
        + " — other work on the machine skews the figures"
    )
    print(f"server and worker logs: {workdir}")

    if args.json:
        document: dict[str, Any] = {
            "at": datetime.now().isoformat(timespec="seconds"),
            "settings": {
                "workers": args.workers,
                "connections": args.connections,
                "wrk_threads": args.wrk_threads,
                "duration": args.duration,
                "points": args.points,
                "cache": "redis" if args.redis else "database",
                "cpus": os.cpu_count(),
            },
            "loads": {
                key: {**asdict(load), "rate": load.rate, "non_2xx": load.non_2xx}
                for key, load in loads.items()
            },
            "comparisons": {key: asdict(comparison) for key, comparison in comparisons.items()},
            "sw_l15_numbers_per_second": numbers,
            "paced": {
                key: {
                    "name": run.name,
                    "target_rate": run.target_rate,
                    "rate": run.rate,
                    "requests": run.requests,
                    "statuses": run.statuses,
                    "p50_ms": run.percentile(50),
                    "p99_ms": run.percentile(99),
                    "exhausted": run.exhausted,
                }
                for key, run in paced.items()
            },
            "pgbench_tps": tps,
            "worker_drain_seconds": drained,
            "load_average": load_average,
        }
        args.json.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        print(f"figures as JSON: {args.json}")


if __name__ == "__main__":
    main()
