"""Words of the record that come from data (codes), listed so they are translated.

Templates show them with ``_(code)``; the catalogue extractor only sees literal strings,
so each code is marked here once.
"""

from hireflow.core.errors import N_

ENTRY_TYPE_LABELS = (
    N_("profile_change"),
    N_("application"),
    N_("interview_result"),
    N_("review"),
    N_("note"),
    N_("status_change"),
    N_("document"),
    N_("consent"),
    N_("legal_hold"),
    N_("import"),
    N_("erasure"),
    N_("outcome"),
    N_("quarantine"),
)
STATUS_LABELS = (
    N_("applied"),
    N_("screening"),
    N_("ai_interview_invited"),
    N_("ai_interview_done"),
    N_("waiting_second_round"),
    N_("interviewing"),
    N_("offer"),
    N_("hired"),
    N_("employed"),
    N_("rejected"),
    N_("withdrawn"),
    N_("left"),
)
KIND_LABELS = (
    N_("resume"),
    N_("recording"),
    N_("offer_letter"),
    N_("certificate"),
)
PURPOSE_LABELS = (
    N_("processing"),
    N_("talent_pool"),
    N_("cross_border"),
    N_("ai_assessment"),
)
OTHER_LABELS = (
    N_("paper"),
    N_("email"),
    N_("web"),
    N_("import"),
    N_("api"),
    N_("subject"),
    N_("subject_request"),
    N_("consent_withdrawn"),
    N_("retention"),
    N_("other"),
    N_("nightly"),
    N_("manual"),
    N_("cli"),
    N_("name"),
    N_("phone"),
    N_("id_number"),
    N_("birth_date"),
    N_("location"),
    N_("summary"),
    N_("filename"),
    N_("reason"),
    N_("text"),
    N_("communication"),
    N_("problem_solving"),
    N_("teamwork"),
    N_("customer_orientation"),
    N_("learning_ability"),
    N_("stress_tolerance"),
    N_("leadership"),
    N_("coding"),
)
