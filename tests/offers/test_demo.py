"""The demo company gets an offer template and an offer waiting for its hiring manager."""

from sqlalchemy import select

from hireflow.demo import create_demo
from hireflow.offers import queries
from hireflow.offers.demo import add_demo
from hireflow.offers.models import Offer, OfferTemplate
from hireflow.org.auth import principal_for
from hireflow.org.models import User


def test_add_demo_makes_one_offer_waiting_for_the_manager_once(session):
    tenant, _accounts, _created = create_demo(session)
    add_demo(session, tenant)
    offers = session.scalars(select(Offer).where(Offer.tenant_id == tenant.id)).all()
    # The self-service demo hires its employee through an accepted offer of its own.
    assert sorted(o.status for o in offers) == ["accepted", "pending_approval"]
    manager = session.scalars(select(User).where(User.email == "manager@huaxing.example")).one()
    rows = queries.offer_list(session, principal_for(manager))
    assert [r.waiting_for for r in rows if r.waiting_for] == ["hiring_manager"]
    add_demo(session, tenant)
    assert (
        len(
            session.scalars(select(OfferTemplate).where(OfferTemplate.tenant_id == tenant.id)).all()
        )
        == 1
    )
