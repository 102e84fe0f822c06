"""Words the pages show that come from data (role names, stages, statuses...).

Templates translate them with ``_(value)``; listing them here puts them into the catalogues.
"""

from hireflow.core.errors import N_

ROLE_LABELS = (
    N_("hr_admin"),
    N_("recruiter"),
    N_("hiring_manager"),
    N_("interviewer"),
    N_("it_auditor"),
    N_("candidate"),
    N_("employee"),
)
STATUS_LABELS = (N_("draft"), N_("open"), N_("closed"))
STAGE_LABELS = (
    N_("applied"),
    N_("screening"),
    N_("interview"),
    N_("offer"),
    N_("hired"),
    N_("rejected"),
    N_("withdrawn"),
)
JOB_TYPE_LABELS = (
    N_("technical"),
    N_("sales"),
    N_("management"),
    N_("production"),
    N_("customer_service"),
    N_("other"),
)
FIELD_LABELS = (
    N_("education"),
    N_("years"),
    N_("skills"),
    N_("industry"),
    N_("majors"),
    N_("demo"),
    N_("upload"),
    N_("database"),
    N_("broker"),
)

# Data residency regions (``settings.storage_regions``): the code stays visible after the name,
# as it is what IT configures.
REGION_LABELS = {
    "cn": N_("China mainland"),
    "eu": N_("European Union"),
    "us": N_("United States"),
    "sg": N_("Singapore"),
}

# Kinds of technical problems browsers report (``web.telemetry``), for IT's technical log.
CLIENT_EVENT_LABELS = (
    N_("js_error"),
    N_("unsupported_browser"),
    N_("device_check"),
    N_("media_error"),
    N_("network_error"),
    N_("upload_failed"),
    N_("login_problem"),
)
