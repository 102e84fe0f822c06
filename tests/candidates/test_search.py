"""The talent pool (SPEC C3): keywords (jieba), filters, sorting, scope, saved searches."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hireflow.candidates import service
from hireflow.candidates.models import Candidate
from hireflow.candidates.search import query_terms, words
from hireflow.records import service as records
from hireflow.records.service import SystemActor
from tests.conftest import bearer
from tests.openings.factories import en_resume, make_opening, txt_resume


def test_words_and_query_terms():
    assert words("C++、C#与.NET，Node.js") == ["cplusplus", "csharp", "dotnet", "nodejs"]
    assert "后端" in words("高级后端工程师", bigrams=True)
    assert "机械" in words("机械工程师") and "工程师" in words("机械工程师")
    terms = query_terms("机械工程 Python")
    assert terms[0][0] == ["机械工程"] and ["机械", "工程"] in terms[0]
    assert terms[1] == [["python"]]
    assert query_terms("的 and the") == []


@pytest.fixture
def pool(session, org, regional):
    """Four people: two applied to an opening of dept 0, one to dept 2, one English."""
    mech = make_opening(session, org, 0, title="机械工程师")
    backend = make_opening(session, org, 0, title="后端工程师")
    other = make_opening(session, org, 2, title="Sales", owner=False)
    importer = service.Importer("tests", org.tenant.id)
    people = {}
    people["wang"] = service.intake_file(session, importer, mech.id, "wang.txt", txt_resume())
    people["li"] = service.intake_file(
        session,
        importer,
        backend.id,
        "li.txt",
        txt_resume(
            name="李强",
            email="li.qiang@example.com",
            phone="13900001111",
            school="复旦大学",
            degree="硕士",
            major="计算机科学",
            company="上海云帆网络科技有限公司",
            title="高级后端工程师",
            start="2021.03",
            skills="Python、Redis、PostgreSQL",
        ),
    )
    people["zhou"] = service.intake_file(
        session,
        importer,
        other.id,
        "zhou.txt",
        txt_resume(
            name="周静",
            email="zhou.jing@example.com",
            phone="13700002222",
            school="四川大学",
            degree="大专",
            major="市场营销",
            company="成都百货有限公司",
            title="销售代表",
            start="2023.01",
            skills="CRM",
        ),
    )
    people["emily"] = service.intake_file(session, importer, backend.id, "emily.txt", en_resume())
    assert all(r.ok for r in people.values()), [r.to_dict() for r in people.values()]
    ids = {k: r.candidate_id for k, r in people.items()}
    # Li was interviewed in October 2023: communication 8.6
    records.record_interview_report(
        session,
        SystemActor("tests", tenant_id=org.tenant.id),
        ids["li"],
        opening_id=backend.id,
        interview_id=None,
        scores={"communication": 8.6, "problem_solving": 7.1},
        summary="清晰地讲述了客户案例。",
        status=None,
    )
    from hireflow.records.models import RecordEntry, RecordScore

    october = datetime(2023, 10, 12, 3, 0, tzinfo=UTC)
    for model in (RecordScore, RecordEntry):
        for row in session.query(model).filter(model.person_id == ids["li"]).all():
            if model is RecordScore or row.type == "interview_result":
                row.occurred_at = october
    session.commit()
    return {"ids": ids, "mech": mech, "backend": backend, "other": other}


def _names(client, headers, **params):
    response = client.get("/api/v1/candidates", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [row["name"] for row in response.json()], response


def test_keywords_in_chinese_and_english(client, org, pool):
    hr = bearer(client, org.users["hr_admin"])
    assert _names(client, hr, q="机械工程")[0] == ["王芳"]
    assert _names(client, hr, q="后端")[0] == ["李强"]
    assert set(_names(client, hr, q="Python")[0]) == {"李强", "Emily Carter"}
    assert _names(client, hr, q="python postgresql 复旦")[0] == ["李强"]
    assert _names(client, hr, q="Stanford")[0] == ["Emily Carter"]
    assert _names(client, hr, q="销售")[0] == ["周静"]
    assert _names(client, hr, q="王芳")[0] == ["王芳"]
    assert _names(client, hr, q="nothing-like-this")[0] == []
    names, response = _names(client, hr)
    assert len(names) == 4 and response.headers["X-Total-Count"] == "4"


def test_filters(client, session, org, pool):
    hr = bearer(client, org.users["hr_admin"])
    assert set(_names(client, hr, min_education="master")[0]) == {"李强", "Emily Carter"}
    assert set(_names(client, hr, min_education="本科")[0]) == {"王芳", "李强", "Emily Carter"}
    years = {
        c.name: c.years_experience
        for c in session.query(Candidate).filter(Candidate.tenant_id == org.tenant.id)
    }
    floor = years["王芳"] - 0.05
    assert set(_names(client, hr, min_years=floor)[0]) == {
        n for n, y in years.items() if y >= floor
    }
    assert set(_names(client, hr, max_years=years["李强"])[0]) == {"李强", "周静"}
    assert set(_names(client, hr, skills="python, redis")[0]) == {"李强", "Emily Carter"}
    assert _names(client, hr, skills="PLC")[0] == ["王芳"]
    assert set(_names(client, hr, opening_id=pool["backend"].id)[0]) == {"李强", "Emily Carter"}
    assert set(_names(client, hr, opening_id=pool["backend"].id, stage="applied")[0]) == {
        "李强",
        "Emily Carter",
    }
    assert _names(client, hr, opening_id=pool["backend"].id, stage="offer")[0] == []
    assert _names(client, hr, location="San Francisco")[0] == ["Emily Carter"]
    assert len(_names(client, hr, source="upload")[0]) == 4
    assert _names(client, hr, source="referral")[0] == []
    # "interviewed in October 2023 with communication >= 8" (SPEC C3)
    october = {"interviewed_from": "2023-10-01", "interviewed_to": "2023-10-31"}
    assert _names(client, hr, dimension="communication", min_score=8, **october)[0] == ["李强"]
    assert _names(client, hr, dimension="communication", min_score=9)[0] == []
    assert _names(client, hr, interviewed_from="2023-11-01")[0] == []
    assert _names(client, hr, **october)[0] == ["李强"]
    assert _names(client, hr, q="Python", dimension="communication", min_score=8)[0] == ["李强"]
    bad = client.get("/api/v1/candidates", params={"min_score": 8}, headers=hr)
    assert bad.status_code == 422
    bad = client.get("/api/v1/candidates", params={"interviewed_from": "October"}, headers=hr)
    assert bad.status_code == 422 and "interviewed_from" in bad.json()["error"]["fields"]
    assert (
        client.get("/api/v1/candidates", params={"min_education": "x"}, headers=hr).status_code
        == 422
    )


def test_sorting(client, org, pool):
    hr = bearer(client, org.users["hr_admin"])
    by_date, _ = _names(client, hr, sort="date")
    assert by_date[0] == "Emily Carter"  # added last
    _by_match, response = _names(client, hr, q="python redis")
    relevance = [row["relevance"] for row in response.json()]
    assert relevance == sorted(relevance, reverse=True) and relevance[0] > 0


def test_scope(client, session, org, pool):
    recruiter = bearer(client, org.users["recruiter"])
    assert set(_names(client, recruiter)[0]) == {"王芳", "李强", "Emily Carter"}
    assert _names(client, recruiter, q="销售")[0] == []
    manager = bearer(client, org.users["hiring_manager"])
    assert "周静" not in _names(client, manager)[0]
    interviewer = bearer(client, org.users["interviewer"])
    assert "周静" not in _names(client, interviewer)[0]
    for role in ("it_auditor", "candidate", "employee"):
        assert (
            client.get("/api/v1/candidates", headers=bearer(client, org.users[role])).status_code
            == 403
        )


def test_saved_searches(client, session, org, pool):
    hr = bearer(client, org.users["hr_admin"])
    saved = client.post(
        "/api/v1/saved-searches",
        json={
            "name": "十月面试的沟通高分",
            "params": {"dimension": "communication", "min_score": "8", "q": ""},
        },
        headers=hr,
    )
    assert saved.status_code == 201
    assert saved.json()["params"] == {"dimension": "communication", "min_score": 8.0}
    listed = client.get("/api/v1/saved-searches", headers=hr).json()
    assert [s["name"] for s in listed] == ["十月面试的沟通高分"]
    # private: another HR admin does not see or delete it
    recruiter = bearer(client, org.users["recruiter"])
    assert client.get("/api/v1/saved-searches", headers=recruiter).json() == []
    assert (
        client.delete(f"/api/v1/saved-searches/{saved.json()['id']}", headers=recruiter).status_code
        == 404
    )
    bad = client.post(
        "/api/v1/saved-searches", json={"name": "x", "params": {"min_years": "many"}}, headers=hr
    )
    assert bad.status_code == 422
    assert (
        client.delete(f"/api/v1/saved-searches/{saved.json()['id']}", headers=hr).status_code == 204
    )
    assert client.get("/api/v1/saved-searches", headers=hr).json() == []


def test_index_follows_corrections_and_erasure(client, session, org, pool):
    hr = bearer(client, org.users["hr_admin"])
    wang = pool["ids"]["wang"]
    response = client.patch(
        f"/api/v1/candidates/{wang}/profile", json={"skills": ["AutoCAD", "机器人编程"]}, headers=hr
    )
    assert response.status_code == 200
    assert _names(client, hr, q="机器人")[0] == ["王芳"]
    assert _names(client, hr, skills="PLC")[0] == []


def test_every_staff_role_keeps_its_own_saved_searches(client, org):
    ids = {}
    for role in ("recruiter", "hiring_manager", "interviewer"):
        headers = bearer(client, org.users[role])
        saved = client.post(
            "/api/v1/saved-searches", json={"name": role, "params": {"q": "x"}}, headers=headers
        )
        assert saved.status_code == 201, (role, saved.text)
        ids[role] = saved.json()["id"]
        assert [
            s["name"] for s in client.get("/api/v1/saved-searches", headers=headers).json()
        ] == [role]
    manager = bearer(client, org.users["hiring_manager"])
    assert (
        client.delete(f"/api/v1/saved-searches/{ids['recruiter']}", headers=manager).status_code
        == 404
    )
    assert (
        client.delete(
            f"/api/v1/saved-searches/{ids['hiring_manager']}", headers=manager
        ).status_code
        == 204
    )


def test_experience_places_and_degrees_in_the_keywords_are_filters(client, org, pool):
    headers = bearer(client, org.users["hr_admin"])

    def names(**params):
        response = client.get("/api/v1/candidates", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return sorted(row["name"] for row in response.json()), response

    understood, response = names(q="工程师 苏州 五年")
    explicit, _ = names(q="工程师 苏州", min_years="5")
    assert understood == explicit and understood  # the same people as the filter finds
    assert "years" in response.headers["X-Query-Understood"]
    literal, _ = names(q="工程师 苏州 五年", literal="1")
    assert literal == []  # no resume contains the word "五年"
    masters, _ = names(q="工程师 硕士")
    assert masters == names(q="工程师", min_education="master")[0] == ["李强"]
    # an explicit filter wins over what the keywords say
    assert names(q="工程师 五年", min_years="0")[0] == names(q="工程师")[0]


def test_the_pool_page_says_how_it_read_the_query(client, org, pool):
    from tests.conftest import login

    login(client, org.users["hr_admin"])
    client.post("/lang", data={"lang": "zh-CN", "next": "/"})
    page = client.get("/candidates", params={"q": "工程师 苏州 五年"}).text
    notice = page.split('id="pool-understood"', 1)[1].split("</p>", 1)[0]
    assert "工作年限 ≥ 5 年" in notice and "苏州" in notice and "工程师" in notice
    assert 'id="pool-literal"' in notice and "literal=1" in notice
    assert 'value="工程师 苏州 五年"' in page  # the box keeps what was typed
