"""The small steps services share: a guarded claim of one row, an insert that finds the row a
concurrent run inserted first, "may act and may see it", and "audit what changed, commit"."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import IntegrityError

from hireflow.core import audit
from hireflow.core.audit import AuditEntry
from hireflow.core.db import add_or_find, changed_one
from hireflow.core.errors import Forbidden, NotFound
from hireflow.core.permissions import require_visible
from hireflow.core.rows import claim
from hireflow.org import service
from hireflow.org.auth import principal_for
from hireflow.org.models import Department, Tenant
from tests.conftest import make_org, unique


def _region(session, tenant_id: int) -> str:
    return session.scalar(select(Tenant.region).where(Tenant.id == tenant_id))


def test_a_guarded_update_claims_its_row_once(session):
    tenant = service.create_tenant(session, "Claimed", unique("claim"))
    claim = update(Tenant).where(Tenant.id == tenant.id, Tenant.region == "cn").values(region="eu")
    assert changed_one(session, claim)
    session.commit()
    assert not changed_one(session, claim), "the row moved on: a second claim finds nothing"
    assert _region(session, tenant.id) == "eu"


@pytest.mark.parametrize("cached", [True, False], ids=["in the session", "not loaded"])
def test_a_claimed_row_comes_back_as_the_update_left_it_with_one_select(session, cached):
    tenant = service.create_tenant(session, "Claimed row", unique("claimrow"))
    tenant_id = tenant.id
    session.commit()
    if not cached:
        session.expunge_all()
    else:
        assert tenant.region == "cn"  # loaded: the claim must not answer this stale value
    selects: list[str] = []
    engine = session.get_bind()

    def seen(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    move = update(Tenant).where(Tenant.id == tenant_id, Tenant.region == "cn").values(region="eu")
    event.listen(engine, "before_cursor_execute", seen)
    try:
        row = claim(session, move, Tenant, tenant_id)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert row is not None and row.id == tenant_id and row.region == "eu"
    assert len(selects) == 1, selects
    session.commit()
    assert claim(session, move, Tenant, tenant_id) is None, "claimed already: nothing to move"


def test_a_lost_claim_rolls_the_transaction_back_unless_told_not_to(session):
    tenant = service.create_tenant(session, "Lost", unique("lost"))
    lost = update(Tenant).where(Tenant.id == tenant.id, Tenant.region == "us").values(region="eu")
    session.execute(update(Tenant).where(Tenant.id == tenant.id).values(name="written first"))
    assert not changed_one(session, lost, rollback=False)
    assert session.scalar(select(Tenant.name).where(Tenant.id == tenant.id)) == "written first"
    assert not changed_one(session, lost)
    assert session.scalar(select(Tenant.name).where(Tenant.id == tenant.id)) == "Lost"


def test_an_insert_refused_as_a_duplicate_answers_the_row_already_there(session):
    slug = unique("dup")
    first = service.create_tenant(session, "First", slug)
    by_slug = select(Tenant).where(Tenant.slug == slug)
    row, created = add_or_find(
        session, Tenant(name="Second", slug=slug), lambda: session.scalars(by_slug).first()
    )
    assert (row.id, created) == (first.id, False)
    fresh, created = add_or_find(session, Tenant(name="Third", slug=unique("new")), lambda: None)
    assert created and fresh.id is not None and fresh.id != first.id


def test_a_conflict_the_finder_cannot_explain_is_raised(session):
    slug = unique("clash")
    service.create_tenant(session, "Taken", slug)
    with pytest.raises(IntegrityError):
        add_or_find(session, Tenant(name="Clash", slug=slug), lambda: None)
    assert session.scalar(select(func.count()).select_from(Tenant).where(Tenant.slug == slug)) == 1


def test_require_visible_refuses_the_role_then_the_reach(session, org):
    other = make_org(session)
    hr = principal_for(org.users["hr_admin"])
    mine, theirs = org.departments[0], other.departments[0]
    assert require_visible(session, Department, mine.id, hr, "org.manage").id == mine.id
    with pytest.raises(NotFound):  # another company's department: as if it did not exist
        require_visible(session, Department, theirs.id, hr, "org.manage")
    with pytest.raises(Forbidden):  # a role without the capability: refused outright
        require_visible(
            session, Department, mine.id, principal_for(org.users["employee"]), "org.manage"
        )


def _entries(session, target_id: int) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "tenant.renamed", AuditEntry.target_id == str(target_id)
            )
        )
    )


def test_commit_changed_audits_only_what_changed_and_nothing_when_nothing_did(session, org):
    hr = principal_for(org.users["hr_admin"])
    tenant = org.tenant
    before = {"name": tenant.name, "region": tenant.region}
    tenant.name = "Renamed"
    where = {"actor": hr, "target_type": "tenant", "target_id": tenant.id}
    after = {"name": "Renamed", "region": tenant.region}
    assert audit.commit_changed(session, "tenant.renamed", **where, before=before, after=after)
    session.expire_all()
    assert session.get(Tenant, tenant.id).name == "Renamed", "committed"
    [entry] = _entries(session, tenant.id)
    assert (entry.old_values, entry.new_values) == ({"name": before["name"]}, {"name": "Renamed"})
    assert not audit.commit_changed(session, "tenant.renamed", **where, before=after, after=after)
    assert len(_entries(session, tenant.id)) == 1


def test_commit_recorded_commits_the_change_with_its_audit_row(session, org):
    hr = principal_for(org.users["hr_admin"])
    tenant = org.tenant
    tenant.name = "Recorded"
    where = {"actor": hr, "target_type": "tenant", "target_id": tenant.id}
    audit.commit_recorded(session, "tenant.renamed", **where, new={"name": "Recorded"})
    session.rollback()  # nothing left to roll back: both are committed
    session.expire_all()
    assert session.get(Tenant, tenant.id).name == "Recorded"
    [entry] = _entries(session, tenant.id)
    assert (entry.actor_id, entry.new_values) == (hr.user_id, {"name": "Recorded"})
    assert entry.hash is not None, "chained like any audit row"
    with pytest.raises(TypeError):  # a misspelt column is refused, not dropped
        audit.commit_recorded(session, "tenant.renamed", **where, neww={})


def test_record_row_snapshots_the_named_fields_of_its_target(session, org):
    hr = principal_for(org.users["hr_admin"])
    tenant = org.tenant
    fields = {"name": "name", "area": "region", "long": lambda row: len(row.name) > 3}
    entry = audit.record_row(session, "tenant.renamed", hr, "tenant", tenant, fields)
    assert (entry.target_type, entry.target_id) == ("tenant", str(tenant.id))
    assert entry.new_values == {"name": tenant.name, "area": tenant.region, "long": True}
    assert list(entry.new_values) == ["name", "area", "long"], "in the order given"
    assert (entry.actor_id, entry.old_values) == (hr.user_id, None)
