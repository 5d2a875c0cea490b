# ruff: noqa: E501, S608 - pgbench scripts: long SQL lines built from our own constants
"""Benchmark of the switching API over HTTP, beside pgbench running the same SQL.

Starts the real server on PostgreSQL — gunicorn with `--workers` sync processes (2 by default), as
`make run` and the operations guide serve it, and
the task worker (`manage.py worker`, i.e. db_worker and the periodic jobs) — and drives it from
`--clients` concurrent HTTP clients in three phases, each on its own:

1. `sw_l06` POST /cancel-forwards: 新電力A registers a cancel-forward for each of `--points` points
   of 新電力B (with an Idempotency-Key);
2. `sw_l10` POST /received-cancel-forwards/{switch_number}/decision: 新電力B decides OK on each;
3. `sw_l14` GET /applications/{reception_number}: random status reads by 新電力A.

For each it prints requests/s, p50 and p99 latency, and beside them the transactions/s of pgbench
running, on the same database in the same run, with the same number of clients, a script of the
statements the operation runs (authentication, rate-limit counter, idempotency record, the
domain's reads and writes, audit rows, events) on copies of the tables (`bench_*`), and the ratio.
Prints figures, asserts nothing. See bench/README.md.

    createdb -h 127.0.0.1 -U postgres kouiki_bench_api
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kouiki_bench_api \\
      uv run python bench/switching_api.py [--points 3000] [--clients 16] [--workers 2] [--redis]
    dropdb -h 127.0.0.1 -U postgres kouiki_bench_api
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SETTINGS = "kouiki.settings"
os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

logging.getLogger("httpx").setLevel(logging.WARNING)

import httpx  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from kouiki.core.calendar import JST, today_jst  # noqa: E402
from kouiki.core.systems import Role, System  # noqa: E402
from kouiki.identity.choices import participant_username  # noqa: E402
from kouiki.identity.models import Enrollment, Organization, User  # noqa: E402
from kouiki.identity.services.tokens import ensure_demo_token, hash_token  # noqa: E402
from kouiki.switching.models import SupplyPoint, SupplyPointVersion  # noqa: E402
from kouiki.tso.services.reading_calendars import load_demo_calendars  # noqa: E402

API = "/api/switching/v1"
TOKEN_A, TOKEN_B = "bench-9101", "bench-9102"
CUSTOMER_NAME = "広域 太郎"
CUSTOMER_ADDRESS = "東京都千代田区丸の内一丁目1番1号"


# --- data -----------------------------------------------------------------------------------------

# The database cache's table (kouiki.settings, CACHES without REDIS_URL).
DATABASE_CACHE_TABLE = "kouiki_cache"


def create_database_cache_table() -> None:
    """The database cache's table, whatever cache this process itself uses: servers started without
    REDIS_URL need it, and the pgbench scripts copy it (`createcachetable` alone makes only the
    tables of this process's CACHES, none when REDIS_URL is set)."""
    call_command("createcachetable", DATABASE_CACHE_TABLE, verbosity=0)


def retailer(code: str, name: str, token: str) -> Organization:
    organization, _ = Organization.objects.get_or_create(
        code=code,
        defaults={"corporate_number": f"{code}000000000", "name": name, "name_kana": "ベンチ"},
    )
    user, created = User.objects.get_or_create(
        username=participant_username(code, "usr001"),
        defaults={"organization": organization, "login_id": "usr001", "last_name": "ベンチ"},
    )
    if created:
        Enrollment.objects.create(user=user, system=System.SWITCHING, role=Role.USER)
    ensure_demo_token(user=user, raw=token)
    return organization


def make_points(owner: Organization, count: int, area: str = "03") -> list[str]:
    """`count` new low-voltage points of `owner` in service in `area` (Tokyo unless given), numbered
    after those of the area that exist: the area code, a 9, then a serial. The area's demo 検針日程
    calendars are loaded for this month and the next two: a switch without a desired date falls on
    a 検針日 of them (ADR 25)."""
    load_demo_calendars(first_month=today_jst().replace(day=1), months=3, areas=[area])
    prefix = f"{area}9"
    start = SupplyPoint.objects.filter(number__startswith=prefix).count() + 1
    valid_from = datetime(2024, 4, 1, tzinfo=JST)
    numbers = [f"{prefix}{serial:019d}" for serial in range(start, start + count)]
    with transaction.atomic():
        points = SupplyPoint.objects.bulk_create(
            [SupplyPoint(number=number, area=area, voltage="low") for number in numbers], batch_size=2000
        )
        SupplyPointVersion.objects.bulk_create(
            [
                SupplyPointVersion(
                    supply_point=point,
                    valid_from=valid_from,
                    customer_name=CUSTOMER_NAME,
                    customer_address=CUSTOMER_ADDRESS,
                    customer_phone="03-1234-5678",
                    retail_contract_number=f"B-{point.number[-8:]}",
                    retailer=owner,
                    contract_state="in_service",
                    contract_decision_method="ampere",
                    current_limit_a=30,
                    reading_day="10",
                    meter={"meter_number": f"M{point.number[-8:]}", "smart_meter": True},
                )
                for point in points
            ],
            batch_size=2000,
        )
    return numbers


# --- servers --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(
    app: str, port: int, workers: int, env: dict[str, str], log: Path, pythonpath: Path | None = None
) -> subprocess.Popen[bytes]:
    """gunicorn's sync workers on 127.0.0.1, no access log (gunicorn's default; TCP_NODELAY is set
    on its sockets). Its error log (a line per 4xx from django.request, too) goes to `log`."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
    ]
    if pythonpath is not None:
        command += ["--pythonpath", str(pythonpath)]
    with log.open("ab") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, process_group=0, stdout=output, stderr=output)  # noqa: S603 - our own command line


def start_servers(
    port: int, workers: int, env: dict[str, str], log_dir: Path | None = None
) -> list[subprocess.Popen[bytes]]:
    """gunicorn and the task worker; their logs go to `log_dir` (the temporary directory unless
    given) as kouiki_bench_web.log and kouiki_bench_worker.log."""
    logs = log_dir or Path(tempfile.gettempdir())
    web = start_gunicorn("kouiki.wsgi:application", port, workers, env, logs / "kouiki_bench_web.log")
    # The worker's log of every task would drown the figures: it goes to a file.
    log = (logs / "kouiki_bench_worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker"], cwd=ROOT, env=env, process_group=0, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}{API}/", timeout=2).status_code == 200:
                return [web, worker]
        except httpx.HTTPError:
            time.sleep(0.3)
    stop_servers([web, worker])
    raise SystemExit("the server did not start")


def stop_servers(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# --- HTTP load ------------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    results: list[Any] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def drive(
    name: str, base: str, token: str, items: list[Any], clients: int, call: Callable[[httpx.Client, Any], Any]
) -> Phase:
    """Send one request per item from `clients` threads with their own keep-alive connection."""
    phase = Phase(name)
    lock = threading.Lock()
    local = threading.local()

    def run(item: Any) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
            )
        started = time.perf_counter()
        response = call(client, item)
        elapsed = time.perf_counter() - started
        with lock:
            phase.latencies.append(elapsed)
            phase.statuses[response.status_code] = phase.statuses.get(response.status_code, 0) + 1
            if response.status_code < 300:
                phase.results.append(response.json())

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(run, items))
    phase.seconds = time.perf_counter() - started
    return phase


def cancel_forward_body(number: str) -> dict[str, str]:
    """新電力A's cancel-forward for a point of 新電力B made by make_points (its identification)."""
    return {
        "supply_point_number": number,
        "customer_name": CUSTOMER_NAME,
        "customer_address": CUSTOMER_ADDRESS,
        "contract_number": f"B-{number[-8:]}",
    }


def register(client: httpx.Client, number: str) -> httpx.Response:
    return client.post(
        f"{API}/cancel-forwards",
        json=cancel_forward_body(number),
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )


def decide(client: httpx.Client, switch_number: str) -> httpx.Response:
    return client.post(
        f"{API}/received-cancel-forwards/{switch_number}/decision",
        json={"decision": "ok"},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )


def status(client: httpx.Client, reception_number: str) -> httpx.Response:
    return client.get(f"{API}/applications/{reception_number}")


# --- pgbench --------------------------------------------------------------------------------------

COPIES = {
    "bench_switch": "switching_switch",
    "bench_application": "switching_application",
    "bench_audit": "audit_event",
    "bench_event": "core_organizationevent",
    "bench_counter": "core_eventcounter",
    "bench_idempotency": "core_idempotencyrecord",
    "bench_cache": DATABASE_CACHE_TABLE,
}


def prepare_pgbench_tables(organizations: tuple[int, int]) -> None:
    """Empty copies of the tables the operations write, with their indexes (LIKE … INCLUDING ALL)."""
    with connection.cursor() as cursor:
        for copy, table in COPIES.items():
            cursor.execute(f"DROP TABLE IF EXISTS {copy}")
            cursor.execute(f"CREATE TABLE {copy} (LIKE {table} INCLUDING ALL)")
        cursor.execute("DROP SEQUENCE IF EXISTS bench_seq")
        cursor.execute("CREATE SEQUENCE bench_seq")
        for organization_id in (0, *organizations):
            cursor.execute(
                "INSERT INTO bench_counter (organization_id, system, last_sequence) VALUES (%s, 'switching', 0)",
                [organization_id],
            )
        cursor.execute(
            "INSERT INTO bench_cache (cache_key, value, expires) VALUES ('rl:bench', 'gAVLAS4=', now() + interval '1 day')"
        )


def auth_and_rate(token: str, database_cache: bool) -> str:
    """What every request runs first: the token with its user and organization, the user's
    enrollments, and (with the database cache) the rate-limit counter's statements."""
    statements = f"""
SELECT t.id, u.id, o.id FROM identity_apitoken t INNER JOIN identity_user u ON t.user_id = u.id
  LEFT OUTER JOIN identity_organization o ON u.organization_id = o.id
  WHERE t.revoked_at IS NULL AND t.system = 'switching' AND t.token_hash = '{hash_token(token)}'
  ORDER BY t.created_at DESC, t.id DESC LIMIT 1;
SELECT e.id, e.role FROM identity_enrollment e WHERE e.user_id IN (SELECT user_id FROM identity_apitoken
  WHERE token_hash = '{hash_token(token)}');
"""
    if not database_cache:
        return statements
    return (
        statements
        + """
SELECT COUNT(*) FROM bench_cache;
SELECT cache_key, expires FROM bench_cache WHERE cache_key = 'rl:bench';
SELECT cache_key, value, expires FROM bench_cache WHERE cache_key IN ('rl:bench');
SELECT COUNT(*) FROM bench_cache;
SELECT cache_key, expires FROM bench_cache WHERE cache_key = 'rl:bench';
UPDATE bench_cache SET value = 'gAVLAi4=', expires = now() + interval '1 minute' WHERE cache_key = 'rl:bench';
"""
    )


def publish(organization: int, topic: str, *, first: bool) -> str:
    """kouiki.core.events.publish: the endpoint, the system's counter (once per transaction), the
    organization's counter, the event."""
    system_row = (
        "UPDATE bench_counter SET last_sequence = last_sequence + 1 WHERE organization_id = 0 AND system = 'switching' RETURNING last_sequence;"
        if first
        else ""
    )
    return f"""
SELECT id, url FROM core_callbackendpoint WHERE is_active AND organization_id = {organization}
  AND system = 'switching' ORDER BY id LIMIT 1;
{system_row}
UPDATE bench_counter SET last_sequence = last_sequence + 1 WHERE organization_id = {organization}
  AND system = 'switching' RETURNING last_sequence \\gset
INSERT INTO bench_event (organization_id, system, sequence, topic, reference, payload, created_at)
  VALUES ({organization}, 'switching', :last_sequence, '{topic}', 'R' || :n, '{{"state": "received"}}', now());
"""


def audit(action: str) -> str:
    return f"""
INSERT INTO bench_audit (at, action, system, actor_id, actor_label, organization_id, organization_code, object_type,
  object_id, object_label, ip, user_agent, purpose, detail)
  VALUES (now(), '{action}', 'switching', 1, 'bench', 1, '9101', 'switching.switch', :n, 'HT' || :n, '127.0.0.1',
  'bench', '', '{{}}');
"""


def register_script(
    token: str, a: int, b: int, first_point: int, last_point: int, database_cache: bool
) -> str:
    return f"""
\\set pid random({first_point}, {last_point})
{auth_and_rate(token, database_cache)}
BEGIN;
SELECT nextval('bench_seq') AS n \\gset
INSERT INTO bench_idempotency (scope, key, method, path, request_hash, status, content_type, location, body,
  created_at) VALUES ('switching:user:1', 'k' || :n, 'POST', '/api/switching/v1/cancel-forwards', md5(:n::text),
  0, '', '', '', now());
SELECT v.id, v.customer_name, v.customer_address, v.retail_contract_number, v.retailer_id, p.number
  FROM switching_supplypointversion v INNER JOIN switching_supplypoint p ON v.supply_point_id = p.id
  LEFT OUTER JOIN identity_organization o ON v.retailer_id = o.id
  WHERE p.number = (SELECT number FROM switching_supplypoint WHERE id = :pid) AND v.valid_to IS NULL LIMIT 1;
SELECT number FROM bench_switch WHERE state IN ('requested', 'approved', 'matched') AND supply_point_id = :n
  ORDER BY id LIMIT 1;
INSERT INTO bench_switch (number, supply_point_id, voltage, area, new_retailer_id, current_retailer_id, state,
  customer_name, customer_address, contract_number, desired_date, meter_work, switching_date, deadline, decision,
  ng_reason, ng_text, decided_at, decided_by_id, matched_at, closed_at, close_code, close_detail, created_at,
  updated_at) VALUES ('HT' || :n, :n, 'low', '03', {a}, {b}, 'requested', '{CUSTOMER_NAME}', '{CUSTOMER_ADDRESS}',
  'B-' || :n, NULL, false, current_date + 8, now() + interval '10 days', '', '', '', NULL, NULL, NULL, NULL, '',
  '', now(), now()) RETURNING id AS switch_id \\gset
INSERT INTO bench_application (reception_number, kind, voltage, area, organization_id, filed_by_id,
  supply_point_id, switch_id, state, operator_step, desired_date, switching_date, payload, result, error_code,
  error_detail, message_id, answers, revision, created_at, updated_at, forwarded_at, finished_at)
  VALUES (lpad(:n::text, 16, '0'), '20', 'low', '03', {a}, NULL, :pid, :switch_id, 'received', '現小売判断待ち',
  NULL, current_date + 8, '{{"switch_number": "x"}}', '{{}}', '', '', '', '[]', 0, now(), now(), NULL, NULL);
{audit("switching.application.file")}
{audit("switching.switch.register")}
{publish(a, "application.updated", first=True)}
{publish(a, "switch.updated", first=False)}
{publish(b, "switch.updated", first=False)}
UPDATE bench_idempotency SET status = 201, content_type = 'application/json', location = '/x', body = repeat('x', 900)
  WHERE scope = 'switching:user:1' AND key = 'k' || :n;
COMMIT;
"""


def decide_script(token: str, a: int, b: int, first_switch: int, switches: int, database_cache: bool) -> str:
    return f"""
\\set sid random({first_switch}, {first_switch + switches - 1})
{auth_and_rate(token, database_cache)}
BEGIN;
SELECT nextval('bench_seq') AS n \\gset
INSERT INTO bench_idempotency (scope, key, method, path, request_hash, status, content_type, location, body,
  created_at) VALUES ('switching:user:2', 'k' || :n, 'POST', '/decision', md5(:n::text), 0, '', '', '', now());
SELECT * FROM bench_switch WHERE current_retailer_id = {b} AND id = :sid LIMIT 1 FOR UPDATE;
SELECT * FROM bench_application WHERE switch_id = :sid AND kind = '20' LIMIT 1;
UPDATE bench_application SET state = 'completed', operator_step = '取次OK', updated_at = now(), finished_at = now()
  WHERE switch_id = :sid AND kind = '20';
UPDATE bench_switch SET state = 'approved', decision = 'ok', decided_at = now(), updated_at = now()
  WHERE id = :sid;
{audit("switching.switch.decide")}
{publish(a, "application.updated", first=True)}
{publish(a, "switch.updated", first=False)}
{publish(b, "switch.updated", first=False)}
SELECT * FROM bench_switch WHERE id = :sid;
UPDATE bench_idempotency SET status = 200, content_type = 'application/json', body = repeat('x', 700)
  WHERE scope = 'switching:user:2' AND key = 'k' || :n;
COMMIT;
"""


def status_script(token: str, a: int, numbers: tuple[int, int], database_cache: bool) -> str:
    return f"""
\\set k random({numbers[0]}, {numbers[1]})
{auth_and_rate(token, database_cache)}
SELECT a.*, p.number, s.number FROM bench_application a
  INNER JOIN switching_supplypoint p ON a.supply_point_id = p.id
  LEFT OUTER JOIN bench_switch s ON a.switch_id = s.id
  WHERE a.organization_id = {a} AND a.reception_number = lpad(:k::text, 16, '0') LIMIT 1;
"""


def pgbench(script: str, *, clients: int, seconds: int) -> float:
    """Transactions/s of pgbench running `script` (one transaction = one script run)."""
    settings = connection.settings_dict
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(script)
        path = handle.name
    command = [
        "pgbench",
        "-n",
        "-h",
        settings["HOST"] or "127.0.0.1",
        "-p",
        str(settings["PORT"] or 5432),
        "-U",
        settings["USER"] or "postgres",
        "-c",
        str(clients),
        "-j",
        "2",
        "-T",
        str(seconds),
        "-f",
        path,
        settings["NAME"],
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    os.unlink(path)
    found = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", output.stdout)
    if output.returncode != 0 or not found:
        print(output.stdout, output.stderr, file=sys.stderr)
        raise SystemExit("pgbench failed")
    return float(found.group(1))


# --- main -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--points", type=int, default=3000, help="cancel-forwards (and decisions) to send")
    parser.add_argument("--status-requests", type=int, default=6000)
    parser.add_argument(
        "--clients", type=int, default=16, help="concurrent HTTP clients (and pgbench clients)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn web processes")
    parser.add_argument("--pgbench-seconds", type=int, default=15)
    parser.add_argument("--redis", action="store_true", help="rate-limit counters in Redis (REDIS_URL)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    if connection.vendor != "postgresql":
        raise SystemExit("DATABASE_URL must name a PostgreSQL database (see the docstring).")
    call_command("migrate", verbosity=0)
    create_database_cache_table()
    print(
        f"database: {connection.settings_dict['NAME']} · {os.cpu_count()} CPUs · {args.workers} web processes"
    )

    a = retailer("9101", "新電力A株式会社", TOKEN_A)
    b = retailer("9102", "新電力B株式会社", TOKEN_B)
    numbers = make_points(b, args.points)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "KOUIKI_API_RATE": "10000000/m",
        "KOUIKI_DB_POOL": "1",
        "KOUIKI_TSO_SIMULATOR_DELAY_SECONDS": "0",
        "KOUIKI_LOG_LEVEL": "WARNING",
    }
    if args.redis:
        env["REDIS_URL"] = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    else:
        env.pop("REDIS_URL", None)
    port = free_port()
    processes = start_servers(port, args.workers, env)
    base = f"http://127.0.0.1:{port}"
    try:
        drive("warm-up", base, TOKEN_A, list(range(50)), 4, lambda client, _: client.get(f"{API}/events"))
        registered = drive("sw_l06 POST /cancel-forwards", base, TOKEN_A, numbers, args.clients, register)
        switch_numbers = [result["switch_number"] for result in registered.results]
        reception_numbers = [result["reception_number"] for result in registered.results]
        decided = drive("sw_l10 POST …/decision", base, TOKEN_B, switch_numbers, args.clients, decide)
        rng = random.Random(args.seed)  # noqa: S311 - benchmark sampling
        sample = [rng.choice(reception_numbers) for _ in range(args.status_requests)]
        statuses = drive("sw_l14 GET /applications/{n}", base, TOKEN_A, sample, args.clients, status)
    finally:
        stop_servers(processes)

    prepare_pgbench_tables((a.pk, b.pk))
    first_point = SupplyPoint.objects.order_by("id").values_list("id", flat=True).first() or 1
    last_point = SupplyPoint.objects.order_by("-id").values_list("id", flat=True).first() or 1
    sizing = {"clients": args.clients, "seconds": args.pgbench_seconds}
    tps = {
        "register": pgbench(
            register_script(TOKEN_A, a.pk, b.pk, first_point, last_point, not args.redis), **sizing
        )
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), min(reception_number::bigint), max(reception_number::bigint) FROM bench_application"
        )
        filed, low, high = cursor.fetchone()
        cursor.execute("SELECT min(id) FROM bench_switch")
        first_switch = cursor.fetchone()[0]
        cursor.execute("ANALYZE")
    tps["decide"] = pgbench(decide_script(TOKEN_B, a.pk, b.pk, first_switch, filed, not args.redis), **sizing)
    tps["status"] = pgbench(status_script(TOKEN_A, a.pk, (low, high), not args.redis), **sizing)
    with connection.cursor() as cursor:
        for copy in COPIES:
            cursor.execute(f"DROP TABLE IF EXISTS {copy}")
        cursor.execute("DROP SEQUENCE IF EXISTS bench_seq")

    cache = "Redis" if args.redis else "the database cache"
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average at the end (1, 5, 15 min): {load} — other work on the machine skews the figures")
    print(
        f"\n{args.clients} concurrent clients; rate-limit counters in {cache}; {timezone.now():%Y-%m-%d %H:%M}"
    )
    header = f"{'operation':34} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'pgbench tps':>12} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    for phase, key in ((registered, "register"), (decided, "decide"), (statuses, "status")):
        errors = sum(count for code, count in phase.statuses.items() if code >= 300)
        print(
            f"{phase.name:34} {phase.requests:>8} {errors:>6} {phase.rate:>8.1f} {phase.percentile(50):>8.1f}"
            f" {phase.percentile(99):>8.1f} {tps[key]:>12.1f} {phase.rate / tps[key]:>6.1%}"
        )
    print(json.dumps({p.name: p.statuses for p in (registered, decided, statuses)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
