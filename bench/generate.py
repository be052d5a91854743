"""A realistic force-year in PostgreSQL, loaded in bulk: its staff, its crimes with
their victims, updates and Victims' Code entitlements, and the incidents behind them (one
per crime, and a quarter as many again with no crime recorded).

    .venv/bin/python -m bench.generate --database-url URL --crimes N [--seed S]

The database is emptied and migrated with the app's own migrations; then the keys,
indexes and foreign keys of the tables loaded are dropped, every table is streamed in
with COPY (one connection per table, the rows made chunk by chunk of crimes by
`bench.force`), and the keys, indexes and foreign keys are made again exactly as the
migrations defined them. The same seed and `now` give the same rows.
"""

import argparse
import queue
import random
import sys
import threading
import time
from datetime import UTC, datetime

import psycopg
import sqlalchemy as sa

from bench.force import COLUMNS, CRIME_TABLES, Force

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/trackmycrime_bench"
PASSWORD = "bench-password"  # noqa: S105  (every generated victim account's password)
CHUNK = 10_000  # crimes made and sent at a time
MIN_CRIMES = 10
QUEUED_CHUNKS = 2  # per table: bounds the memory held while a table's COPY catches up
STAFF_TABLES = ("team", "staff_member", "staff_role")


class GenerateError(ValueError):
    """The database URL or the size cannot be used."""


def generate(
    database_url: str, crimes: int = 1_000_000, seed: int = 7, now: datetime | None = None, echo=print
) -> dict:
    """Drop and recreate the database schema (DROP SCHEMA public CASCADE; CREATE SCHEMA
    public; then the app's own Alembic migrations), load the data, rebuild indexes,
    ANALYZE/VACUUM. Returns the rows per table ("rows"), the seconds each table took to
    load and index ("seconds") and the whole run's ("total_seconds"). Raises
    GenerateError for a database that is not PostgreSQL or fewer than 10 crimes."""
    try:
        url = sa.make_url(database_url)
    except sa.exc.ArgumentError as error:
        raise GenerateError(f"This is not a database URL: {database_url!r}.") from error
    if url.get_backend_name() != "postgresql":
        raise GenerateError("The benchmark data goes into PostgreSQL: give a postgresql+psycopg:// URL.")
    if crimes < MIN_CRIMES:
        raise GenerateError(f"Generate at least {MIN_CRIMES} crimes.")
    if now is not None and now.tzinfo is None:
        raise GenerateError("now must be a timezone-aware time.")
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    started = time.monotonic()
    _fresh_database(url)
    _migrate(url)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)

    force = Force(crimes, seed, now, _password_hash(seed))
    seconds: dict[str, float] = {}
    with psycopg.connect(conninfo, autocommit=True) as conn:
        schema = _Schema.read(conn, tuple(COLUMNS))
        schema.drop(conn)
    prepared = time.monotonic() - started
    _load(conninfo, force, crimes, seconds, echo)
    loaded = time.monotonic()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET max_parallel_maintenance_workers = 2")
        schema.restore(conn, seconds)
        rows = force.counts()
        _set_sequences(conn, rows)
        for table in COLUMNS:
            began = time.monotonic()
            conn.execute(f'VACUUM (ANALYZE) "{table}"')
            seconds[table] = seconds.get(table, 0) + time.monotonic() - began
        if _Schema.read(conn, tuple(COLUMNS)).definitions() != schema.definitions():
            raise RuntimeError("The keys, indexes or foreign keys differ from the migrations' after loading.")
    total = time.monotonic() - started
    for table in COLUMNS:
        echo(f"{table:<22} {rows[table]:>12,} rows {seconds.get(table, 0):>8.1f} s")
    echo(
        f"{'total':<22} {sum(rows.values()):>12,} rows {total:>8.1f} s "
        f"(schema {prepared:.1f} s, load {loaded - started - prepared:.1f} s, keys and indexes {time.monotonic() - loaded:.1f} s)"
    )
    return {
        "rows": rows,
        "seconds": {t: round(seconds.get(t, 0), 2) for t in COLUMNS},
        "total_seconds": round(total, 2),
    }


def _password_hash(seed: int) -> str:
    """The one hash every victim account shares: argon2id with the service's own
    parameters, salted from the seed so that the same seed gives the same rows."""
    from argon2 import PasswordHasher

    from shared.services.passwords import verify_password

    salt = random.Random(seed).randbytes(16)  # noqa: S311  (repeatable benchmark data)
    hashed = PasswordHasher().hash(PASSWORD, salt=salt)
    if not verify_password(hashed, PASSWORD):
        raise RuntimeError("the service does not accept the generated password hash")
    return hashed


# ------------------------------------------------------------------------ database


def _fresh_database(url: sa.URL) -> None:
    """Create the database if needed and give it an empty public schema."""
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database})
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    finally:
        admin.dispose()
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def _migrate(url: sa.URL) -> None:
    from flask_migrate import upgrade

    from shared.extensions import db
    from shared.factory import create_app

    app = create_app(
        {
            "APP_ENV": "testing",
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
        }
    )
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()


class _Schema:
    """The keys, indexes and foreign keys touching the loaded tables, as the migrations
    made them, so that they can be dropped for the load and made again the same."""

    def __init__(self, foreign: list, keys: list, indexes: list):
        self.foreign, self.keys, self.indexes = foreign, keys, indexes

    @classmethod
    def read(cls, conn, tables: tuple[str, ...]) -> "_Schema":
        constraints = conn.execute(
            """
            SELECT c.conname, c.conrelid::regclass::text, c.contype, pg_get_constraintdef(c.oid),
                   c.conrelid::regclass::text = ANY(%(t)s) OR c.confrelid::regclass::text = ANY(%(t)s)
            FROM pg_constraint c
            WHERE c.connamespace = 'public'::regnamespace AND c.contype IN ('f', 'p', 'u', 'x')
            ORDER BY c.conname
            """,
            {"t": list(tables)},
        ).fetchall()
        foreign = [
            (name, table, definition)
            for name, table, kind, definition, touches in constraints
            if kind == "f" and touches
        ]
        keys = [
            (name, table, definition)
            for name, table, kind, definition, _ in constraints
            if kind != "f" and table in tables
        ]
        owned = {name for name, *_ in constraints}
        indexes = conn.execute(
            """
            SELECT indexname, tablename, indexdef FROM pg_indexes
            WHERE schemaname = 'public' AND tablename = ANY(%(t)s) ORDER BY indexname
            """,
            {"t": list(tables)},
        ).fetchall()
        return cls(
            foreign,
            keys,
            [(name, table, definition) for name, table, definition in indexes if name not in owned],
        )

    def definitions(self) -> tuple:
        return (sorted(self.foreign), sorted(self.keys), sorted(self.indexes))

    def drop(self, conn) -> None:
        with conn.transaction():
            for name, table, _ in self.foreign:
                conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, table, _ in self.keys:
                conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _, _ in self.indexes:
                conn.execute(f'DROP INDEX "{name}"')

    def restore(self, conn, seconds: dict[str, float]) -> None:
        """Keys first (the foreign keys need them), then indexes, then foreign keys."""
        for name, table, definition in self.keys:
            began = time.monotonic()
            conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            seconds[table] = seconds.get(table, 0) + time.monotonic() - began
        for _, table, definition in self.indexes:
            began = time.monotonic()
            conn.execute(definition)
            seconds[table] = seconds.get(table, 0) + time.monotonic() - began
        for name, table, definition in self.foreign:
            began = time.monotonic()
            conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            seconds[table] = seconds.get(table, 0) + time.monotonic() - began


def _set_sequences(conn, rows: dict[str, int]) -> None:
    """Each id sequence carries on after the last id loaded."""
    for table in COLUMNS:
        if "id" not in COLUMNS[table]:
            continue
        sequence = conn.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table,)).fetchone()[0]
        if sequence is None:
            continue
        last = conn.execute(f'SELECT max(id) FROM "{table}"').fetchone()[0]
        if last is None:
            conn.execute("SELECT setval(%s, 1, false)", (sequence,))
        else:
            conn.execute("SELECT setval(%s, %s, true)", (sequence, last))


# -------------------------------------------------------------------------- loading

_DONE = object()
_ABORT = object()


class _Writer(threading.Thread):
    """Streams one table into the database with COPY, on its own connection, from the
    chunks queued for it. The table is emptied in the same transaction, so COPY can
    write the rows frozen and VACUUM has next to nothing to do."""

    def __init__(self, conninfo: str, table: str):
        super().__init__(name=f"copy-{table}", daemon=True)
        self.conninfo, self.table = conninfo, table
        self.chunks: queue.Queue = queue.Queue(QUEUED_CHUNKS)
        self.error: BaseException | None = None
        self.busy = 0.0

    def run(self) -> None:
        columns = ", ".join(f'"{c}"' for c in COLUMNS[self.table])
        try:
            with psycopg.connect(self.conninfo) as conn:
                conn.execute("SET synchronous_commit = off")
                # Triggers that guard history (no truncation, no change) do not fire for a load.
                conn.execute("SET session_replication_role = replica")
                conn.execute(f'TRUNCATE "{self.table}"')
                with (
                    conn.cursor() as cur,
                    cur.copy(f'COPY "{self.table}" ({columns}) FROM STDIN (FREEZE)') as copy,
                ):
                    while True:
                        chunk = self.chunks.get()
                        if chunk is _DONE:
                            break
                        if chunk is _ABORT:
                            raise RuntimeError("stopped")
                        began = time.monotonic()
                        copy.write(chunk)
                        self.busy += time.monotonic() - began
                began = time.monotonic()
                conn.commit()
                self.busy += time.monotonic() - began
        except BaseException as error:  # noqa: BLE001  (handed to the main thread)
            self.error = error
            while True:  # let the main thread finish putting without blocking
                try:
                    self.chunks.get_nowait()
                except queue.Empty:
                    break

    def put(self, chunk) -> None:
        while True:
            if self.error is not None:
                raise RuntimeError(f"loading {self.table} failed: {self.error}") from self.error
            try:
                self.chunks.put(chunk, timeout=0.5)
                return
            except queue.Full:
                continue


def _load(conninfo: str, force: Force, crimes: int, seconds: dict[str, float], echo) -> None:
    writers = {table: _Writer(conninfo, table) for table in COLUMNS}
    for writer in writers.values():
        writer.start()
    began = time.monotonic()
    try:
        for table, text in force.staff_tables().items():
            writers[table].put(text.encode())
            writers[table].put(_DONE)
        reported = 0
        for index, first in enumerate(range(0, crimes, CHUNK)):
            chunk = force.chunk(index, first, min(CHUNK, crimes - first))
            for table in CRIME_TABLES:
                writers[table].put(chunk[table].encode())
            done = first + min(CHUNK, crimes - first)
            if crimes >= 5 * CHUNK and done * 5 // crimes > reported:
                reported = done * 5 // crimes
                echo(f"  {done:,} crimes made ({time.monotonic() - began:.0f} s)")
        for table in CRIME_TABLES:
            writers[table].put(_DONE)
    except BaseException:
        for writer in writers.values():
            if writer.is_alive():
                try:
                    writer.chunks.put(_ABORT, timeout=1)
                except queue.Full:
                    pass
        raise
    for writer in writers.values():
        writer.join()
    failed = [w for w in writers.values() if w.error is not None]
    if failed:
        raise RuntimeError(f"loading {failed[0].table} failed: {failed[0].error}") from failed[0].error
    for table, writer in writers.items():
        seconds[table] = writer.busy


# ------------------------------------------------------------------------------ CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description="Load a realistic force-year into PostgreSQL."
    )
    parser.add_argument(
        "--database-url", default=DEFAULT_URL, help=f"SQLAlchemy URL of the database (default {DEFAULT_URL})"
    )
    parser.add_argument(
        "--crimes", type=int, default=1_000_000, help="crimes recorded in the year (default 1,000,000)"
    )
    parser.add_argument("--seed", type=int, default=7, help="the same seed gives the same data (default 7)")
    args = parser.parse_args(argv)
    try:
        generate(args.database_url, crimes=args.crimes, seed=args.seed)
    except GenerateError as error:
        print(f"bench.generate: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
