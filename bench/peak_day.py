"""A peak day replayed (issue 18): a Japanese March day of switching, in compressed time.

Serves Kouiki as `make run` does in production form — gunicorn with `--workers` sync processes (one
per CPU by default) and the task worker (`manage.py worker`: it sends the operator messages, takes
the answers, delivers callbacks) — with the operators simulated in process
(`KOUIKI_TSO_ADAPTER=simulator`, no answer delay), the API's rate limit out of the way and the
cache in Redis (`--no-redis`: the database cache). Twenty retailers (codes 9201…9220) each own
points spread over the ten areas. Then, as fast as the machine allows:

- `--applications` switching application requests, each case of a switch played in the order of
  the real process by the retailers it belongs to: the new retailer files the cancel-forward
  (SW-L06), the current retailer decides (SW-L10; 5 % of cases NG with a reason), then the new
  retailer's start (SW-L08) and the current retailer's abolition (SW-L11) in either order; 2 % of
  cases are corrected (訂正 of the cancel-forward's desired date before the decision, or of the
  start's contract number before the abolition) or cancelled (取消 of the cancel-forward before
  or after the decision). Every POST carries an Idempotency-Key; `--replays` of the writes are
  sent again with the same key and must be answered byte for byte the same.
- `--reads` status numbers read by the integrators meanwhile, in step with the writes: a tenth
  single reads (SW-L14), the rest many-status calls (SW-L15, 100 numbers a call) and the event
  feed (`GET /events?after=N`, each retailer polling with its own `after`; each event read counts).
- The operators' clock (the back office's 模擬時計, `tso.services.sandbox.advance_operators_clock`)
  is moved to the latest switching date every `--clock-every` seconds from a process of its own,
  so matched switches complete during the replay, as earlier switches complete all day long.
- `--callback-retailers` of the retailers register a callback URL (a receiver in this process).

After the last request it waits for the worker and the operators to finish (moving the clock on),
drains every feed and checks that nothing was lost: every application final, every switch closed
as the driver asked, every event once in each feed with gapless numbers and each final state told
once, no operator message twice, every callback delivered, 0 HTTP 5xx. It prints the figures and
each check's pass / fail; `--json FILE` writes them too. See bench/README.md.

    createdb -h 127.0.0.1 -U postgres kouiki_peak
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kouiki_peak \\
      uv run python bench/peak_day.py [--applications 100000] [--reads 1000000] [--json figures.json]
    dropdb -h 127.0.0.1 -U postgres kouiki_peak
"""

from __future__ import annotations

import argparse
import contextlib
import heapq
import http.client
import itertools
import json
import multiprocessing
import os
import queue
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.queues import Queue as MPQueue
from multiprocessing.synchronize import Event as MPEvent
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from switching_api import Phase

BENCH = Path(__file__).resolve().parent
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
RETAILERS = 20
FIRST_CODE = 9201
AREAS = tuple(f"{number:02d}" for number in range(1, 11))
BATCH = 100  # numbers per many-status call (SW-L15)
FEED_LIMIT = 1000  # events per feed page (the most the API gives)
# The day issue 18 replays, for the scale-up line.
FULL_APPLICATIONS, FULL_READS = 100_000, 1_000_000

# The cases of a switch and the requests each sends, in order (the 2 % corrected or cancelled are
# split between the four variants). A normal case sends its start and abolition in either order.
NORMAL, NG = "normal", "ng"
CORRECT_REQUEST, CORRECT_START = "corrected_cancel_forward", "corrected_start"
CANCEL_WAITING, CANCEL_APPROVED = "cancelled_before_decision", "cancelled_after_decision"
STEPS: dict[str, tuple[str, ...]] = {
    NORMAL: ("sw_l06", "sw_l10_ok", "sw_l08", "sw_l11"),
    NG: ("sw_l06", "sw_l10_ng"),
    CORRECT_REQUEST: ("sw_l06", "sw_l06_correct", "sw_l10_ok", "sw_l08", "sw_l11"),
    CORRECT_START: ("sw_l06", "sw_l10_ok", "sw_l08", "sw_l08_correct", "sw_l11"),
    CANCEL_WAITING: ("sw_l06", "sw_l06_cancel"),
    CANCEL_APPROVED: ("sw_l06", "sw_l10_ok", "sw_l06_cancel"),
}
SHARES = {
    NG: 0.05,
    CORRECT_REQUEST: 0.005,
    CORRECT_START: 0.005,
    CANCEL_WAITING: 0.005,
    CANCEL_APPROVED: 0.005,
}
# What each case's switch ends as.
OUTCOME = {
    NORMAL: "completed",
    CORRECT_REQUEST: "completed",
    CORRECT_START: "completed",
    NG: "rejected",
    CANCEL_WAITING: "cancelled",
    CANCEL_APPROVED: "cancelled",
}
WRITE_STATUS = {
    "sw_l06": 201,
    "sw_l10_ok": 200,
    "sw_l10_ng": 200,
    "sw_l08": 202,
    "sw_l11": 202,
    "sw_l06_correct": 200,
    "sw_l08_correct": 200,
    "sw_l06_cancel": 200,
}
OPERATIONS = {
    "sw_l06": "SW-L06 POST /cancel-forwards",
    "sw_l10_ok": "SW-L10 POST …/decision (OK)",
    "sw_l10_ng": "SW-L10 POST …/decision (NG)",
    "sw_l08": "SW-L08 POST /switch-starts",
    "sw_l11": "SW-L11 POST /switch-abolitions",
    "sw_l06_correct": "SW-L06 POST …/correction",
    "sw_l08_correct": "SW-L08 POST …/correction",
    "sw_l06_cancel": "SW-L06 POST …/cancellation",
    "replay": "replayed writes (same key)",
    "sw_l14": "SW-L14 GET /applications/{n}",
    "sw_l15": f"SW-L15 POST /applications/statuses ({BATCH})",
    "events": "SW-L15 GET /events?after=N",
}
FINAL_APPLICATION_STATES = frozenset({"completed", "defective", "cancelled"})
FINAL_SWITCH_STATES = frozenset({"completed", "rejected", "cancelled", "failed"})


# --- the plan -------------------------------------------------------------------------------------


@dataclass
class Case:
    """One switch of one point, from the new retailer's cancel-forward to its last request."""

    index: int
    kind: str
    steps: tuple[str, ...]
    new: int  # retailer indexes
    current: int
    point: str
    step: int = 0
    switch_number: str = ""
    reception_number: str = ""  # the cancel-forward's
    start_reception_number: str = ""
    failed: str = ""  # why the driver stopped the case, if it did


def plan(writes: int, seed: int) -> list[tuple[str, tuple[str, ...]]]:
    """The cases whose requests add up to `writes` (at least one case): the shares of SHARES,
    the rest normal, in a seeded random order; each with its steps."""
    rng = random.Random(seed)  # noqa: S311 - benchmark sampling
    mean = sum(len(STEPS[kind]) * share for kind, share in SHARES.items()) + len(STEPS[NORMAL]) * (
        1 - sum(SHARES.values())
    )
    cases = max(1, round(writes / mean))
    kinds = [kind for kind, share in SHARES.items() for _ in range(round(cases * share))]
    kinds += [NORMAL] * max(0, cases - len(kinds))
    rng.shuffle(kinds)
    planned = []
    for kind in kinds:
        steps = STEPS[kind]
        if kind == NORMAL and rng.random() < 0.5:
            steps = ("sw_l06", "sw_l10_ok", "sw_l11", "sw_l08")
        planned.append((kind, steps))
    return planned


# --- HTTP -----------------------------------------------------------------------------------------


class Connection:
    """One client's connection (http.client; gunicorn's sync workers close it after each answer and
    it is opened again). A request that meets a broken connection is sent once more, with the same
    Idempotency-Key: what a client that holds a key is for."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection: http.client.HTTPConnection | None = None
        self.retries = 0

    def send(
        self, method: str, path: str, token: str, body: bytes | None = None, key: str | None = None
    ) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {token}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if key is not None:
            headers["Idempotency-Key"] = key
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    return 0, b""
                self.retries += 1
        return 0, b""

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


class Stats:
    """Latencies and statuses per operation, shared by the client threads."""

    def __init__(self) -> None:
        from switching_api import Phase

        self.lock = threading.Lock()
        self.phases: dict[str, Phase] = {key: Phase(label) for key, label in OPERATIONS.items()}
        self.unexpected: list[str] = []  # a few answers that were not what the driver expected

    def record(
        self, operation: str, status: int, seconds: float, expected: int = 200, body: bytes = b""
    ) -> None:
        with self.lock:
            phase = self.phases[operation]
            phase.latencies.append(seconds)
            phase.statuses[status] = phase.statuses.get(status, 0) + 1
            if status != expected and len(self.unexpected) < 20:
                self.unexpected.append(f"{operation} {status}: {body[:300].decode(errors='replace')}")


# --- the writers ----------------------------------------------------------------------------------


class Scheduler:
    """Hands the writer threads their next request: a step of a case whose previous step was
    answered at least a moment ago (a random wait up to twice `delay`, as people and systems take
    their time), else the first step of a new case; None once every case is done."""

    def __init__(self, cases: list[Case], delay: float, seed: int) -> None:
        self.fresh = iter(cases)
        self.total = len(cases)
        self.finished = 0
        self.waiting: list[tuple[float, int, Case]] = []
        self.condition = threading.Condition()
        self.delay = delay
        self.rng = random.Random(seed + 1)  # noqa: S311 - benchmark sampling
        self.order = itertools.count()
        self.sent = 0  # write requests answered (for the readers' pace)

    def next(self) -> Case | None:
        with self.condition:
            while True:
                now = time.monotonic()
                if self.waiting and self.waiting[0][0] <= now:
                    return heapq.heappop(self.waiting)[2]
                case = next(self.fresh, None)
                if case is not None:
                    return case
                if self.finished >= self.total:
                    return None
                timeout = self.waiting[0][0] - now if self.waiting else None
                self.condition.wait(timeout)

    def done(self, case: Case, answered: bool) -> None:
        with self.condition:
            self.sent += 1
            case.step += 1
            if answered and case.step < len(case.steps):
                ready = time.monotonic() + self.rng.uniform(0, 2 * self.delay)
                heapq.heappush(self.waiting, (ready, next(self.order), case))
            else:
                self.finished += 1
            self.condition.notify_all()


class Numbers:
    """The reception numbers each retailer has been given, for its status reads."""

    def __init__(self) -> None:
        self.by_retailer: list[list[str]] = [[] for _ in range(RETAILERS)]

    def add(self, retailer: int, number: str) -> None:
        self.by_retailer[retailer].append(number)  # list.append is atomic under the GIL

    def pick(self, rng: random.Random, count: int) -> tuple[int, list[str]]:
        holders = [index for index, numbers in enumerate(self.by_retailer) if numbers]
        if not holders:
            return -1, []
        retailer = rng.choice(holders)
        numbers = self.by_retailer[retailer]
        return retailer, [numbers[rng.randrange(len(numbers))] for _ in range(count)]


@dataclass
class Replays:
    sent: int = 0
    different: int = 0


def write(
    connection: Connection,
    case: Case,
    tokens: list[str],
    stats: Stats,
    numbers: Numbers,
    replays: Replays,
    rng: random.Random,
    args: argparse.Namespace,
) -> bool:
    """Send the case's next request; True when it was answered as expected."""
    from switching_api import API, cancel_forward_body

    operation = case.steps[case.step]
    new, current = tokens[case.new], tokens[case.current]
    contract = f"N{case.new:02d}-{case.point[-10:]}"
    requests: dict[str, tuple[str, str, Any]] = {
        "sw_l06": (new, f"{API}/cancel-forwards", cancel_forward_body(case.point)),
        "sw_l10_ok": (
            current,
            f"{API}/received-cancel-forwards/{case.switch_number}/decision",
            {"decision": "ok"},
        ),
        "sw_l10_ng": (
            current,
            f"{API}/received-cancel-forwards/{case.switch_number}/decision",
            {"decision": "ng", "ng_reason": "02", "ng_text": "需要者から契約継続の申出を受けています。"},
        ),
        "sw_l08": (
            new,
            f"{API}/switch-starts",
            {"switch_number": case.switch_number, "contract_number": contract},
        ),
        "sw_l11": (current, f"{API}/switch-abolitions", {"switch_number": case.switch_number}),
        "sw_l06_correct": (
            new,
            f"{API}/cancel-forwards/{case.reception_number}/correction",
            {"desired_date": (date.today() + timedelta(days=args.desired_days)).isoformat()},
        ),
        "sw_l08_correct": (
            new,
            f"{API}/switch-starts/{case.start_reception_number}/correction",
            {"contract_number": f"{contract}-2"},
        ),
        "sw_l06_cancel": (new, f"{API}/cancel-forwards/{case.reception_number}/cancellation", None),
    }
    token, path, value = requests[operation]
    body = encode(value) if value is not None else None
    key = uuid.uuid4().hex
    started = time.perf_counter()
    status, answer = connection.send("POST", path, token, body, key)
    stats.record(operation, status, time.perf_counter() - started, WRITE_STATUS[operation], answer)
    if status != WRITE_STATUS[operation]:
        case.failed = f"{operation}: {status}"
        return False
    if rng.random() < args.replays:
        started = time.perf_counter()
        again, same = connection.send("POST", path, token, body, key)
        stats.record("replay", again, time.perf_counter() - started, status, same)
        replays.sent += 1
        if (again, same) != (status, answer):
            replays.different += 1
    if operation in ("sw_l06", "sw_l08", "sw_l11"):
        result = json.loads(answer)
        if operation == "sw_l06":
            case.switch_number = result["switch_number"]
            case.reception_number = result["reception_number"]
        elif operation == "sw_l08":
            case.start_reception_number = result["reception_number"]
        numbers.add(case.new if operation != "sw_l11" else case.current, result["reception_number"])
    return True


# --- the readers ----------------------------------------------------------------------------------


@dataclass
class Reads:
    """Numbers read so far: by single reads, many-status calls and the event feed."""

    single: int = 0
    many: int = 0
    feed: int = 0
    not_found: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def total(self) -> int:
        return self.single + self.many + self.feed


@dataclass
class Feed:
    """One retailer's view of its event feed, as an integrator keeps it."""

    after: int = 0
    events: list[tuple[int, str, str, str]] = field(default_factory=list)  # sequence, topic, reference, state
    repeated: int = 0  # events read again (a sequence not above `after`)


def poll_feed(connection: Connection, token: str, feed: Feed, stats: Stats, reads: Reads) -> tuple[int, bool]:
    """Read one page of the feed after `feed.after`; (events read, whether more are waiting)."""
    from switching_api import API

    started = time.perf_counter()
    status, answer = connection.send("GET", f"{API}/events?after={feed.after}&limit={FEED_LIMIT}", token)
    stats.record("events", status, time.perf_counter() - started, 200, answer)
    if status != 200:
        return 0, False
    page = json.loads(answer)
    for event in page["events"]:
        if event["sequence"] <= feed.after:
            feed.repeated += 1
            continue
        feed.events.append(
            (event["sequence"], event["topic"], event["reference"], str(event["payload"].get("state", "")))
        )
        feed.after = event["sequence"]
    feed.after = max(feed.after, page["last_sequence"])
    with reads.lock:
        reads.feed += len(page["events"])
    return len(page["events"]), bool(page["has_more"])


def read_statuses(
    connection: Connection,
    tokens: list[str],
    numbers: Numbers,
    stats: Stats,
    reads: Reads,
    rng: random.Random,
    args: argparse.Namespace,
) -> None:
    """One status request: a single read while single reads are under a tenth of the numbers read,
    else a many-status call of BATCH numbers of one retailer."""
    from switching_api import API

    single = reads.single * 10 < reads.total + 1
    retailer, chosen = numbers.pick(rng, 1 if single else BATCH)
    if retailer < 0:
        time.sleep(0.05)
        return
    started = time.perf_counter()
    if single:
        status, answer = connection.send("GET", f"{API}/applications/{chosen[0]}", tokens[retailer])
        stats.record("sw_l14", status, time.perf_counter() - started, 200, answer)
        with reads.lock:
            reads.single += 1
            reads.not_found += status == 404
        return
    key = uuid.uuid4().hex if args.read_keys else None
    status, answer = connection.send(
        "POST", f"{API}/applications/statuses", tokens[retailer], encode({"reception_numbers": chosen}), key
    )
    stats.record("sw_l15", status, time.perf_counter() - started, 200, answer)
    missing = sum(not item["found"] for item in json.loads(answer)["results"]) if status == 200 else 0
    with reads.lock:
        reads.many += len(chosen)
        reads.not_found += missing


# --- the callback receiver ------------------------------------------------------------------------


class Receiver(ThreadingHTTPServer):
    """The integrators' callback endpoint: POST /<retailer code> with one event a request."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.lock = threading.Lock()
        self.received: dict[str, Counter[int]] = defaultdict(Counter)


class ReceiverHandler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        sequence = int(json.loads(body)["sequence"])
        with self.server.lock:
            self.server.received[self.path.strip("/")][sequence] += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


# --- the operators' clock and the worker's backlog ------------------------------------------------


def latest_switching_date() -> date | None:
    from django.db.models import Max

    from kouiki.switching.models import Switch, SwitchState

    found: date | None = Switch.objects.filter(state=SwitchState.MATCHED).aggregate(
        latest=Max("switching_date")
    )["latest"]
    return found


def advance_clock(staff_pk: int) -> tuple[int, int]:
    """Move the operators' clock to the latest switching date of a matched switch (not before
    today): what the back office's 模擬時計 does. (answers given, answers received by the hub)."""
    from django.utils import timezone

    from kouiki.identity.models import User
    from kouiki.tso.services import sandbox

    day = latest_switching_date()
    if day is None:
        return 0, 0
    advanced = sandbox.advance_operators_clock(
        actor=User.objects.get(pk=staff_pk), day=max(day, timezone.localdate())
    )
    return advanced.given, advanced.received


def clock_process(staff_pk: int, every: float, stop: MPEvent, results: MPQueue[ClockRun]) -> None:
    """The operators' clock, moved every `every` seconds in a process of its own (the work it does
    — the simulated operators' answers, the hub receiving them — stays off the client's CPU time)."""
    sys.path.insert(0, str(BENCH))
    import switching_api  # noqa: F401 - sets Django up
    from django.db import connection

    try:
        while not stop.wait(every):
            started, cpu = time.monotonic(), time.process_time()
            given, received = advance_clock(staff_pk)
            results.put((time.monotonic() - started, given, received, time.process_time() - cpu))
    finally:
        connection.close()


# One move of the operators' clock: seconds it took, answers given, answers received by the hub, and
# the CPU seconds it took.
ClockRun = tuple[float, int, int, float]


# --- where the CPU went ---------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a live process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def database_sessions(name: str) -> list[int]:
    """The PostgreSQL backends of database `name` (their process title names it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if title.startswith("postgres: ") and f" {name} " in title:
                found.append(int(entry.name))
    return found


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy since boot (all CPUs: /proc/stat less idle and
    I/O wait)."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / CLOCK_TICKS


class CpuMeter:
    """CPU seconds used between two snapshots by the web processes, the task worker, this
    database's sessions, this client and the whole machine."""

    def __init__(self, web: int, workers: list[int], database: str) -> None:
        self.web, self.workers, self.database = web, workers, database

    def snapshot(self) -> dict[str, dict[int, float]]:
        times = os.times()
        return {
            "web": {pid: cpu_seconds(pid) for pid in children(self.web)},
            "worker": {pid: cpu_seconds(pid) for pid in self.workers},
            "database": {pid: cpu_seconds(pid) for pid in database_sessions(self.database)},
            "client": {0: times.user + times.system},
            "machine": {0: machine_busy()},
        }

    @staticmethod
    def used(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
        """Seconds per part; a process that started in between counts from its start."""
        return {
            part: sum(seconds - before[part].get(pid, 0.0) for pid, seconds in values.items())
            for part, values in after.items()
        }


@dataclass
class Sample:
    at: float  # seconds since the drive started
    writes: int
    reads: int
    messages_pending: int  # operator messages not yet taken by the operator (pending or sending)
    messages_acknowledged: int  # taken, final answer awaited
    operator_jobs: int  # the simulated operators' work not done yet
    callbacks_pending: int  # pending or sending
    tasks_ready: int  # the worker's queue
    lock_waits: int  # database sessions waiting for a lock at that moment


def backlog() -> dict[str, int]:
    from django.db import connection
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from kouiki.core.events import CallbackDelivery
    from kouiki.tso.models import MessageState, OperatorMessage, SimulatorJob

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        lock_waits = int(cursor.fetchone()[0])
    messages = dict(
        OperatorMessage.objects.exclude(state=MessageState.ANSWERED)
        .values_list("state")
        .annotate(count=Count("id"))
        .values_list("state", "count")
    )
    return {
        "messages_pending": messages.get(MessageState.PENDING, 0) + messages.get(MessageState.SENDING, 0),
        "messages_acknowledged": messages.get(MessageState.ACKNOWLEDGED, 0),
        "operator_jobs": SimulatorJob.objects.filter(done_at__isnull=True).count(),
        "callbacks_pending": CallbackDelivery.objects.filter(state__in=("pending", "sending")).count(),
        "tasks_ready": DBTaskResult.objects.ready().count(),
        "lock_waits": lock_waits,
    }


# --- main -----------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--applications",
        type=int,
        default=FULL_APPLICATIONS,
        help="switching application requests (SW-L06/L10/L08/L11 and the corrections and cancellations; "
        "about 3.9 a switch) (default 100,000; 2,000 while developing)",
    )
    parser.add_argument(
        "--reads",
        type=int,
        default=FULL_READS,
        help="status numbers read: a tenth single reads, the rest many-status calls and the event feed "
        "(default 1,000,000; 20,000 while developing)",
    )
    parser.add_argument("--writers", type=int, default=8, help="writer threads (default 8)")
    parser.add_argument("--readers", type=int, default=3, help="status reader threads (default 3)")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.process_cpu_count() or 1,
        help="gunicorn processes (default: the CPUs)",
    )
    parser.add_argument(
        "--task-workers",
        type=int,
        default=1,
        help="manage.py worker processes (default 1, as make run; the others run no scheduler)",
    )
    parser.add_argument(
        "--step-delay",
        type=float,
        default=1.0,
        help="mean seconds between two steps of one case (each waits 0 to twice this) (default 1)",
    )
    parser.add_argument(
        "--poll-every", type=float, default=2.0, help="seconds between two feed polls (default 2)"
    )
    parser.add_argument(
        "--clock-every",
        type=float,
        default=10.0,
        help="seconds between two moves of the operators' clock (10)",
    )
    parser.add_argument(
        "--callback-retailers",
        type=int,
        default=2,
        help="retailers that also register a callback URL (a receiver in this process) (default 2)",
    )
    parser.add_argument(
        "--replays", type=float, default=0.01, help="share of writes sent again with the same key (0.01)"
    )
    parser.add_argument(
        "--read-keys",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="an Idempotency-Key on the many-status POST too, as on every POST (default); "
        "--no-read-keys: none",
    )
    parser.add_argument(
        "--desired-days", type=int, default=21, help="the desired date a correction sets, days ahead (21)"
    )
    parser.add_argument("--sample-every", type=float, default=5.0, help="seconds between backlog samples (5)")
    parser.add_argument(
        "--settle-timeout",
        type=float,
        default=3600.0,
        help="seconds to wait for the worker after the drive (3,600)",
    )
    parser.add_argument(
        "--redis",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=f"the cache in Redis (REDIS_URL, else {DEFAULT_REDIS_URL}) (default); "
        "--no-redis: the database cache",
    )
    parser.add_argument(
        "--vacuum-every",
        type=float,
        default=60.0,
        help="where the server has autovacuum off: seconds between two VACUUM (ANALYZE) of the "
        "database, standing in for it (60; 0: never)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the figures and checks to this file as JSON")
    args = parser.parse_args()
    if args.applications < 2 or args.reads < 0:
        parser.error("--applications must be at least 2 and --reads not negative")
    if not 0 <= args.callback_retailers <= RETAILERS:
        parser.error(f"--callback-retailers must be 0 to {RETAILERS}")
    return args


def main() -> None:
    args = parse_args()
    # This process (the set-up, the clock, the checks) and the servers use one cache and one
    # simulator: what this process sets up is where the servers look.
    if args.redis:
        os.environ["REDIS_URL"] = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    else:
        os.environ.pop("REDIS_URL", None)
    os.environ.update(
        {
            "KOUIKI_TSO_ADAPTER": "simulator",
            "KOUIKI_TSO_SIMULATOR_DELAY_SECONDS": "0",
            "KOUIKI_TSO_SIMULATOR_FAILURE_RATE": "0",
            "KOUIKI_TSO_SIMULATOR_DOWN_AREAS": "",
            "KOUIKI_CALLBACK_ALLOW_HTTP_LOOPBACK": "1",
            "KOUIKI_API_RATE": "10000000/m",
            "KOUIKI_LOG_LEVEL": "WARNING",
        }
    )
    run(args)


@dataclass
class Setup:
    organizations: list[int]
    codes: list[str]
    tokens: list[str]
    staff_pk: int
    cases: list[Case]
    autovacuum_off: bool


def set_up(args: argparse.Namespace, receiver_port: int) -> Setup:
    """Migrate; twenty retailers with their tokens, a staff user for the clock, the points of the
    cases (each owned by the case's current retailer, in the ten areas in turn) and the callback
    URLs."""
    import switching_api as base
    from django.core.management import call_command
    from django.db import connection

    from kouiki.core import events
    from kouiki.core.systems import System
    from kouiki.identity.choices import staff_username
    from kouiki.identity.models import AccountKind, User
    from kouiki.switching.models import Switch

    if connection.vendor != "postgresql":
        raise SystemExit("DATABASE_URL must name a PostgreSQL database (see the docstring).")
    call_command("migrate", verbosity=0)
    if Switch.objects.exists():
        raise SystemExit("The database has switches already: the checks count all of them. Use a new one.")
    base.create_database_cache_table()
    codes = [str(FIRST_CODE + index) for index in range(RETAILERS)]
    tokens = [f"bench-{code}" for code in codes]
    organizations = [
        base.retailer(code, f"ベンチ電力{index + 1:02d}株式会社", token).pk
        for index, (code, token) in enumerate(zip(codes, tokens, strict=True))
    ]
    staff, _ = User.objects.get_or_create(
        username=staff_username("bench-clock"),
        defaults={"kind": AccountKind.STAFF, "login_id": "bench-clock", "last_name": "ベンチ"},
    )
    for index in range(args.callback_retailers):
        events.register_callback(
            organization_id=organizations[index],
            system=System.SWITCHING.value,
            url=f"http://127.0.0.1:{receiver_port}/{codes[index]}",
        )

    rng = random.Random(args.seed)  # noqa: S311 - benchmark sampling
    planned = plan(args.applications, args.seed)
    # Who is who: the current retailer owns the point, the new one is any other retailer.
    parties = []
    for _ in planned:
        current = rng.randrange(RETAILERS)
        parties.append((rng.choice([index for index in range(RETAILERS) if index != current]), current))
    wanted: dict[tuple[int, str], int] = Counter(
        (current, AREAS[index % len(AREAS)]) for index, (_, current) in enumerate(parties)
    )
    made = {
        key: iter(base.make_points(base.Organization.objects.get(pk=organizations[key[0]]), count, key[1]))
        for key, count in sorted(wanted.items())
    }
    cases = [
        Case(index, kind, steps, new, current, next(made[current, AREAS[index % len(AREAS)]]))
        for index, ((kind, steps), (new, current)) in enumerate(zip(planned, parties, strict=True))
    ]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SHOW autovacuum")
        autovacuum_off = cursor.fetchone()[0] == "off"
    return Setup(organizations, codes, tokens, staff.pk, cases, autovacuum_off)


def run(args: argparse.Namespace) -> None:
    # SIGTERM as Ctrl-C: the servers are stopped on the way out (they run in process groups of
    # their own, and would outlive this process).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    sys.path.insert(0, str(BENCH))
    import switching_api as base
    from django.db import connection

    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, name="callbacks", daemon=True).start()
    started_setup = time.monotonic()
    setup = set_up(args, receiver.server_address[1])
    cases = setup.cases
    workdir = Path(tempfile.mkdtemp(prefix="peak_day_"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kouiki.settings",
        "KOUIKI_DB_POOL": "1",
    }
    cache = "Redis" if args.redis else "the database cache"
    print(
        f"database {connection.settings_dict['NAME']} · {os.cpu_count()} CPUs · gunicorn {args.workers} sync "
        f"workers + manage.py worker · cache: {cache} · {len(cases):,} switches ("
        + ", ".join(f"{kind} {count:,}" for kind, count in Counter(case.kind for case in cases).most_common())
        + f") for {sum(len(case.steps) for case in cases):,} application requests · {args.reads:,} status "
        f"numbers to read · set up in {time.monotonic() - started_setup:.0f} s · logs in {workdir}",
        flush=True,
    )
    if setup.autovacuum_off and args.vacuum_every > 0:
        print(
            f"autovacuum is off on this server: VACUUM (ANALYZE) every {args.vacuum_every:.0f} s stands in "
            "for it (--vacuum-every)",
            flush=True,
        )
    connection.close()  # the servers and the threads have their own

    port = base.free_port()
    processes = base.start_servers(port, args.workers, env, workdir)
    for number in range(2, args.task_workers + 1):
        with (workdir / f"kouiki_bench_worker_{number}.log").open("wb") as log:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "worker", "--no-scheduler"],
                    cwd=BENCH.parent,
                    env=env,
                    process_group=0,
                    stdout=log,
                    stderr=log,
                )
            )
    stats = Stats()
    numbers = Numbers()
    reads = Reads()
    replays = Replays()
    feeds = [Feed() for _ in range(RETAILERS)]
    scheduler = Scheduler(cases, args.step_delay, args.seed)
    samples: list[Sample] = []
    clock_runs: list[ClockRun] = []
    connections: list[Connection] = []
    context = multiprocessing.get_context("spawn")
    stop_clock = context.Event()
    clock_results: MPQueue[ClockRun] = context.Queue()
    clock = context.Process(
        target=clock_process, args=(setup.staff_pk, args.clock_every, stop_clock, clock_results), daemon=True
    )
    writing = threading.Event()
    writing.set()
    stop_polling = threading.Event()
    sampling = threading.Event()
    sampling.set()
    start = time.monotonic()

    def writer(seed: int) -> None:
        connection = Connection(port)
        connections.append(connection)
        rng = random.Random(seed)  # noqa: S311 - benchmark sampling
        while (case := scheduler.next()) is not None:
            answered = write(connection, case, setup.tokens, stats, numbers, replays, rng, args)
            scheduler.done(case, answered)
        connection.close()

    def reader(seed: int) -> None:
        connection = Connection(port)
        connections.append(connection)
        rng = random.Random(seed)  # noqa: S311 - benchmark sampling
        writes = sum(len(case.steps) for case in cases)
        while reads.total < args.reads:
            if not writing.is_set() and not any(numbers.by_retailer):
                break  # no application was filed: nothing to read
            # In step with the writes (a little ahead is allowed); flat out once they are done.
            if writing.is_set() and reads.total > args.reads * scheduler.sent / writes + 2 * BATCH:
                time.sleep(0.05)
                continue
            read_statuses(connection, setup.tokens, numbers, stats, reads, rng, args)
        connection.close()

    def poller() -> None:
        connection = Connection(port)
        connections.append(connection)
        while not stop_polling.is_set():
            more = False
            for index, feed in enumerate(feeds):
                _, has_more = poll_feed(connection, setup.tokens[index], feed, stats, reads)
                more = more or has_more
            if not more:
                stop_polling.wait(args.poll_every)
        connection.close()

    def sampler() -> None:
        from django.db import connection as database

        try:
            while sampling.is_set():
                samples.append(Sample(time.monotonic() - start, scheduler.sent, reads.total, **backlog()))
                time.sleep(args.sample_every)
        finally:
            database.close()

    vacuums: list[float] = []  # seconds each VACUUM (ANALYZE) took

    def housekeeper() -> None:
        """What autovacuum would do, where the server has it off: the plans of the growing queues
        (the worker's task claim above all) stay those of the empty tables otherwise."""
        from django.db import connection as database

        try:
            while not stop_housekeeping.wait(args.vacuum_every):
                started = time.monotonic()
                with database.cursor() as cursor:
                    cursor.execute("VACUUM (ANALYZE)")
                vacuums.append(time.monotonic() - started)
        finally:
            database.close()

    stop_housekeeping = threading.Event()
    housekeeping = threading.Thread(target=housekeeper, daemon=True)
    threads = [threading.Thread(target=writer, args=(args.seed * 1000 + n,)) for n in range(args.writers)]
    threads += [
        threading.Thread(target=reader, args=(args.seed * 1000 + 500 + n,)) for n in range(args.readers)
    ]
    feed_thread = threading.Thread(target=poller, daemon=True)
    sample_thread = threading.Thread(target=sampler, daemon=True)
    settle: dict[str, float] = {}
    try:
        clock.start()
        meter = CpuMeter(
            processes[0].pid,
            [process.pid for process in processes[1:]],
            str(connection.settings_dict["NAME"]),
        )
        before = meter.snapshot()
        start = time.monotonic()
        for thread in [*threads, feed_thread, sample_thread]:
            thread.start()
        if setup.autovacuum_off and args.vacuum_every > 0:
            housekeeping.start()
        for thread in threads[: args.writers]:
            thread.join()
        writing.clear()
        settle["writes_done"] = time.monotonic() - start
        print(f"  writes done after {settle['writes_done']:.0f} s", flush=True)
        for thread in threads[args.writers :]:
            thread.join()
        settle["drive"] = time.monotonic() - start
        print(f"  reads done after {settle['drive']:.0f} s; the requests (req/s over the drive):")
        print_operations(stats, settle["drive"])
        print("  waiting for the worker and the operators", flush=True)
        stop_clock.set()
        while clock.is_alive() or not clock_results.empty():
            with contextlib.suppress(queue.Empty):
                clock_runs.append(clock_results.get(timeout=0.5))
        clock.join()
        settle["settled"], finals = wait_until_settled(args, setup.staff_pk, start)
        clock_runs.extend(finals)
        stop_polling.set()
        feed_thread.join()
        drain(port, setup.tokens, feeds, stats, reads)
        settle["total"] = time.monotonic() - start
        cpu = CpuMeter.used(before, meter.snapshot())
        stop_housekeeping.set()
        # The clock's moves after the drive ran in this process: they count as the clock's.
        cpu["client"] -= sum(run[3] for run in finals)
        cpu["clock"] = sum(run[3] for run in clock_runs)
        cpu["others"] = cpu.pop("machine") - sum(cpu.values())
        sampling.clear()
        sample_thread.join()
        samples.append(Sample(settle["total"], scheduler.sent, reads.total, **backlog()))
    finally:
        stop_clock.set()
        base.stop_servers(processes)
        receiver.shutdown()
    checks = check(args, setup, feeds, stats, replays, receiver, reads)
    report(
        args,
        cache,
        setup,
        stats,
        reads,
        replays,
        samples,
        clock_runs,
        vacuums,
        settle,
        cpu,
        checks,
        connections,
        workdir,
    )


def wait_until_settled(args: argparse.Namespace, staff_pk: int, start: float) -> tuple[float, list[ClockRun]]:
    """After the last request: move the operators' clock on until every switch is closed and no
    operator message or callback is left to send (at most --settle-timeout seconds)."""
    from kouiki.switching.models import OPEN_SWITCH_STATES, Application, State, Switch

    runs: list[ClockRun] = []
    left: dict[str, int] = {}
    open_switches = live = 0
    deadline = time.monotonic() + args.settle_timeout
    while time.monotonic() < deadline:
        left = backlog()
        open_switches = Switch.objects.filter(state__in=OPEN_SWITCH_STATES).count()
        live = Application.objects.filter(state__in=(State.RECEIVED, State.PROCESSING)).count()
        if not (open_switches or live or left["messages_pending"] or left["callbacks_pending"]):
            break
        started, cpu = time.monotonic(), time.thread_time()
        given, received = advance_clock(staff_pk)
        runs.append((time.monotonic() - started, given, received, time.thread_time() - cpu))
        time.sleep(1)
    else:
        print(
            f"  gave up waiting after --settle-timeout {args.settle_timeout:.0f} s: {open_switches} switches "
            f"open, {live} applications live, backlog {left}",
            flush=True,
        )
    return time.monotonic() - start, runs


def drain(port: int, tokens: list[str], feeds: list[Feed], stats: Stats, reads: Reads) -> None:
    """Read every feed to its end."""
    connection = Connection(port)
    for index, feed in enumerate(feeds):
        while poll_feed(connection, tokens[index], feed, stats, reads)[1]:
            pass
    connection.close()


# --- the loss checks ------------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


def check(
    args: argparse.Namespace,
    setup: Setup,
    feeds: list[Feed],
    stats: Stats,
    replays: Replays,
    receiver: Receiver,
    reads: Reads,
) -> list[Check]:
    from django.db.models import Count, Max
    from django_tasks_db.models import DBTaskResult

    from kouiki.core.events import CallbackDelivery, Event
    from kouiki.switching.models import Application, Kind, Switch
    from kouiki.tso.models import AnswerRecord, MessageState, OperatorMessage, SimulatorReceipt

    checks: list[Check] = []
    organizations = setup.organizations
    cases = setup.cases

    # Every application final, every switch closed as the driver asked.
    by_state = Counter(
        dict(
            ((kind, state), count)
            for kind, state, count in Application.objects.filter(organization_id__in=organizations)
            .values_list("kind", "state")
            .annotate(count=Count("id"))
            .values_list("kind", "state", "count")
        )
    )
    live = sum(count for (_, state), count in by_state.items() if state not in FINAL_APPLICATION_STATES)
    checks.append(
        Check(
            "every application final",
            live == 0,
            f"{sum(by_state.values()):,} applications, {live} in a live state; "
            + ", ".join(f"{kind}/{state} {count:,}" for (kind, state), count in sorted(by_state.items())),
        )
    )
    stopped = [case for case in cases if case.failed]
    expected = Counter(OUTCOME[case.kind] for case in cases if not case.failed)
    switches = Counter(
        dict(
            Switch.objects.filter(new_retailer_id__in=organizations)
            .values_list("state")
            .annotate(count=Count("id"))
            .values_list("state", "count")
        )
    )
    checks.append(
        Check(
            "switches completed / NG / cancelled as asked",
            not stopped and all(switches[state] == expected[state] for state in {*switches, *expected}),
            "asked "
            + ", ".join(f"{state} {count:,}" for state, count in sorted(expected.items()))
            + "; found "
            + ", ".join(f"{state} {count:,}" for state, count in sorted(switches.items()))
            + (
                f"; {len(stopped)} cases stopped by an unexpected answer ({stopped[0].failed})"
                if stopped
                else ""
            ),
        )
    )
    asked_applications = Counter(
        {
            Kind.CANCEL_FORWARD: len(cases),
            Kind.SWITCH_START: sum("sw_l08" in case.steps for case in cases),
            Kind.SWITCH_ABOLISH: sum("sw_l11" in case.steps for case in cases),
        }
    )
    filed: Counter[str] = Counter()
    for (kind, _), count in by_state.items():
        filed[kind] += count
    checks.append(
        Check(
            "one application per request filed",
            filed == asked_applications,
            "asked "
            + ", ".join(f"{kind} {count:,}" for kind, count in sorted(asked_applications.items()))
            + "; filed "
            + ", ".join(f"{kind} {count:,}" for kind, count in sorted(filed.items())),
        )
    )

    # Every event once in each retailer's feed.
    problems = []
    total_events = 0
    for index, feed in enumerate(feeds):
        organization = organizations[index]
        in_database = Event.objects.filter(organization_id=organization, system="switching").aggregate(
            count=Count("id"), last=Max("sequence")
        )
        sequences = [event[0] for event in feed.events]
        total_events += len(sequences)
        if sequences != list(range(1, len(sequences) + 1)) or feed.repeated:
            problems.append(
                f"{setup.codes[index]}: read {len(sequences)} events not numbered 1..N, "
                f"{feed.repeated} repeated"
            )
        if in_database["count"] != len(sequences) or (in_database["last"] or 0) != len(sequences):
            problems.append(
                f"{setup.codes[index]}: read {len(sequences)}, the feed has {in_database['count']} "
                f"up to {in_database['last']}"
            )
    checks.append(
        Check(
            "every event once in each feed, numbered 1..N",
            not problems,
            f"{total_events:,} events read by {len(feeds)} retailers"
            + ("; " + "; ".join(problems[:5]) if problems else ""),
        )
    )

    # Each application's final state told to its filer once; each switch's close to both retailers once.
    problems = []
    for index, feed in enumerate(feeds):
        organization = organizations[index]
        finals = Counter(
            (topic, reference)
            for _, topic, reference, state in feed.events
            if (topic == "application.updated" and state in FINAL_APPLICATION_STATES)
            or (topic == "switch.updated" and state in FINAL_SWITCH_STATES)
        )
        twice = sum(1 for count in finals.values() if count > 1)
        applications = set(
            Application.objects.filter(organization_id=organization).values_list(
                "reception_number", flat=True
            )
        )
        parties = set(
            Switch.objects.filter(new_retailer_id=organization).values_list("number", flat=True)
        ) | set(Switch.objects.filter(current_retailer_id=organization).values_list("number", flat=True))
        told_applications = {reference for topic, reference in finals if topic == "application.updated"}
        told_switches = {reference for topic, reference in finals if topic == "switch.updated"}
        if twice or told_applications != applications or told_switches != parties:
            problems.append(
                f"{setup.codes[index]}: {twice} told twice, {len(applications - told_applications)} "
                f"applications and {len(parties - told_switches)} switches never told final"
            )
    checks.append(
        Check(
            "each final state told once (application to its filer, switch to both retailers)",
            not problems,
            "; ".join(problems[:5]) if problems else "every application and switch told its final state once",
        )
    )

    # No operator message sent twice.
    messages = OperatorMessage.objects.count()
    repeated = (
        OperatorMessage.objects.values("operation", "reference")
        .annotate(count=Count("id"))
        .filter(count__gt=1)
        .count()
    )
    taken = SimulatorReceipt.objects.count()
    taken_twice = (
        SimulatorReceipt.objects.values("operation", "reference")
        .annotate(count=Count("id"))
        .filter(count__gt=1)
        .count()
    )
    unanswered = OperatorMessage.objects.exclude(state=MessageState.ANSWERED).count()
    answers = AnswerRecord.objects.count()
    # One message for each start and each abolition, sent once matched.
    wanted_messages = asked_applications[Kind.SWITCH_START] + asked_applications[Kind.SWITCH_ABOLISH]
    checks.append(
        Check(
            "no operator message twice, every message answered",
            not repeated and not taken_twice and taken == messages == wanted_messages and not unanswered,
            f"{messages:,} messages (expected {wanted_messages:,}), {repeated} applications with more "
            f"than one; the operators took {taken:,}, {taken_twice} twice; {unanswered} not answered; "
            f"{answers:,} answers recorded",
        )
    )

    # Callbacks: every event of the retailers with a URL delivered (at least once, as documented).
    problems = []
    delivered = 0
    duplicates = 0
    for index in range(args.callback_retailers):
        organization = organizations[index]
        last = Event.objects.filter(organization_id=organization, system="switching").count()
        got = receiver.received.get(setup.codes[index], Counter())
        delivered += len(got)
        duplicates += sum(count - 1 for count in got.values())
        if set(got) != set(range(1, last + 1)):
            problems.append(
                f"{setup.codes[index]}: {len(set(range(1, last + 1)) - set(got))} of {last} events "
                "never delivered"
            )
    failed_deliveries = CallbackDelivery.objects.exclude(state="delivered").count()
    checks.append(
        Check(
            "every callback delivered",
            not problems and not failed_deliveries,
            f"{delivered:,} events delivered to {args.callback_retailers} retailers ({duplicates} more "
            f"than once, allowed: at least once); {failed_deliveries} deliveries not delivered"
            + ("; " + "; ".join(problems) if problems else ""),
        )
    )

    # The answers.
    statuses: Counter[int] = Counter()
    for phase in stats.phases.values():
        statuses.update(phase.statuses)
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    checks.append(Check("0 HTTP 5xx", server_errors == 0, f"{server_errors} answers 5xx"))
    unexpected = sum(count for status, count in statuses.items() if not 200 <= status < 300)
    checks.append(
        Check(
            "every request answered as expected",
            unexpected == 0 and reads.not_found == 0,
            f"{unexpected} answers not 2xx (connection failures count as 0); "
            f"{reads.not_found} numbers not found"
            + ("; first: " + stats.unexpected[0] if stats.unexpected else ""),
        )
    )
    checks.append(
        Check(
            "a replayed write is answered byte for byte the same",
            replays.different == 0,
            f"{replays.sent} replayed, {replays.different} answered differently",
        )
    )
    failed_tasks = DBTaskResult.objects.failed().count()
    checks.append(Check("no task of the worker failed", failed_tasks == 0, f"{failed_tasks} failed tasks"))
    return checks


# --- the figures ----------------------------------------------------------------------------------


def print_operations(stats: Stats, seconds: float) -> None:
    """Each operation's requests, answers not 2xx, req/s over `seconds`, p50, p99 and answers."""
    columns = "{:42} {:>9} {:>8} {:>8} {:>8} {:>8}  {}"
    header = columns.format("operation", "requests", "non-2xx", "req/s", "p50 ms", "p99 ms", "answers")
    print(header)
    print("-" * len(header))
    for phase in stats.phases.values():
        phase.seconds = seconds
        if not phase.requests:
            continue
        non_2xx = sum(count for status, count in phase.statuses.items() if not 200 <= status < 300)
        print(
            columns.format(
                phase.name,
                f"{phase.requests:,}",
                non_2xx,
                f"{phase.rate:.1f}",
                f"{phase.percentile(50):.1f}",
                f"{phase.percentile(99):.1f}",
                ", ".join(f"{status}×{count:,}" for status, count in sorted(phase.statuses.items())),
            )
        )


def report(
    args: argparse.Namespace,
    cache: str,
    setup: Setup,
    stats: Stats,
    reads: Reads,
    replays: Replays,
    samples: list[Sample],
    clock_runs: list[ClockRun],
    vacuums: list[float],
    settle: dict[str, float],
    cpu: dict[str, float],
    checks: list[Check],
    connections: list[Connection],
    workdir: Path,
) -> None:
    cases = setup.cases
    writes = sum(phase.requests for key, phase in stats.phases.items() if key in WRITE_STATUS)
    total = settle["total"]
    drive = settle["drive"]
    for phase in stats.phases.values():
        phase.seconds = drive  # the feeds' drain after the drive counts in, at the drive's rate
    print(
        f"\n{datetime.now():%Y-%m-%d %H:%M} · gunicorn {args.workers} sync workers + manage.py worker · "
        f"{args.writers} writer, {args.readers} reader threads, 1 feed poller · cache: {cache}"
    )
    print(
        f"wall time {total:,.1f} s: writes done at {settle['writes_done']:,.1f} s, reads at {drive:,.1f} s, "
        f"everything final at {settle['settled']:,.1f} s, feeds drained at {total:,.1f} s"
    )
    print(
        f"{writes:,} application requests for {len(cases):,} switches: {writes / total:,.1f} applications/s "
        f"over the wall time ({writes / settle['writes_done']:,.1f}/s while writing)"
    )
    print(
        f"{reads.total:,} status numbers read: {reads.total / total:,.1f} numbers/s "
        f"(single {reads.single:,}, many-status {reads.many:,}, event feed {reads.feed:,})"
    )
    retries = sum(connection.retries for connection in connections)
    print(f"requests sent again after a broken connection (same key): {retries}; replays: {replays.sent}")
    capacity = (os.process_cpu_count() or 1) * total
    names = {
        "web": "web processes",
        "worker": "task worker" + ("s" if args.task_workers > 1 else ""),
        "clock": "operators' clock",
        "database": "PostgreSQL (this database's sessions)",
        "client": "this client",
        "others": "everything else on the machine",
    }
    print(
        f"CPU seconds of the {capacity:,.0f} the CPUs had: "
        + ", ".join(f"{names[part]} {cpu[part]:,.0f} ({cpu[part] / capacity:.0%})" for part in names)
    )
    if vacuums:
        print(f"VACUUM (ANALYZE) in place of autovacuum: {len(vacuums)} times, {sum(vacuums):,.1f} s")
    if clock_runs:
        print(
            f"operators' clock moved {len(clock_runs)} times: {sum(run[1] for run in clock_runs):,} "
            f"answers given, {sum(run[2] for run in clock_runs):,} received by the hub, "
            f"{sum(run[0] for run in clock_runs):,.1f} s"
        )

    print(
        "\nThe worker's backlog, sampled: operator messages pending (not yet taken by the operator) and "
        "acknowledged (final answer\nawaited), the operators' work due later, callbacks pending, tasks "
        "queued; and database sessions waiting for a lock"
    )
    columns = "{:>7} {:>9} {:>9} {:>9} {:>10} {:>9} {:>10} {:>8} {:>6}"
    print(
        columns.format(
            "s", "writes", "reads", "msg pend", "msg ack'd", "op jobs", "callbacks", "tasks", "locks"
        )
    )
    step = max(1, len(samples) // 24)
    shown = samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else [])
    for sample in shown:
        print(
            columns.format(
                f"{sample.at:.0f}",
                f"{sample.writes:,}",
                f"{sample.reads:,}",
                f"{sample.messages_pending:,}",
                f"{sample.messages_acknowledged:,}",
                f"{sample.operator_jobs:,}",
                f"{sample.callbacks_pending:,}",
                f"{sample.tasks_ready:,}",
                sample.lock_waits,
            )
        )
    if samples:
        print(
            "peak: "
            + ", ".join(
                f"{name} {max(getattr(sample, name) for sample in samples):,}"
                for name in ("messages_pending", "messages_acknowledged", "callbacks_pending", "tasks_ready")
            )
            + f"; lock waits {sum(sample.lock_waits for sample in samples) / len(samples):.1f} on average"
        )

    print("\nLoss checks")
    for each in checks:
        print(f"  [{'pass' if each.passed else 'FAIL'}] {each.name}: {each.detail}")
    passed = all(each.passed for each in checks)
    print(f"{'all checks pass' if passed else 'SOME CHECKS FAIL'}")
    # What the day costs in CPU, ours only (the machine's other work left out): the wall time it
    # would take if nothing else ran and the parts kept the CPUs busy.
    ours = sum(seconds for part, seconds in cpu.items() if part != "others")
    alone = ours / (os.process_cpu_count() or 1)  # seconds, if the parts kept every CPU busy
    print(
        f"CPU of the replay (all but the machine's other work): {ours:,.0f} s, "
        f"{ours / max(writes, 1) * 1000:,.0f} ms an application request with its share of the reads; "
        f"at least {alone / 60:,.1f} min on {os.process_cpu_count() or 1} CPUs with "
        "nothing else running"
    )
    if writes < FULL_APPLICATIONS or reads.total < FULL_READS:
        factor = max(FULL_APPLICATIONS / max(writes, 1), FULL_READS / max(reads.total, 1))
        print(
            f"scaled linearly to {FULL_APPLICATIONS:,} applications / {FULL_READS:,} reads (× {factor:.1f}): "
            f"about {total * factor / 60:,.1f} min as run, at least {alone * factor / 60:,.1f} min with "
            "nothing else running (issue 18: under 10 min)"
        )
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average at the end (1, 5, 15 min): {load} — other work on the machine skews the figures")
    print(f"server and worker logs: {workdir}")

    if args.json:
        document = {
            "at": datetime.now().isoformat(timespec="seconds"),
            "settings": {
                key: str(value) if isinstance(value, Path) else value for key, value in vars(args).items()
            },
            "cpus": os.cpu_count(),
            "switches": dict(Counter(case.kind for case in cases)),
            "seconds": settle,
            "applications": writes,
            "applications_per_second": writes / total,
            "numbers_read": {
                "single": reads.single,
                "many": reads.many,
                "feed": reads.feed,
                "total": reads.total,
            },
            "numbers_per_second": reads.total / total,
            "operations": {
                key: {
                    "name": phase.name,
                    "requests": phase.requests,
                    "rate": phase.rate,
                    "p50_ms": phase.percentile(50) if phase.requests else None,
                    "p99_ms": phase.percentile(99) if phase.requests else None,
                    "statuses": phase.statuses,
                }
                for key, phase in stats.phases.items()
            },
            "retries": retries,
            "vacuums": vacuums,
            "cpu_seconds": cpu,
            "clock": [{"seconds": run[0], "given": run[1], "received": run[2]} for run in clock_runs],
            "backlog": [vars(sample) for sample in samples],
            "checks": [vars(each) for each in checks],
            "passed": passed,
            "load_average": os.getloadavg(),
        }
        args.json.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        print(f"figures as JSON: {args.json}")


if __name__ == "__main__":
    main()
