"""Benchmark of a bulk 廃止取次一括登録 file (SW-W02, issue 14) on PostgreSQL, beside COPY.

Generates `--rows` low-voltage points of 新電力B (bench/switching_api.make_points), writes a CSV
file of one cancel-forward row each as 新電力A would upload it (the function's template: UTF-8 with
BOM, CRLF), then times, through the registered bulk function itself (kouiki.bulk.registry: what
the bulk mechanism's job calls, without HTTP and without the mechanism's own row bookkeeping):

1. parse: csvio.read_csv with the function's columns;
2. validate: the function's `validate` in batches of `--batch` rows, in one file context;
3. apply: the function's `apply` in batches, each batch in its own transaction (as the job runs
   them);

4. the whole file through the bulk mechanism, over as many other points: upload (kept, rows
   counted), the validation job (rows stored with their checks), 確定, the apply job (each batch
   and its rows' outcomes in one transaction) — what a user's file costs end to end, the
   mechanism's bookkeeping included (the jobs are run in this process, as the worker runs them);

and, in the same run on the same database, `COPY` of the same rows (the file's cells as text)
into a scratch table, the floor of writing that many rows. Prints rows/s for each and the ratio
to COPY, and the issue's targets (10,000 rows validated < 10 s, applied < 60 s; 100,000 applied
< 10 min). Prints figures, asserts nothing. See bench/README.md.

    createdb -h 127.0.0.1 -U postgres kouiki_bench_bulk
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kouiki_bench_bulk \\
      uv run python bench/bulk_cancel_forward.py [--rows 10000] [--batch 500]
    dropdb -h 127.0.0.1 -U postgres kouiki_bench_bulk
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import switching_api as base  # noqa: E402 - sets up Django
from django.db import connection, transaction  # noqa: E402

from kouiki.bulk import registry  # noqa: E402
from kouiki.bulk import services as bulk  # noqa: E402
from kouiki.bulk.registry import BulkContext  # noqa: E402
from kouiki.core.csvio import read_csv  # noqa: E402
from kouiki.identity.choices import participant_username  # noqa: E402
from kouiki.identity.models import User  # noqa: E402
from kouiki.switching.models import Switch  # noqa: E402

FUNCTION = "SW-W02"
SCRATCH = "bench_bulk_rows"
# The targets on this machine.
VALIDATE_TARGET = (10_000, 10.0)
APPLY_TARGETS = ((10_000, 60.0), (100_000, 600.0))


def build_file(numbers: list[str]) -> bytes:
    columns = registry.get(FUNCTION).columns
    lines = [",".join(column.label for column in columns)]
    for serial, number in enumerate(numbers, start=1):
        cells = {
            "update_flag": "1",
            "supply_point_number": number,
            "customer_name": base.CUSTOMER_NAME,
            "customer_name_kana": "コウイキ タロウ",
            "customer_address": base.CUSTOMER_ADDRESS,
            "contract_number": f"B-{number[-8:]}",
            "new_contact_name": "新電力 花子",
            "new_contact_phone": "03-1234-5678",
            "building_name": f"広域ビル{serial % 50}階" if serial % 3 == 0 else "",
        }
        lines.append(",".join(cells.get(column.name, "") for column in columns))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def timed(label: str, rows: int, seconds: float, floor: float | None = None) -> None:
    rate = rows / seconds if seconds else float("inf")
    ratio = f" · {rate / floor:6.1%} of COPY" if floor else ""
    print(f"{label:<34} {rows:>7} rows in {seconds:8.2f} s = {rate:10.1f} rows/s{ratio}")


def copy_rows(data: bytes) -> float:
    """COPY the file's rows (cells as text) into a scratch table; the seconds it took."""
    columns = registry.get(FUNCTION).columns
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {SCRATCH}")
        cursor.execute(
            f"CREATE TABLE {SCRATCH} (id bigserial PRIMARY KEY, "
            + ", ".join(f"{column.name} text" for column in columns)
            + ")"
        )
    text = data.decode("utf-8-sig").split("\r\n", 1)[1]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        names = ", ".join(column.name for column in columns)
        with cursor.copy(f"COPY {SCRATCH} ({names}) FROM STDIN WITH (FORMAT csv)") as copy:  # type: ignore[attr-defined]
            copy.write(text)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {SCRATCH}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000, help="cancel-forward rows (and points)")
    parser.add_argument("--batch", type=int, default=0, help="rows per batch (default: the function's)")
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile of apply")
    parser.add_argument(
        "--no-mechanism", action="store_true", help="skip the file through the bulk mechanism (step 4)"
    )
    args = parser.parse_args()

    if connection.vendor != "postgresql":
        raise SystemExit("DATABASE_URL must name a PostgreSQL database (see the docstring).")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    base.create_database_cache_table()
    function = registry.get(FUNCTION)
    batch = args.batch or function.batch_size
    print(f"database: {connection.settings_dict['NAME']} · {os.cpu_count()} CPUs · batches of {batch} rows")

    base.retailer("9101", "新電力A株式会社", base.TOKEN_A)
    b = base.retailer("9102", "新電力B株式会社", base.TOKEN_B)
    user = User.objects.get(username=participant_username("9101", "usr001"))
    started = time.perf_counter()
    numbers = base.make_points(b, args.rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"{args.rows} points generated in {time.perf_counter() - started:.1f} s")
    data = build_file(numbers)
    print(f"file: {len(data) / 1024 / 1024:.1f} MB")

    copy_seconds = copy_rows(data)
    floor = args.rows / copy_seconds

    started = time.perf_counter()
    parsed = read_csv(data, columns=function.columns)
    parse_seconds = time.perf_counter() - started
    rows = parsed.valid_rows
    assert not parsed.file_errors and len(rows) == args.rows, parsed.errors[:3]

    context = BulkContext()
    checks = []
    started = time.perf_counter()
    with registry.using_context(context):
        for start in range(0, len(rows), batch):
            checks.extend(function.validate(user, rows[start : start + batch]))
    validate_seconds = time.perf_counter() - started
    bad = [check for check in checks if check.errors]
    if bad:
        print(f"! {len(bad)} rows refused at validation, e.g. {bad[0].errors[0]}")

    pairs = [(check.line, check.payload) for check in checks if not check.errors]
    before = Switch.objects.count()
    profiler = cProfile.Profile() if args.profile else None
    failed = 0
    started = time.perf_counter()
    with registry.using_context(BulkContext(file_id=0)):
        for start in range(0, len(pairs), batch):
            if profiler:
                profiler.enable()
            with transaction.atomic():
                outcomes = function.apply(user, pairs[start : start + batch])
            if profiler:
                profiler.disable()
            failed += sum(1 for outcome in outcomes if outcome.error)
    apply_seconds = time.perf_counter() - started
    filed = Switch.objects.count() - before

    mechanism: tuple[float, float, int] | None = None
    if not args.no_mechanism:
        mechanism = through_mechanism(user, build_file(base.make_points(b, args.rows)))

    print()
    timed("COPY into a scratch table", args.rows, copy_seconds)
    timed("parse (csvio.read_csv)", args.rows, parse_seconds, floor)
    timed("validate (SW-W02 validate)", len(rows), validate_seconds, floor)
    timed("apply (SW-W02 apply)", len(pairs), apply_seconds, floor)
    print(f"switches filed: {filed}, rows refused at apply: {failed}")
    if mechanism is not None:
        checked_seconds, applied_seconds, done = mechanism
        timed("file: upload + validation job", args.rows, checked_seconds, floor)
        timed("file: 確定 + apply job", done, applied_seconds, floor)
    rows_count, target = VALIDATE_TARGET
    print(
        f"target: {rows_count} rows validated in < {target:.0f} s → "
        f"{rows_count * (parse_seconds + validate_seconds) / max(len(rows), 1):.1f} s at this rate"
    )
    for rows_count, target in APPLY_TARGETS:
        print(
            f"target: {rows_count} rows applied in < {target:.0f} s → "
            f"{rows_count * apply_seconds / max(len(pairs), 1):.1f} s at this rate"
        )
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(
            30
        )
        print(out.getvalue())


def through_mechanism(user: User, data: bytes) -> tuple[float, float, int]:
    """The file as a user's: upload and the validation job, then 確定 and the apply job (run here,
    as the worker runs them). The seconds of each, and the rows filed."""
    started = time.perf_counter()
    file = bulk.upload(actor=user, function_id=FUNCTION, name="bench.csv", data=data)
    while file.state == "validating":  # more rows than KOUIKI_BULK_SYNC_ROWS: the job checks them
        bulk.run(file.pk)
        file.refresh_from_db()
    checked = time.perf_counter() - started
    if file.bad_rows:
        print(f"! {file.bad_rows} rows refused at validation through the mechanism")
    started = time.perf_counter()
    bulk.confirm(actor=user, file=file)
    bulk.run(file.pk)
    applied = time.perf_counter() - started
    file.refresh_from_db()
    if file.state != "done":
        print(f"! the file ended {file.state}")
    return checked, applied, file.done_rows


if __name__ == "__main__":
    main()
