"""An empty slot list says why and what would work, to HR and to the candidate."""

from __future__ import annotations

import re

from hireflow.org.auth import principal_for
from hireflow.scheduling import messages, schemas
from hireflow.scheduling.availability import add_busy, save_availability
from hireflow.scheduling.policies import policy_for
from hireflow.scheduling.slot_search import explain_no_slots, offered_slots
from tests.conftest import login
from tests.scheduling.factories import extra_interviewer, make_candidate, make_opening, send


def _hours(session, org, user, zone: str) -> None:
    save_availability(
        session,
        principal_for(org.users["hr_admin"]),
        user.id,
        schemas.AvailabilityIn(
            timezone=zone,
            working_hours=[{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(5)],
        ),
    )


def _three_zone_panel(session, db, settings, org):
    """Berlin and New York interview together a candidate in Shanghai: Berlin and New York
    overlap 14:00-17:00 UTC, which is 22:00-01:00 in Shanghai, outside 08:00-21:00."""
    berlin = org.users["interviewer"]
    new_york = extra_interviewer(session, org, timezone="America/New_York")
    _hours(session, org, berlin, "Europe/Berlin")
    _hours(session, org, new_york, "America/New_York")
    opening = make_opening(session, org, interviewers=[berlin, new_york])
    candidate = make_candidate(session, org, opening, timezone="Asia/Shanghai", id_number="X1234")
    session.commit()
    (inv,) = send(
        session,
        db,
        settings,
        opening,
        [candidate],
        interviewer_ids=[berlin.id, new_york.id],
        panel=True,
        duration_minutes=60,
    )
    return inv, berlin, new_york


def test_a_panel_across_three_zones_is_told_why_and_what_would_work(session, db, settings, org):
    inv, berlin, new_york = _three_zone_panel(session, db, settings, org)
    assert offered_slots(session, inv) == []
    found = explain_no_slots(session, inv)
    (reason,) = found.reasons
    assert reason.code == "hours_do_not_overlap"
    assert (reason.params["start"], reason.params["end"]) == ("08:00", "21:00")
    assert set(reason.params["names"]) == {berlin.name, new_york.name}
    assert reason.params["zone"] == "Asia/Shanghai"
    codes = {s.code: s for s in found.suggestions}
    # without New York, Berlin's afternoon is Shanghai's evening: times exist
    dropped = [s for s in found.suggestions if s.code == "drop_interviewer"]
    assert new_york.name in {s.params["name"] for s in dropped}
    assert all(s.params["slots"] > 0 for s in found.suggestions)
    assert "any_interviewer" in codes
    # 06:00-23:00 in Shanghai reaches 14:00-15:00 UTC, when both are working
    assert codes["widen_hours"].params["slots"] > 0
    # another week does not help a question of hours
    assert "another_week" not in codes


def test_fully_booked_and_another_week(session, db, settings, org):
    """Hours that meet, but a calendar full for the whole horizon: "another week" helps."""
    from datetime import timedelta

    from hireflow.core.db import utcnow

    inv, berlin, _new_york = _three_zone_panel(session, db, settings, org)
    inv.panel = False
    inv.interviewer_ids = [berlin.id]
    session.commit()
    policy = policy_for(session, inv.tenant_id)
    now = utcnow()
    add_busy(
        session,
        principal_for(org.users["hr_admin"]),
        berlin.id,
        schemas.BusyIn(
            start=now, end=now + timedelta(days=policy.horizon_days + 1), label="conference"
        ),
    )
    assert offered_slots(session, inv) == []
    found = explain_no_slots(session, inv)
    assert [r.code for r in found.reasons] == ["fully_booked"]
    assert [s.code for s in found.suggestions] == ["another_week"]
    assert found.suggestions[0].params["days"] == policy.horizon_days + 7


def test_hr_and_the_candidate_read_it_on_their_pages(client, session, db, settings, org):
    inv, berlin, new_york = _three_zone_panel(session, db, settings, org)
    login(client, org.users["hr_admin"])
    page = client.get(f"/scheduling/invitations/{inv.id}").text
    why = page.split('id="no-slots-why"', 1)[1].split("</section>", 1)[0]
    assert "08:00–21:00" in why and "Asia/Shanghai" in why
    assert berlin.name in why and new_york.name in why
    assert 'data-suggestion="drop_interviewer"' in why and 'data-suggestion="widen_hours"' in why
    api = client.get(f"/api/v1/invitations/{inv.id}/slots").json()
    assert api["slots"] == [] and api["no_slots"]["reasons"][0]["code"] == "hours_do_not_overlap"

    # the candidate: why, what would work, the availability form open; no interviewer names
    token = messages.link_token(settings, inv, policy_for(session, inv.tenant_id))
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    page = client.get(f"/i/{token}")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    client.post(f"/i/{token}/verify", data={"csrf_token": csrf, "answer": "1234"})
    page = client.get(f"/i/{token}").text
    mine = page.split('id="no-slots"', 1)[1].split('id="availability"', 1)[0]
    assert "08:00–21:00" in mine and "Asia/Shanghai" in mine
    assert "06:00" in mine and "23:00" in mine
    assert berlin.name not in mine and new_york.name not in mine
    assert re.search(r'id="availability"\s+open', page)
    access = client.cookies.get(f"hf_link_{inv.id}")
    api = client.get(f"/api/v1/links/{token}/slots", headers={"X-Link-Access": access}).json()
    assert api["no_slots"]["reasons"][0]["code"] == "hours_do_not_overlap"
    assert "names" not in api["no_slots"]["reasons"][0]
    assert {s["code"] for s in api["no_slots"]["suggestions"]} == {"widen_hours"}
