"""How the authorization sweep reaches the analytics routes that take an opening in the body
(the predictive validity proposal and activation) with the other tenant's opening."""

from __future__ import annotations

API_BODIES = {
    ("POST", "/api/v1/analytics/validity/proposals"): {"opening": "{opening_id}"},
}
FORM_BODIES = {
    ("POST", "/analytics/validity/adopt"): {"opening": "{opening_id}", "outcome": "rating"},
    ("POST", "/analytics/validity/activate"): {"opening": "{opening_id}", "number": "1"},
}
