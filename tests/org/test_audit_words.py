"""The audit log reads in words: every action code the product writes has a label in both
languages, details read as short lines, and a list read names each person once."""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import select

from hireflow.core.audit import AuditEntry
from hireflow.core.i18n import translations
from hireflow.org import audit_words
from hireflow.org.auth import principal_for
from hireflow.web.deps import audit_read
from tests.conftest import login

PACKAGE = Path(__file__).resolve().parents[2] / "hireflow"
# Codes built at run time (f"booking.{change}", ...), with every value they take.
BUILT = {
    "booking.booked",
    "booking.rescheduled",
    "booking.cancelled",
    "hiring_request.submitted",
    "hiring_request.resubmitted",
    "hiring_request.returned",
    "hiring_request.approved",
    "offer.accepted",
    "offer.declined",
    *(f"interview.{e}" for e in ("verify", "start", "submit", "score", "review")),
}
WRITERS = {"record", "commit_recorded", "commit_created", "commit_changed", "commit_deleted"}


def _written_codes() -> set[str]:
    """The action codes passed as text to the audit writers anywhere in the product."""
    codes: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if {"scoring", "migrations"} & set(path.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name not in WRITERS and "audit" not in name:
                continue
            for arg in node.args[:3]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    value = arg.value
                    if "." in value and value.replace(".", "").replace("_", "").isalpha():
                        codes.add(value)
    return codes


def test_every_action_the_product_writes_has_a_label_in_every_language() -> None:
    codes = _written_codes() | BUILT
    assert len(codes) > 150
    assert codes - set(audit_words.ACTION_LABELS) == set()
    for language in ("zh-CN", "ja"):
        gettext = translations(language).gettext
        untranslated = [m for m in audit_words.ACTION_LABELS.values() if gettext(m) == m]
        assert untranslated == [], language


def test_details_read_as_lines_in_both_languages() -> None:
    zh, en = translations("zh-CN"), translations("en")
    listed = {"count": 2, "ids": [7, 9]}
    Detail = audit_words.Detail
    assert audit_words.summary(None, listed, zh.gettext, zh.ngettext) == [
        Detail("显示了 2 条记录", "7, 9")
    ]
    assert audit_words.summary(None, listed, en.gettext, en.ngettext) == [
        Detail("2 records shown", "7, 9")
    ]
    changed = audit_words.summary(
        {"status": "draft"},
        {"status": "open", "active": True, "opening_id": 3},
        en.gettext,
        en.ngettext,
    )
    assert changed == [
        Detail("Status", "draft → open"),
        Detail("Active", "yes"),
        Detail("Opening", "3"),
    ]
    assert audit_words.summary({"status": "draft"}, {"seq_no": 4}, zh.gettext, zh.ngettext) == [
        Detail("状态", "draft → —"),
        Detail("seq_no", "4", code=True),  # a key without a name is shown as the code it is
    ]
    assert audit_words.action_label("onboarding.listed", zh.gettext) == "查看了入职列表"
    assert audit_words.action_label("onboarding.listed", en.gettext) == "Viewed the onboarding list"
    assert audit_words.action_label("made.up", en.gettext) == "made.up"  # never hidden


def test_a_list_read_names_each_person_once(session, org) -> None:
    principal = principal_for(org.users["hr_admin"])
    audit_read(session, principal, "onboarding.listed", "candidate", [5, 5, 6, 5])
    row = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.tenant_id == org.tenant.id, AuditEntry.action == "onboarding.listed")
        .order_by(AuditEntry.id.desc())
    ).first()
    assert row.new_values == {"count": 2, "ids": [5, 6]}


def test_the_audit_page_shows_labels_not_codes(client, org, session) -> None:
    admin = org.users["it_auditor"]
    for language, label, target in (
        ("zh-CN", "登录", "用户"),
        ("en", "Signed in", "User"),
    ):
        admin.language = language
        session.commit()
        login(client, admin)
        page = client.get("/audit?action=auth.login")
        assert page.status_code == 200
        table = page.text.split('id="audit-table"', 1)[1]
        assert f'data-action="auth.login">{label}</td>' in table
        assert "<code>auth.login</code>" not in table
        assert f'{target} <span class="mono">{admin.id}</span>' in table
        assert f'<option value="auth.login" selected>{label}</option>' in page.text
    # Details read as "label: value" lines, not JSON.
    created = client.get("/audit?action=user.created")
    table = created.text.split('id="audit-table"', 1)[1].split("</table>", 1)[0]
    assert created.status_code == 200 and 'data-action="user.created">Created a user' in table
    assert 'Roles: <span class="mono">' in table and "{&#34;" not in table and '{"' not in table
