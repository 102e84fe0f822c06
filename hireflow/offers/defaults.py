"""What a company starts with: the onboarding checklist, document names, a letter text.

The checklist and the letter are data the company edits (each item carries its own zh/en
title); document kinds and categories are codes whose words are in the catalogue.
"""

from __future__ import annotations

from typing import Any

from hireflow.core.errors import N_

DOCUMENT_LABELS = {
    "id_card": N_("ID card"),
    "degree": N_("Degree certificate"),
    "leaving_certificate": N_("Certificate of leaving the previous employer"),
    "bank_card": N_("Bank card for salary"),
    "medical": N_("Medical examination report"),
    "photo": N_("Photo"),
}
CATEGORY_LABELS = {
    "accounts": N_("Accounts"),
    "equipment": N_("Equipment"),
    "documents": N_("Documents"),
    "training": N_("Training"),
}
OWNER_LABELS = {"it": N_("IT"), "manager": N_("Manager"), "hr": N_("HR")}
STATUS_LABELS = {
    "draft": N_("Draft"),
    "pending_approval": N_("Waiting for approval"),
    "approved": N_("Approved"),
    "rejected": N_("Approval refused"),
    "sent": N_("Sent"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "withdrawn": N_("Withdrawn"),
    "expired": N_("Expired"),
    "pending": N_("Waiting"),
    "open": N_("To do"),
    "done": N_("Done"),
}
APPROVER_LABELS = {"hiring_manager": N_("Hiring manager"), "hr_head": N_("HR head")}
PERIOD_LABELS = {"month": N_("per month"), "year": N_("per year")}

# Days relative to the start date (negative: before the first day).
ONBOARDING_CHECKLIST: list[dict[str, Any]] = [
    {
        "key": "accounts",
        "category": "accounts",
        "owner": "it",
        "due_days": -2,
        "title": {
            "zh": "开通邮箱、办公系统和门禁账号",
            "en": "Open e-mail, office and door accounts",
        },
    },
    {
        "key": "laptop",
        "category": "equipment",
        "owner": "it",
        "due_days": -1,
        "title": {"zh": "准备笔记本电脑和工位", "en": "Prepare the laptop and the desk"},
    },
    {
        "key": "documents",
        "category": "documents",
        "owner": "hr",
        "due_days": 0,
        "title": {
            "zh": "核对入职材料并签订劳动合同",
            "en": "Check the joining documents and sign the contract",
        },
    },
    {
        "key": "buddy",
        "category": "training",
        "owner": "manager",
        "due_days": 1,
        "title": {"zh": "安排导师并介绍团队", "en": "Assign a buddy and introduce the team"},
    },
    {
        "key": "induction",
        "category": "training",
        "owner": "hr",
        "due_days": 5,
        "title": {"zh": "完成新员工入职培训", "en": "Complete the induction training"},
    },
]

LETTER_BODY = {
    "zh": (
        "亲爱的 {name}：\n\n我们很高兴地通知您，{company} 决定录用您担任 {position} 一职。"
        "请在链接有效期内在线确认是否接受本录用通知。\n\n期待与您共事！"
    ),
    "en": (
        "Dear {name},\n\nWe are pleased to offer you the position of {position} at {company}. "
        "Please accept or decline this offer online before it expires.\n\n"
        "We look forward to working with you."
    ),
    "ja": (
        "{name} 様\n\nこのたび {company} は、あなたを {position} として採用することを決定"
        "いたしましたので、ここにご通知申し上げます。リンクの有効期限内に、本内定を承諾されるか"
        "どうかをオンラインでご回答ください。\n\nご一緒に働ける日を楽しみにしております。"
    ),
}

# What the record's timeline shows for this domain's entries (sources, system actors, keys
# and codes of their facts), looked up by the record pages in the merged catalogues.
RECORD_WORDS = (
    N_("offers"),
    N_("offer_portal"),
    N_("hire"),
    N_("onboarding"),
    N_("offer-portal"),
    N_("offer-expiry"),
    N_("offer_status"),
    N_("statement_sha256"),
    N_("letter_sha256"),
    N_("start_date"),
    N_("onboarding_tasks"),
    N_("task"),
    N_("category"),
    N_("done_by"),
    N_("typed_name"),
    N_("ip"),
    N_("answered_at"),
    N_("employee_number"),
    N_("accepted"),
    N_("declined"),
    N_("expired"),
    N_("accounts"),
    N_("equipment"),
    N_("documents"),
    N_("training"),
    N_("laptop"),
    N_("buddy"),
    N_("induction"),
)
