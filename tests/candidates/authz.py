"""How the authorization sweep reaches the candidates domain's routes with another tenant's
objects (candidates and openings come from the sweep's own world)."""

from __future__ import annotations

from hireflow.candidates.models import Candidate, CandidateMerge, SavedSearch


def foreign_params(session, org) -> dict[str, int]:
    saved = SavedSearch(
        tenant_id=org.tenant.id,
        user_id=org.users["recruiter"].id,
        name=org.tenant.name,
        params={"q": "python"},
    )
    session.add(saved)
    people = [
        Candidate(tenant_id=org.tenant.id, name=org.tenant.name, email=f"{n}@foreign.example")
        for n in ("a", "b")
    ]
    session.add_all(people)
    session.flush()
    merge = CandidateMerge(
        tenant_id=org.tenant.id,
        survivor_id=people[0].id,
        other_id=people[1].id,
        status="proposed",
        matched_by="phone",
        evidence={"agree": ["phone"], "conflict": ["name"]},
        snapshot={},
    )
    session.add(merge)
    session.flush()
    return {"saved_search_id": saved.id, "merge_id": merge.id}


API_BODIES = {
    ("PATCH", "/api/v1/candidates/{candidate_id}/profile"): {"location": "x"},
    ("POST", "/api/v1/candidates/{candidate_id}/performance"): {"period": "2024", "rating": 3},
    ("PUT", "/api/v1/candidates/{candidate_id}/internal"): {"internal": True},
    ("POST", "/api/v1/saved-searches"): {"name": "mine"},
}
FORM_BODIES = {
    ("POST", "/candidates/{candidate_id}/profile"): {"location": "x"},
    ("POST", "/candidates/{candidate_id}/performance"): {"period": "2024", "rating": "3"},
    ("POST", "/candidates/{candidate_id}/internal"): {"internal": "1"},
    ("POST", "/candidates/searches"): {"name": "mine", "q": "x"},
}
