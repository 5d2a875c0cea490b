"""At most one switching in progress per supply point, also under concurrent registrations: the
partial unique constraint decides, on SQLite and on PostgreSQL (run with DATABASE_URL).

On SQLite the test database lives in memory with a shared cache, whose table locks fail at once
instead of waiting: the race runs on a file copy of it instead, with the project's own SQLite
options (WAL, IMMEDIATE transactions, a busy timeout), as a deployment on SQLite runs."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from kouiki.core.errors import KouikiError
from kouiki.switching.models import Application, Switch
from kouiki.switching.services import switches
from kouiki.switching.services.switches import SwitchInProgress
from tests.switching.conftest import CUSTOMER_ADDRESS, CUSTOMER_NAME, make_point, make_retailer


def _race(*acts: Callable[[], Any]) -> list[Any]:
    """Run the acts at the same moment in threads, each on its own connection; each result is the
    return value or the domain error."""
    barrier = threading.Barrier(len(acts))
    results: list[Any] = [None] * len(acts)

    def run(index: int, act: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = act()
        except KouikiError as error:
            results[index] = error
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, act)) for i, act in enumerate(acts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def race_database(
    transactional_db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[], None]]:
    """Call it once the test's data is written: on SQLite, the threads then use a file copy."""

    keeper: list[sqlite3.Connection] = []

    def prepare() -> None:
        if connection.vendor != "sqlite":
            return
        path = tmp_path / "race.sqlite3"
        target = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        # While NAME points at the file, Django's close() really closes connections: keep one open
        # on the shared in-memory test database so that it outlives the race.
        keeper.append(sqlite3.connect(connection.settings_dict["NAME"], uri=True))
        monkeypatch.setitem(connections.settings["default"], "NAME", str(path))

    yield prepare
    if keeper:
        monkeypatch.undo()
        raw = connection.connection
        if raw is not None and raw.execute("PRAGMA database_list").fetchone()[2]:
            # The main connection was reopened on the file copy: back to the in-memory database.
            BaseDatabaseWrapper.close(connection)
        keeper[0].close()


def _count(model: type[Any]) -> int:
    name = connections.settings["default"]["NAME"]
    if connection.vendor == "sqlite" and Path(str(name)).exists():
        with sqlite3.connect(name) as raw:
            return int(raw.execute(f"SELECT COUNT(*) FROM {model._meta.db_table}").fetchone()[0])
    return int(model.objects.count())


def test_concurrent_cancel_forwards_for_one_point_accept_exactly_one(
    race_database: Callable[[], None],
) -> None:
    current = make_retailer("9102", "新電力B株式会社")
    point = make_point(current.organization, 1)
    newcomers = [make_retailer(f"91{10 + i:02d}", f"新電力{i}株式会社") for i in range(4)]

    def register(user: Any) -> Callable[[], Application]:
        return lambda: switches.register_cancel_forward(
            actor=user,
            supply_point_number=point,
            customer_name=CUSTOMER_NAME,
            customer_address=CUSTOMER_ADDRESS,
            contract_number="B-0001",
        )

    users = [retailer.user for retailer in newcomers]
    race_database()
    results = _race(*[register(user) for user in users])

    accepted = [r for r in results if isinstance(r, Application)]
    refused = [r for r in results if isinstance(r, SwitchInProgress)]
    assert (len(accepted), len(refused)) == (1, len(newcomers) - 1), results
    assert all(error.switch_number == accepted[0].switch.number for error in refused)
    assert _count(Switch) == 1 and _count(Application) == 1
