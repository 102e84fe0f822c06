"""How the authorization sweep reaches the offer routes with another tenant's objects.

The candidate's offer-link routes (``/offer/{link_token}``, ``/api/v1/offer-links/...``) are
public: the signed token is the credential. The sweep calls them with a token that does not
verify (404); ``tests/offers/test_api.py`` shows that a valid one opens only its own offer.
"""

from __future__ import annotations

from sqlalchemy import select

from hireflow.candidates.models import Candidate
from hireflow.core.settings import get_settings
from hireflow.offers import portal, schemas
from hireflow.offers.models import OnboardingTask
from tests.offers.factories import sent_offer


def foreign_params(session, org) -> dict[str, int]:
    offer, _token = sent_offer(session, org, name="Foreign Person")
    person = session.get(Candidate, offer.candidate_id)
    portal.answer(
        session,
        get_settings(),
        offer,
        schemas.AnswerIn(accept=True, typed_name=person.name),
        "192.0.2.1",
    )
    task = session.scalars(
        select(OnboardingTask).where(OnboardingTask.person_id == offer.candidate_id)
    ).first()
    return {
        "offer_id": offer.id,
        "offer_template_id": offer.template_id,
        "onboarding_task_id": task.id,
    }


TEMPLATE = {
    "name": "x",
    "salary": 1000,
    "body": {"zh": "正文", "en": "Body"},
}
API_BODIES = {
    ("POST", "/api/v1/people/{person_id}/ratings"): {"period": "2026", "rating": 3},
    ("PUT", "/api/v1/people/{person_id}/probation"): {"result": "passed"},
    ("PUT", "/api/v1/people/{person_id}/leaving"): {},
    ("POST", "/api/v1/applications/{application_id}/offers"): {
        "template_id": "{offer_template_id}",
        "start_date": "2099-01-04",
    },
    ("PUT", "/api/v1/offers/templates/{offer_template_id}"): TEMPLATE,
    ("PATCH", "/api/v1/offers/{offer_id}"): {"salary": 1},
    ("POST", "/api/v1/offers/{offer_id}/decision"): {"approve": True},
    ("POST", "/api/v1/offers/{offer_id}/withdraw"): {"reason": "x"},
    ("POST", "/api/v1/offer-links/{link_token}/answer"): {"accept": True, "typed_name": "x"},
    ("PUT", "/api/v1/onboarding/checklist"): {
        "items": [
            {
                "key": "a",
                "category": "accounts",
                "owner": "it",
                "due_days": 0,
                "title": {"zh": "账号", "en": "Accounts"},
            }
        ]
    },
}
FORM_BODIES = {
    ("POST", "/people/{person_id}/outcomes/ratings"): {"period": "2026", "rating": "3"},
    ("POST", "/people/{person_id}/outcomes/probation"): {"result": "passed"},
    ("POST", "/offers/templates/{offer_template_id}"): {
        "name": "x",
        "salary": "1000",
        "body_zh": "正文",
        "body_en": "Body",
    },
    ("POST", "/applications/{application_id}/offer"): {
        "template_id": "{offer_template_id}",
        "start_date": "2099-01-04",
    },
    ("POST", "/offers/{offer_id}/decision"): {"approve": "yes"},
    ("POST", "/offers/{offer_id}/withdraw"): {"reason": "x"},
    ("POST", "/offer/{link_token}/answer"): {"answer": "accept", "typed_name": "x"},
}
