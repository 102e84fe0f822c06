"""What benches set up before they measure: a fresh database and a company in it.

Hireflow is imported only inside the functions: ``fresh_database`` sets the data directory
before the settings are first read.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

BENCH_PASSWORD = "Bench-password-1"


def fresh_database(prefix: str, url: str = "") -> tuple[Path, Any]:
    """A new temporary directory holding the data directory and (unless ``url`` names another
    database) an SQLite database, migrated to head and set as the application's database."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["HIREFLOW_DATA_DIR"] = str(root / "data")
    os.environ.setdefault("HIREFLOW_LOG_LEVEL", "WARNING")
    url = url or f"sqlite:///{root / 'bench.db'}"

    import hireflow.models  # noqa: F401  (every table, before the first query)
    from hireflow.core.db import Database, make_engine, set_database
    from hireflow.core.migrate import upgrade

    upgrade(url)
    database = Database(make_engine(url))
    set_database(database)
    return root, database


def add_department(
    session: Any,
    tenant_id: int,
    subsidiary: str = "Sub",
    department: str = "Dept",
    **subsidiary_fields: Any,
) -> Any:
    """A subsidiary of the tenant and one department in it (flushed)."""
    from hireflow.org.models import Department, Subsidiary

    sub = Subsidiary(tenant_id=tenant_id, name=subsidiary, **subsidiary_fields)
    session.add(sub)
    session.flush()
    dept = Department(tenant_id=tenant_id, subsidiary_id=sub.id, name=department)
    session.add(dept)
    session.flush()
    return dept


def add_opening(session: Any, dept: Any, title: str = "Engineer", **fields: Any) -> Any:
    """An open opening of the department (flushed)."""
    from hireflow.openings.models import Opening

    opening = Opening(
        tenant_id=dept.tenant_id,
        subsidiary_id=dept.subsidiary_id,
        department_id=dept.id,
        title=title,
        status="open",
        **fields,
    )
    session.add(opening)
    session.flush()
    return opening


def add_hr_admin(session: Any, tenant_id: int, **user_fields: Any) -> Any:
    """The company's HR administrator, hr@bench.example with ``BENCH_PASSWORD``."""
    from hireflow.core.permissions import Role
    from hireflow.org import schemas
    from hireflow.org import service as org_service

    return org_service.create_user(
        session,
        None,
        schemas.UserCreate(
            email="hr@bench.example",
            name="HR",
            password=BENCH_PASSWORD,
            roles=[schemas.RoleGrantIn(role=Role.HR_ADMIN)],
            **user_fields,
        ),
        tenant_id=tenant_id,
        send_welcome=False,
    )
