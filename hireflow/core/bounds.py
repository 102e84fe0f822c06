"""Bounded integers for ids and counts in paths, queries and request bodies.

No value reaches the database it cannot hold (SQLite refuses integers past 2**63,
PostgreSQL's ``integer`` columns past 2**31): a huge number is invalid input (422), never a
server error. Every route and schema uses these (a test checks that no integer parameter in
the API schema is unbounded); ``hireflow.web.deps`` offers them to routes beside the
request dependencies.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval

MAX_ID = 2**31 - 1
Id = Annotated[int, Interval(ge=1, le=MAX_ID)]
Count = Annotated[int, Interval(ge=0, le=MAX_ID)]
PageNumber = Annotated[int, Interval(ge=1, le=MAX_ID)]
