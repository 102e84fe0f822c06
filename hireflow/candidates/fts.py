"""The SQLite side of the talent-pool full-text index: an FTS5 table Alembic must not drop.

On SQLite the words of each candidate are indexed by an FTS5 virtual table ``candidate_fts``
(rowid = candidate id, columns ``document`` and ``body``) that keeps its own copy of the text,
so ``candidate_search`` stays narrow (ids, filters, dates): a pool query reads only small
rows until the page of 20 is known. ``hireflow.candidates.search.store_document`` writes the
FTS row next to the pool row; a trigger removes it when the pool row goes, including when a
candidate is deleted and the pool row cascades. PostgreSQL needs none of this: its
``tsvector`` columns and GIN indexes are ordinary schema.

A virtual table and its shadow tables (``candidate_fts_data``, ``_idx``, ``_content``,
``_docsize``, ``_config``) are not SQLAlchemy tables, so Alembic's autogenerate would propose
dropping them; :func:`_keep_fts_tables` is registered with Alembic's comparators to leave them
out of every comparison (the migration creates them, the model does not describe them).
"""

# ruff: noqa: S608 - the statements below are fixed DDL; no input reaches them
from __future__ import annotations

from typing import Any

from alembic.autogenerate.compare import comparators
from alembic.operations import ops
from alembic.util import DispatchPriority, PriorityDispatchResult

FTS_TABLE = "candidate_fts"

# unicode61 splits on everything but letters and digits; documents are already segmented
# into words separated by spaces, so each jieba word becomes one FTS token.
CREATE_STATEMENTS = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "document, body, tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER IF NOT EXISTS candidate_search_ad AFTER DELETE ON candidate_search BEGIN "
    f"DELETE FROM {FTS_TABLE} WHERE rowid = old.candidate_id; END",
)
DROP_STATEMENTS = (
    "DROP TRIGGER IF EXISTS candidate_search_ad",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)
DELETE_ROW = f"DELETE FROM {FTS_TABLE} WHERE rowid = :candidate_id"
INSERT_ROW = (
    f"INSERT INTO {FTS_TABLE} (rowid, document, body) VALUES (:candidate_id, :document, :body)"
)


def is_fts_table(name: str | None) -> bool:
    return bool(name) and (name == FTS_TABLE or str(name).startswith(FTS_TABLE + "_"))


@comparators.dispatch_for("schema", qualifier="sqlite", priority=DispatchPriority.LAST)
def _keep_fts_tables(
    autogen_context: Any, upgrade_ops: ops.UpgradeOps, schemas: Any
) -> PriorityDispatchResult:
    """Drop Alembic's proposals to remove the FTS5 table and its shadow tables."""
    upgrade_ops.ops[:] = [
        op
        for op in upgrade_ops.ops
        if not (isinstance(op, ops.DropTableOp) and is_fts_table(op.table_name))
    ]
    return PriorityDispatchResult.CONTINUE
