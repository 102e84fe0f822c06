"""Run the server or worker with SQLite write transactions that start with BEGIN IMMEDIATE.

An experiment for ``bench/interviews_load.py --sqlite-immediate``, not a product setting: it
measures the fix proposed for the platform's SQLite engine. In WAL mode a transaction that
read first and then writes gets ``SQLITE_BUSY_SNAPSHOT`` ("database is locked") at once when
another connection committed meanwhile; the busy timeout does not apply. Taking the write
lock when the transaction begins makes such transactions wait their turn instead.

Usage: ``python bench/interviews_sqlite_immediate.py serve --port N`` (arguments as for
``hireflow``), or ``... worker-celery <celery worker arguments>``.
"""

from __future__ import annotations

import sys

from sqlalchemy import event

import hireflow.core.db as db


def immediate(engine):
    """Every transaction of ``engine`` starts by taking SQLite's write lock (waiting for it)."""
    begin = getattr(db, "_sqlite_begin", None)
    if begin is not None and event.contains(engine, "begin", begin):
        event.remove(engine, "begin", begin)  # the engine already emits its own BEGIN
    else:

        @event.listens_for(engine, "connect", insert=True)
        def _no_driver_begin(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@classmethod  # type: ignore[misc]
def from_url(cls, url: str):
    engine = db.make_engine(url)
    return cls(immediate(engine) if url.startswith("sqlite") else engine)


# Only the application's database (not the migrations' own connection) is changed.
db.Database.from_url = from_url  # type: ignore[method-assign]

if __name__ == "__main__":
    if sys.argv[1] == "worker-celery":
        from celery.__main__ import main as celery_main

        sys.argv = ["celery", *sys.argv[2:]]
        celery_main()
    else:
        from hireflow.cli import main

        sys.argv = ["hireflow", *sys.argv[1:]]
        main()
