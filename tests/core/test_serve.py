"""`manage.py serve` (what `make run` runs): the links in mails point where the site is served; a
task worker that dies is started again while the site stays up; Ctrl-C stops both; and on SQLite a
long write lock is lived through.

The lock test: a real `manage.py serve` (gunicorn and its task worker) on a file copy of the test
database, and a connection of this test that holds `BEGIN IMMEDIATE`. The site stays up, a request
that cannot get the lock answers 503 having changed nothing, the worker waits the lock out (it
does not die), and the work queued before the lock is done after it. The lock lasts
KOUIKI_TEST_LOCK_SECONDS (4 by default) with a one-second busy timeout, so every path of a long
lock is taken (each wait for the lock times out several times over) in a few seconds;
`KOUIKI_TEST_LOCK_SECONDS=25 KOUIKI_TEST_BUSY_TIMEOUT_SECONDS=5` runs it with the demo's own busy
timeout and a 25-second lock.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings as django_settings
from django.db import connection

from kouiki.core.management.commands.serve import restart_wait, use_site_url
from kouiki.core.outbox import queue_mail
from kouiki.switching.models import Application
from kouiki.tso.models import MessageState, OperatorMessage
from tests.api.conftest import API, make_point, make_retailer
from tests.core.test_outbox import WorkerDatabase

LOCK_SECONDS = float(os.environ.get("KOUIKI_TEST_LOCK_SECONDS", "4"))
BUSY_TIMEOUT_SECONDS = float(os.environ.get("KOUIKI_TEST_BUSY_TIMEOUT_SECONDS", "1"))
RESTARTED = "タスクワーカーが停止しました"


def test_without_a_site_url_mails_link_to_the_port_served(settings: Any) -> None:
    environ: dict[str, str] = {}
    use_site_url(environ, host="127.0.0.1", port=8101)
    assert settings.SITE_URL == "http://127.0.0.1:8101"
    # The worker, which sends the mail, inherits the environment.
    assert environ["KOUIKI_SITE_URL"] == "http://127.0.0.1:8101"


def test_a_wildcard_address_is_linked_as_the_loopback(settings: Any) -> None:
    use_site_url({}, host="0.0.0.0", port=8101)
    assert settings.SITE_URL == "http://127.0.0.1:8101"


def test_a_site_url_that_is_set_wins(settings: Any) -> None:
    settings.SITE_URL = "https://kouiki.example.jp"
    environ = {"KOUIKI_SITE_URL": "https://kouiki.example.jp"}
    use_site_url(environ, host="127.0.0.1", port=8101)
    assert settings.SITE_URL == "https://kouiki.example.jp"
    assert environ["KOUIKI_SITE_URL"] == "https://kouiki.example.jp"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}\n{log.read_text()}")
        time.sleep(0.1)


def serve(database: WorkerDatabase, port: int, **env: str) -> subprocess.Popen[bytes]:
    """`manage.py serve` with one web process on the copy of the test database; output to serve.log.

    Without the system checks, which probe SQLite in a transaction that a held lock refuses (a
    real `make run` migrates first: it never starts inside a lock).
    """
    with (database.directory / "serve.log").open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--skip-checks", "--port", str(port)],
            cwd=django_settings.BASE_DIR,
            env=database.env | {"KOUIKI_WEB_PROCESSES": "1", "KOUIKI_TSO_ADAPTER": "simulator"} | env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def workers_of(process: subprocess.Popen[bytes]) -> list[int]:
    """The `manage.py worker` children of a serve process."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, rest = stat.read_text().split(" ", 1)
            parent = int(rest.rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        if parent == process.pid and b"worker" in command:
            found.append(int(pid))
    return found


def stop(process: subprocess.Popen[bytes], how: int = signal.SIGTERM) -> int:
    if process.poll() is None:
        process.send_signal(how)
    return process.wait(timeout=60)


def test_the_worker_is_started_again_ever_later_after_deaths_in_a_row() -> None:
    assert [restart_wait(deaths) for deaths in (1, 2, 3, 4, 7, 8, 20)] == [1, 2, 4, 8, 60, 60, 60]


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_dies_is_started_again_and_ctrl_c_stops_both(tmp_path: Path) -> None:
    database = WorkerDatabase(tmp_path)
    port = free_port()
    log = tmp_path / "serve.log"
    served = serve(database, port)

    def loops(count: int) -> bool:
        return log.read_text().count("Starting worker") == count

    try:
        wait_until(
            lambda: httpx.get(f"http://127.0.0.1:{port}/").status_code == 200,
            timeout=30,
            what="the site",
            log=log,
        )
        wait_until(lambda: loops(1), timeout=30, what="the worker's loop", log=log)
        [first] = workers_of(served)
        os.kill(first, signal.SIGKILL)

        wait_until(lambda: workers_of(served) not in ([], [first]), timeout=30, what="a new worker", log=log)
        # How it ended is told when this process, not gunicorn's master, saw it first.
        assert re.search(
            f"{RESTARTED}（(シグナル SIGKILL|終了状態は不明)）。1 秒後に再起動します。", log.read_text()
        )
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200
        wait_until(lambda: loops(2), timeout=30, what="the new worker's loop", log=log)
        [second] = workers_of(served)
        # Ctrl-C: the web processes stop, the worker is sent SIGTERM and ends by itself.
        assert stop(served, signal.SIGINT) == 0
    finally:
        stop(served, signal.SIGKILL)
    output = log.read_text()
    assert output.count(RESTARTED) == 1, output
    assert "shutting down gracefully" in output
    assert not Path(f"/proc/{second}").exists()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("mail_templates")
def test_make_run_survives_a_long_sqlite_lock(tmp_path: Path) -> None:
    retailer = make_retailer("9101", "新電力A株式会社")
    point = make_point(make_retailer("9102", "新電力B株式会社").organization, 1)
    # Work queued before the lock: a mail whose send task the worker has not run yet.
    queue_mail(to="tanaka@example.co.jp", template="tests/notice", context={"name": "田中", "secret": "x"})
    database = WorkerDatabase(tmp_path)
    assert database.sqlite_file is not None
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    client = httpx.Client(base_url=site, headers={"Authorization": f"Bearer {retailer.token}"}, timeout=30)
    inquiry = {"supply_point_number": point, "purpose": "point_info"}

    # The lock is taken before the site starts: the worker's first look at its queue meets it.
    lock = sqlite3.connect(database.sqlite_file, isolation_level=None)
    lock.execute("PRAGMA journal_mode=WAL")
    lock.execute("BEGIN IMMEDIATE")
    locked_at = time.monotonic()
    log = tmp_path / "serve.log"
    served = serve(database, port, KOUIKI_SQLITE_BUSY_TIMEOUT_SECONDS=str(BUSY_TIMEOUT_SECONDS))
    try:
        wait_until(lambda: client.get("/").status_code == 200, timeout=30, what="the site", log=log)
        wait_until(lambda: "The database is busy" in log.read_text(), timeout=30, what="the worker", log=log)

        # During the lock: pages that only read answer; a request that must write answers 503,
        # problem details with Retry-After (the web pages' 503: test_database_busy.py).
        assert client.get("/member/login/").status_code == 200
        refused = client.post(f"{API}/facility-inquiries", json=inquiry)
        assert refused.status_code == 503, refused.text
        assert refused.headers["Content-Type"].startswith("application/problem+json")
        assert refused.json()["code"] == "database_busy"
        assert int(refused.headers["Retry-After"]) >= 1
        # It waited for the lock no longer than the busy timeout, not behind the whole lock.
        assert refused.elapsed.total_seconds() < 2 * BUSY_TIMEOUT_SECONDS + 1
        time.sleep(max(0.0, LOCK_SECONDS - (time.monotonic() - locked_at)))
        assert served.poll() is None, log.read_text()
        lock.execute("ROLLBACK")
        lock.close()

        # After the lock: the mail queued before it goes out, and a request is served.
        wait_until(lambda: bool(database.mail_files()), timeout=60, what="the queued mail", log=log)
        accepted = client.post(f"{API}/facility-inquiries", json=inquiry)
        assert accepted.status_code == 202, accepted.text
        reception = accepted.json()["reception_number"]

        def answered() -> bool:
            database.read_back()
            return OperatorMessage.objects.filter(
                reference=reception, state__in=[MessageState.ACKNOWLEDGED, MessageState.ANSWERED]
            ).exists()

        wait_until(answered, timeout=60, what="the operator's answer", log=log)
        assert served.poll() is None
    finally:
        client.close()
        exit_code = stop(served)

    output = log.read_text()
    assert exit_code == 0, output
    # The worker waited the lock out: it never died, so it was never started again.
    assert RESTARTED not in output
    # The refused request left nothing behind: one application, the one accepted after the lock.
    database.read_back()
    assert list(Application.objects.values_list("reception_number", flat=True)) == [reception]
