"""`manage.py serve`: the demo on one machine — uvicorn and a task worker, in the foreground.

There is no nginx in the demo, so the ASGI application is wrapped in Django's static file handler
(which serves from the app directories even with DEBUG off). The worker is a `manage.py worker`
subprocess in its own process group: Ctrl-C reaches this process only, which stops the web server
and then sends the worker one SIGTERM, so it finishes the mail in hand. If either of the two dies,
the other is stopped and the command exits non-zero. Without `KOUIKI_SITE_URL`, the links in mails
point at the host and port served (`PORT=8101 make run` mails links to :8101).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from argparse import ArgumentParser
from collections.abc import MutableMapping
from types import FrameType
from typing import Any

import uvicorn
from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.asgi import get_asgi_application
from django.core.management.base import BaseCommand, CommandError

WORKER_STOP_SECONDS = 30
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


class Command(BaseCommand):
    help = "Serve the site with uvicorn (static files included) and run a task worker beside it."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_false", dest="worker", help="serve only")

    def handle(self, *, host: str, port: int, worker: bool, **options: Any) -> None:
        use_site_url(os.environ, host=host, port=port)
        server = uvicorn.Server(
            uvicorn.Config(
                ASGIStaticFilesHandler(get_asgi_application()),  # type: ignore[arg-type]
                host=host,
                port=port,
                lifespan="off",
                log_level="info",
            )
        )

        # uvicorn re-raises the signal it caught once it has stopped: let that land here rather
        # than kill this process before it has stopped the worker.
        def stop_server(signum: int, frame: FrameType | None) -> None:
            server.should_exit = True

        signal.signal(signal.SIGINT, stop_server)
        signal.signal(signal.SIGTERM, stop_server)

        self.stdout.write(f"Kouiki: http://{host}:{port}/ （Ctrl-C で停止）")
        self.stdout.write(f"メール: {self._mail_destination()}（リンク先 {settings.SITE_URL}）")

        process = self._start_worker() if worker else None
        worker_died = threading.Event()
        stopping = threading.Event()
        if process is not None:

            def watch_worker() -> None:
                process.wait()
                if not stopping.is_set():
                    worker_died.set()
                    server.should_exit = True

            threading.Thread(target=watch_worker, name="watch-worker", daemon=True).start()

        try:
            server.run()
        finally:
            stopping.set()
            if process is not None:
                self._stop_worker(process)
        if worker_died.is_set():
            raise CommandError(
                f"タスクワーカーが終了しました（終了コード {process.returncode if process else '?'}）。"
            )

    def _mail_destination(self) -> str:
        mailer: dict[str, Any] = settings.MAILERS["default"]
        backend: str = mailer.get("BACKEND", "django.core.mail.backends.smtp.EmailBackend")
        options: dict[str, Any] = mailer.get("OPTIONS", {})
        if backend == "django.core.mail.backends.filebased.EmailBackend":
            return f"{options.get('file_path')} にファイルとして保存します"
        if backend == "django.core.mail.backends.smtp.EmailBackend":
            return f"SMTP {options.get('host')}:{options.get('port')} へ送信します"
        return backend

    def _start_worker(self) -> subprocess.Popen[bytes]:
        manage = str(settings.BASE_DIR / "manage.py")
        # Its own process group: a Ctrl-C in the terminal goes to this process, not to the worker.
        return subprocess.Popen([sys.executable, manage, "worker"], process_group=0)  # noqa: S603

    def _stop_worker(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=WORKER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
