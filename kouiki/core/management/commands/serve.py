"""`manage.py serve`: the demo on one machine — gunicorn and a task worker, in the foreground.

The site is Django's WSGI application under gunicorn's sync workers, one process per core by
default (`--processes`, `KOUIKI_WEB_PROCESSES`): the fastest server measured for our synchronous
Django (ADR 19). There is no nginx in the demo, so the application is wrapped in Django's static
file handler (which serves from the app directories even with DEBUG off). No access log: a line
per request costs more than it tells on a demo.

The worker is a `manage.py worker` subprocess in its own process group, started once the address
is bound. If it dies it is started again, after a wait that doubles with each death in a row (1 s,
2 s, … at most a minute), so the site stays up and a crash loop does not spin. Ctrl-C (SIGINT) or
SIGTERM reaches this process only: gunicorn stops its processes, then the worker is sent one
SIGTERM and finishes the mail in hand. Without `KOUIKI_SITE_URL`, the links in mails point at the
host and port served (`PORT=8101 make run` mails links to :8101).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from argparse import ArgumentParser
from collections.abc import Callable, MutableMapping
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management.base import BaseCommand, OutputWrapper
from django.core.wsgi import get_wsgi_application
from django.db import connections
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

WORKER_STOP_SECONDS = 30
# Waits before the worker is started again: doubling from the first, at most the cap; a worker
# that ran at least the cap before it died starts the count afresh.
RESTART_FIRST_SECONDS = 1.0
RESTART_CAP_SECONDS = 60.0
# Addresses that listen on every interface: a browser cannot open them, the loopback it can.
WILDCARD_HOSTS = ("0.0.0.0", "::", "")  # noqa: S104


def use_site_url(environ: MutableMapping[str, str], *, host: str, port: int) -> None:
    """Link mails to where this server answers, unless `KOUIKI_SITE_URL` says otherwise: in this
    process (settings) and in the worker, which inherits `environ` and sends the mail."""
    if environ.get("KOUIKI_SITE_URL"):
        return
    if host in WILDCARD_HOSTS:
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    settings.SITE_URL = environ["KOUIKI_SITE_URL"] = f"http://{host}:{port}"


def restart_wait(deaths_in_a_row: int) -> float:
    """Seconds to wait before starting the worker again after its `deaths_in_a_row`-th death."""
    return float(min(RESTART_FIRST_SECONDS * 2 ** max(deaths_in_a_row - 1, 0), RESTART_CAP_SECONDS))


class WebServer(BaseApplication):
    """gunicorn, configured here rather than by a file or its command line."""

    def __init__(self, options: dict[str, Any], when_ready: Callable[[Arbiter], None]) -> None:
        self.options = options
        self.ready = when_ready
        super().__init__()

    def load_config(self) -> None:
        assert self.cfg is not None
        for name, value in self.options.items():
            self.cfg.set(name, value)
        self.cfg.set("when_ready", self.ready)

    def load(self) -> Any:
        return StaticFilesHandler(get_wsgi_application())


class TaskWorker:
    """The `manage.py worker` subprocess, started again whenever it dies until `stop`."""

    def __init__(self, stderr: OutputWrapper) -> None:
        self.stderr = stderr
        self.process: subprocess.Popen[bytes] | None = None
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    def start(self) -> None:
        self._spawn()
        threading.Thread(target=self._watch, name="watch-worker", daemon=True).start()

    def stop(self) -> None:
        """One SIGTERM (the worker finishes the task in hand), a kill after WORKER_STOP_SECONDS."""
        self.stopping.set()
        with self.lock:
            process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _spawn(self) -> None:
        manage = str(settings.BASE_DIR / "manage.py")
        with self.lock:
            if self.stopping.is_set():
                return
            # Its own process group: a Ctrl-C in the terminal goes to this process, not to the worker.
            # No system checks: this process ran them, and on SQLite one of them (Django's probe of
            # JSON support, in a transaction) fails while another connection holds the write lock.
            self.process = subprocess.Popen(  # noqa: S603
                [sys.executable, manage, "worker", "--skip-checks"], process_group=0
            )

    def _watch(self) -> None:
        deaths = 0
        while not self.stopping.is_set():
            process = self.process
            assert process is not None
            started = time.monotonic()
            how = exit_of(process)
            if self.stopping.is_set():
                return
            deaths = deaths + 1 if time.monotonic() - started < RESTART_CAP_SECONDS else 1
            wait = restart_wait(deaths)
            self.stderr.write(f"タスクワーカーが停止しました（{how}）。{wait:g} 秒後に再起動します。")
            if self.stopping.wait(wait):
                return
            self._spawn()


def exit_of(process: subprocess.Popen[bytes]) -> str:
    """Wait for the process to end; how it ended, in words.

    gunicorn's master reaps every child of this process, ours included, so the status is read
    without reaping it first (WNOWAIT); if the master was quicker, it is unknown.
    """
    try:
        info = os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
    except ChildProcessError:
        info = None
    process.poll()
    if info is None:
        return "終了状態は不明"
    if info.si_code == os.CLD_EXITED:
        return f"終了コード {info.si_status}"
    return f"シグナル {signal.Signals(info.si_status).name}"


class Command(BaseCommand):
    help = "Serve the site with gunicorn (static files included) and run a task worker beside it."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--processes",
            type=int,
            default=settings.KOUIKI_WEB_PROCESSES,
            help="web processes (default: KOUIKI_WEB_PROCESSES, else the number of cores: %(default)s)",
        )
        parser.add_argument("--no-worker", action="store_false", dest="worker", help="serve only")

    def handle(self, *, host: str, port: int, processes: int, worker: bool, **options: Any) -> None:
        use_site_url(os.environ, host=host, port=port)
        self.stdout.write(f"Kouiki: http://{host}:{port}/ （Ctrl-C で停止）")
        self.stdout.write(f"メール: {self._mail_destination()}（リンク先 {settings.SITE_URL}）")

        task_worker = TaskWorker(self.stderr) if worker else None

        def when_ready(arbiter: Arbiter) -> None:
            # The address is bound: the site will answer, so the worker may start.
            if task_worker is not None:
                task_worker.start()

        server = WebServer(
            {
                "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
                "workers": max(processes, 1),
                "worker_class": "sync",
                "preload_app": True,
                "accesslog": None,
                "loglevel": "info",
                "proc_name": "kouiki",
                "control_socket_disable": True,
            },
            when_ready,
        )
        # The web processes are forked from this one: none may inherit an open connection.
        connections.close_all()
        try:
            # gunicorn's master stops on SIGINT or SIGTERM and leaves by SystemExit.
            server.run()
        finally:
            if task_worker is not None:
                task_worker.stop()

    def _mail_destination(self) -> str:
        mailer: dict[str, Any] = settings.MAILERS["default"]
        backend: str = mailer.get("BACKEND", "django.core.mail.backends.smtp.EmailBackend")
        options: dict[str, Any] = mailer.get("OPTIONS", {})
        if backend == "django.core.mail.backends.filebased.EmailBackend":
            return f"{options.get('file_path')} にファイルとして保存します"
        if backend == "django.core.mail.backends.smtp.EmailBackend":
            return f"SMTP {options.get('host')}:{options.get('port')} へ送信します"
        return backend
