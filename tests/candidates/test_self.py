"""People looking at their own applications: candidates see their interviews (the booked time,
not only "applied"), employees see their internal applications, worded for them."""

from __future__ import annotations

from sqlalchemy import select

from hireflow.candidates.models import Candidate
from hireflow.core import pii
from hireflow.scheduling.bookings import book
from hireflow.scheduling.slot_search import offered_slots
from tests.conftest import login, make_user
from tests.openings.factories import make_opening, txt_resume
from tests.scheduling.factories import make_candidate, make_hiring, send


def test_a_candidate_with_a_confirmed_interview_sees_it(client, session, db, settings, org):

    user = make_user(session, org.tenant, "candidate", timezone="Europe/Berlin")
    hiring = make_hiring(session, org, candidates=0)
    candidate = make_candidate(session, org, hiring.opening, user=user, email=user.email)
    session.commit()
    (inv,) = send(session, db, settings, hiring.opening, [candidate])
    slot = offered_slots(session, inv)[0]
    book(session, inv, slot.start, settings, actor=None)

    login(client, user)
    home = client.get("/")
    assert home.status_code == 200
    for page in (home, client.get("/me")):
        row = page.text.split('id="my-applications"', 1)[1].split("</table>", 1)[0]
        assert hiring.opening.title in row
        assert 'data-status="booked"' in row and "/i/" in row  # the time and the link
    # the menu's "Interviews" answers, and lists it
    interviews = client.get("/scheduling")
    assert interviews.status_code == 200 and hiring.opening.title in interviews.text
    assert 'href="/scheduling"' in home.text and 'href="/me"' in home.text


def test_an_employee_sees_their_internal_applications(client, session, org, regional):
    employee = make_user(session, org.tenant, "employee")
    login(client, employee)
    empty = client.get("/me").text
    assert "My internal applications" in empty and 'id="my-applications-empty"' in empty
    assert "When a company invites you" not in empty  # not worded for outside candidates
    assert "My internal applications" in client.get("/").text

    # the employee applies inside the company: the intake recognises them by e-mail
    opening = make_opening(session, org)
    hr = org.users["hr_admin"]
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, hr)
    upload = client.post(
        f"/openings/{opening.id}/upload",
        files=[("files", ("me.txt", txt_resume(name="刘洋", email=employee.email), "text/plain"))],
    )
    assert upload.status_code == 200, upload.text
    candidate = session.scalars(
        select(Candidate).where(
            Candidate.email_index.in_(
                pii.blind_index_values(employee.email, "email", tenant_id=org.tenant.id)
            )
        )
    ).one()
    assert candidate.is_internal and candidate.user_id == employee.id
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, employee)
    page = client.get("/me").text
    assert 'id="employee-intro"' in page and opening.title in page
    nav = page.split("<nav", 1)[1].split("</nav>", 1)[0]
    assert "My internal applications" in nav and ">My applications<" not in nav


def test_a_finished_ai_interview_is_listed_without_a_dangling_colon(
    client, session, db, settings, org
):
    """A completed AI interview has no time to show: "Completed · AI interview", not
    "AI interview:" followed by nothing; one still to take shows its deadline after a colon."""
    user = make_user(session, org.tenant, "candidate")
    hiring = make_hiring(session, org, candidates=0)
    done = make_candidate(session, org, hiring.opening, user=user, email=user.email)
    session.commit()
    (inv,) = send(session, db, settings, hiring.opening, [done], kind="ai")
    login(client, user)
    labels = (("en", "AI interview", ": "), ("zh-CN", "AI 面试", "："))
    for language, label, colon in labels:
        client.post("/lang", data={"lang": language, "next": "/"})
        pending = client.get("/me").text.split('class="my-interviews"', 1)[1].split("</td>")[0]
        pending = " ".join(pending.split())
        assert f"{label}{colon}" in pending  # the deadline follows, after the page's colon
    inv.status = "completed"
    session.commit()
    for language, label, colon in labels:
        client.post("/lang", data={"lang": language, "next": "/"})
        cell = client.get("/me").text.split('class="my-interviews"', 1)[1].split("</td>")[0]
        cell = " ".join(cell.split())
        assert 'data-status="completed"' in cell and label in cell
        assert f"{label}{colon}" not in cell and f"{label}:" not in cell
