"""The floor: a minimal Django + django-ninja project that `bench/against_floor.py` serves beside Kouiki.

It is what no request of ours can beat on the same machine, server and database: no middleware,
the psycopg pool, one table, one read by primary key (`GET /rows/{id}`) and one insert (`POST
/rows`). Its own table in the benchmark's database; its settings are `floor.settings` with
`bench/` on the Python path. The names below are shared with the benchmark script, which does not
load these settings (it runs under Kouiki's).
"""

TABLE = "bench_floor_row"
KEY_LENGTH = 22  # like a supply point number
SEEDED = "R"  # the seeded rows' keys: R000…001, R000…002, …


def row_id(serial: int) -> str:
    """The key of the `serial`-th seeded row."""
    return SEEDED + str(serial).zfill(KEY_LENGTH - len(SEEDED))
