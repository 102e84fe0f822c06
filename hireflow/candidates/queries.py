"""Reads of candidates, always narrowed by scope; opening a person's details is audited.

The talent-pool search (:func:`search_pool`) combines the full-text match of
``hireflow.candidates.search`` with filters on the candidate, their applications, skills and
interview results (dimension scores and dates from the HR record), within what the viewer
may see (``candidates.search``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, null, or_, select
from sqlalchemy.orm import Session, selectinload

from hireflow.candidates import matching, search
from hireflow.candidates.models import (
    STAGES,
    Application,
    Candidate,
    CandidateResume,
    CandidateSearch,
    CandidateSkill,
    PerformanceRating,
    SavedSearch,
)
from hireflow.candidates.resume_model import DEGREES, degree_rank, normalise_degree
from hireflow.candidates.understanding import understand
from hireflow.candidates.vectors import ensure_vectors, platform_embedder
from hireflow.core import audit
from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.permissions import MATRIX, Principal, Reach, get_visible, require, restrict
from hireflow.core.settings import get_settings
from hireflow.openings.models import Opening
from hireflow.records.models import RecordEntry, RecordScore
from hireflow.scheduling import messages
from hireflow.scheduling.models import Invitation
from hireflow.scheduling.policies import policy_for
from hireflow.scoring.models import list_job_types

COUNT_CAP = 1000
SORTS = ("match", "date")


@dataclass
class PoolFilters:
    """A talent-pool query: keywords and filters (all optional)."""

    q: str = ""
    opening_id: int | None = None
    stage: str = ""
    min_education: str = ""
    min_years: float | None = None
    max_years: float | None = None
    skills: list[str] = field(default_factory=list)
    dimension: str = ""
    min_score: float | None = None
    interviewed_from: date | None = None
    interviewed_to: date | None = None
    source: str = ""
    location: str = ""
    internal: bool = False
    sort: str = ""

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> PoolFilters:
        """Read filters from query parameters or a saved search; bad values raise."""

        def number(key: str, low: float, high: float) -> float | None:
            raw = params.get(key)
            if raw in (None, ""):
                return None
            try:
                value = float(raw)
            except (TypeError, ValueError):
                raise ValidationFailed(N_("Enter a number."), fields={key: "number"}) from None
            if not low <= value <= high:
                raise ValidationFailed(N_("Enter a number."), fields={key: "range"})
            return value

        def day(key: str) -> date | None:
            raw = params.get(key)
            if raw in (None, ""):
                return None
            try:
                return date.fromisoformat(str(raw)[:10])
            except ValueError:
                raise ValidationFailed(
                    N_("Enter a date as YYYY-MM-DD."), fields={key: "date"}
                ) from None

        raw_skills = params.get("skills") or []
        if isinstance(raw_skills, str):
            raw_skills = raw_skills.replace("，", ",").replace("、", ",").split(",")
        education = str(params.get("min_education") or "").strip()
        if education:
            education = normalise_degree(education) or ""
            if education not in DEGREES:
                raise ValidationFailed(
                    N_("Choose one of the listed values."), fields={"min_education": "degree"}
                )
        opening = params.get("opening_id")
        stage = str(params.get("stage") or "")
        if stage and stage not in STAGES:
            raise ValidationFailed(
                N_("Choose one of the listed values."), fields={"stage": "stage"}
            )
        sort = str(params.get("sort") or "")
        if sort and sort not in SORTS:
            raise ValidationFailed(N_("Choose one of the listed values."), fields={"sort": "sort"})
        try:
            opening_id = int(opening) if opening not in (None, "") else None
        except (TypeError, ValueError):
            raise ValidationFailed(N_("Enter a number."), fields={"opening_id": "number"}) from None
        return cls(
            q=str(params.get("q") or "")[:100],
            opening_id=opening_id,
            stage=stage,
            min_education=education,
            min_years=number("min_years", 0, 60),
            max_years=number("max_years", 0, 60),
            skills=[s.strip()[:80] for s in raw_skills if str(s).strip()][:10],
            dimension=str(params.get("dimension") or "")[:60],
            min_score=number("min_score", 0, 10),
            interviewed_from=day("interviewed_from"),
            interviewed_to=day("interviewed_to"),
            source=str(params.get("source") or "")[:40],
            location=str(params.get("location") or "")[:100],
            internal=str(params.get("internal") or "").lower() in ("1", "true", "on", "yes"),
            sort=sort,
        )

    def to_params(self) -> dict[str, Any]:
        """The filters as plain values (saved searches, links); empty ones left out."""
        data = asdict(self)
        for key in ("interviewed_from", "interviewed_to"):
            data[key] = data[key].isoformat() if data[key] else None
        data["skills"] = ",".join(self.skills)
        return {k: v for k, v in data.items() if v not in (None, "", False, [])}

    @property
    def is_empty(self) -> bool:
        return not {k: v for k, v in self.to_params().items() if k != "sort"}

    def understood(self) -> tuple[PoolFilters, list[dict[str, Any]]]:
        """The query as a person means it: experience, education and places in the keywords
        become filters (a filter set explicitly wins), with what was read (see
        :mod:`hireflow.candidates.understanding`)."""
        if not self.q.strip():
            return self, []
        read = understand(self.q)
        if not read.parts:
            return self, []
        return (
            replace(
                self,
                q=read.q,
                min_years=self.min_years if self.min_years is not None else read.min_years,
                max_years=self.max_years if self.max_years is not None else read.max_years,
                min_education=self.min_education or read.min_education,
                location=self.location or read.location,
            ),
            read.parts,
        )


@dataclass
class PoolHit:
    candidate: Candidate
    relevance: float | None


@dataclass
class PoolPage:
    hits: list[PoolHit]
    total: int
    capped: bool


def _day_bounds(filters: PoolFilters, zone: str) -> tuple[datetime | None, datetime | None]:
    """Local calendar days (viewer's zone) as a UTC [from, to) range."""
    tz = ZoneInfo(zone)
    start = end = None
    if filters.interviewed_from:
        start = datetime.combine(filters.interviewed_from, time.min, tzinfo=tz).astimezone(UTC)
    if filters.interviewed_to:
        end = datetime.combine(
            filters.interviewed_to + timedelta(days=1), time.min, tzinfo=tz
        ).astimezone(UTC)
    return start, end


@dataclass
class PoolQuery:
    """A pool query: the SELECT of matching candidate ids (no order), and how to read it:
    tiers (relevance or None, extra condition or None), each newest first, or one relevance
    expression to sort by."""

    base: Any
    tiers: list[tuple[int | None, Any]]
    relevance: Any = None
    keywords: bool = False


def pool_query(session: Session, principal: Principal, filters: PoolFilters) -> PoolQuery:
    """The pool rows matching ``filters`` within the viewer's reach. It reads only
    ``candidate_search`` and the narrow tables the filters need; :func:`search_pool` loads
    the candidates of one page afterwards."""
    require(principal, "candidates.search")
    tenant_id = principal.tenant_id
    pool = CandidateSearch
    dialect = session.get_bind().dialect.name
    terms = search.query_terms(filters.q) if filters.q.strip() else []
    stmt = select(pool.candidate_id)
    keywords = None
    if terms:
        keywords = search.keyword_clause(dialect, terms)
        stmt = stmt.where(keywords.condition)
    stmt = restrict(stmt.where(pool.tenant_id == tenant_id), principal, "candidates.search", pool)
    if filters.opening_id is not None or filters.stage:
        applied = select(Application.candidate_id).where(Application.tenant_id == tenant_id)
        if filters.opening_id is not None:
            applied = applied.where(Application.opening_id == filters.opening_id)
        if filters.stage:
            applied = applied.where(Application.stage == filters.stage)
        stmt = stmt.where(pool.candidate_id.in_(applied))
    if filters.min_education:
        stmt = stmt.where(pool.highest_degree_rank >= degree_rank(filters.min_education))
    if filters.min_years is not None:
        stmt = stmt.where(pool.years_experience >= filters.min_years)
    if filters.max_years is not None:
        stmt = stmt.where(pool.years_experience <= filters.max_years)
    for skill in filters.skills:
        stmt = stmt.where(
            pool.candidate_id.in_(
                select(CandidateSkill.candidate_id).where(
                    CandidateSkill.tenant_id == tenant_id,
                    CandidateSkill.skill == search.skill_key(skill),
                )
            )
        )
    since, until = _day_bounds(filters, principal.timezone)
    if filters.dimension or filters.min_score is not None:
        if not filters.dimension:
            raise ValidationFailed(
                N_("Choose the dimension the minimum score is for."),
                fields={"dimension": "required"},
            )
        conditions = [
            RecordScore.tenant_id == tenant_id,
            RecordScore.dimension == filters.dimension,
        ]
        if filters.min_score is not None:
            conditions.append(RecordScore.score >= filters.min_score)
        if since is not None:
            conditions.append(RecordScore.occurred_at >= since)
        if until is not None:
            conditions.append(RecordScore.occurred_at < until)
        stmt = stmt.where(pool.candidate_id.in_(select(RecordScore.person_id).where(*conditions)))
    elif since is not None or until is not None:
        conditions = [RecordEntry.tenant_id == tenant_id, RecordEntry.type == "interview_result"]
        if since is not None:
            conditions.append(RecordEntry.occurred_at >= since)
        if until is not None:
            conditions.append(RecordEntry.occurred_at < until)
        stmt = stmt.where(pool.candidate_id.in_(select(RecordEntry.person_id).where(*conditions)))
    if filters.source:
        stmt = stmt.where(pool.source == filters.source)
    if filters.location:
        # "上海|Shanghai": a place understood from the keywords matches any of its names
        places = [p for p in filters.location.split("|") if p.strip()][:5]
        stmt = stmt.where(or_(*(pool.location.ilike(f"%{p.strip()}%") for p in places)))
    if filters.internal:
        stmt = stmt.where(pool.is_internal.is_(True))
    sort = filters.sort or ("match" if terms else "date")
    if sort == "match" and keywords is not None:
        return PoolQuery(stmt, list(keywords.tiers()), keywords.relevance, keywords=True)
    return PoolQuery(stmt, [(None, None)], keywords=keywords is not None)


def search_pool(
    session: Session,
    principal: Principal,
    filters: PoolFilters,
    *,
    limit: int = 20,
    offset: int = 0,
    count: bool = True,
) -> PoolPage:
    """One page of the talent pool for ``filters``, and how many match (capped at 1000)."""
    query = pool_query(session, principal, filters)
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite and (query.keywords or not _whole_company(principal)):
        # SQLite drives these plans from a set (the keyword matches, or the candidates of the
        # viewer's openings) and reads all of it anyway: one statement gives page and count.
        rows, total = _sqlite_page(session, query, limit, offset)
    else:
        rows = _tiered_page(session, query, limit, offset)
        total = None
    ids = [cid for cid, _relevance in rows]
    loaded = {
        c.id: c
        for c in session.scalars(
            select(Candidate)
            .where(Candidate.id.in_(ids))
            .options(selectinload(Candidate.applications))
        )
    }
    hits = [PoolHit(loaded[cid], relevance) for cid, relevance in rows if cid in loaded]
    capped = False
    if count and total is None:
        counted = query.base.limit(COUNT_CAP + 1).subquery()
        total = int(session.scalar(select(func.count()).select_from(counted)) or 0)
    if total is None:
        total = len(hits) + offset
    if total > COUNT_CAP:
        total, capped = COUNT_CAP, True
    return PoolPage(hits, total, capped)


NEWEST = (CandidateSearch.created_at.desc(), CandidateSearch.candidate_id.desc())


def _whole_company(principal: Principal) -> bool:
    """Whether the viewer's pool is the whole company (no unit or membership narrows it)."""
    holders = MATRIX["candidates.search"]
    return any(
        holders.get(grant.role) is Reach.TENANT
        and grant.subsidiary_id is None
        and grant.department_id is None
        for grant in principal.grants
    )


def _tiered_page(
    session: Session, query: PoolQuery, limit: int, offset: int
) -> list[tuple[int, int | None]]:
    """A page read tier by tier, newest first (PostgreSQL: each tier can stop early)."""
    rows: list[tuple[int, int | None]] = []
    skip = offset
    for relevance, condition in query.tiers:
        if len(rows) >= limit:
            break
        tier = query.base if condition is None else query.base.where(condition)
        found = list(session.scalars(tier.order_by(*NEWEST).limit(skip + limit - len(rows))))
        if len(found) <= skip:
            skip -= len(found)
            continue
        rows += [(cid, relevance) for cid in found[skip:]]
        skip = 0
    return rows


def _sqlite_page(
    session: Session, query: PoolQuery, limit: int, offset: int
) -> tuple[list[tuple[int, int | None]], int]:
    """A page and its total in one statement (SQLite: the FTS5 sets and the viewer's scope are
    read once; sorting the matches of a narrow table is cheaper than reading them again per
    tier and for the count)."""
    relevance = query.relevance if query.relevance is not None else null()
    stmt = query.base.add_columns(relevance.label("relevance"), func.count().over().label("total"))
    if query.relevance is not None:
        stmt = stmt.order_by(query.relevance.desc(), *NEWEST)
    else:
        stmt = stmt.order_by(*NEWEST)
    found = session.execute(stmt.limit(limit).offset(offset)).all()
    if found:
        return [(row[0], row[1]) for row in found], int(found[0][2])
    if offset:
        total = session.scalar(select(func.count()).select_from(query.base.subquery()))
        return [], int(total or 0)
    return [], 0


def list_candidates(
    session: Session,
    principal: Principal,
    *,
    query: str = "",
    limit: int = 100,
    offset: int = 0,
) -> list[Candidate]:
    """Candidates matching a keyword query (newest first when there is none)."""
    page = search_pool(
        session, principal, PoolFilters(q=query), limit=limit, offset=offset, count=False
    )
    return [hit.candidate for hit in page.hits]


def _audited_read(
    session: Session, principal: Principal, candidate_id: int, action: str
) -> Candidate:
    """The person, when the viewer may read them; the read is written to the audit trail."""
    candidate = get_visible(session, Candidate, candidate_id, principal, "candidates.read")
    audit.commit_on(session, action, principal, ("candidate", candidate.id))
    return candidate


def view_candidate(session: Session, principal: Principal, candidate_id: int) -> Candidate:
    """A person's full details; the read itself is written to the audit trail."""
    return _audited_read(session, principal, candidate_id, "candidate.viewed")


def view_resumes(
    session: Session, principal: Principal, candidate_id: int
) -> list[CandidateResume]:
    """A person's resumes (newest first); the read itself is written to the audit trail."""
    candidate = _audited_read(session, principal, candidate_id, "candidate.resumes_viewed")
    return resumes(session, candidate)


def visible_applications(
    session: Session, principal: Principal, candidate_id: int
) -> list[tuple[Application, Opening]]:
    """The candidate's applications the viewer may see, with their openings."""
    return list(
        session.execute(
            restrict(
                select(Application, Opening)
                .join(Opening, Opening.id == Application.opening_id)
                .where(Application.candidate_id == candidate_id),
                principal,
                "candidates.read",
                Application,
            ).order_by(Application.created_at.desc())
        ).all()
    )


def resumes(session: Session, candidate: Candidate) -> list[CandidateResume]:
    """Resumes of a candidate the caller was already allowed to open (newest first)."""
    return list(
        session.scalars(
            select(CandidateResume)
            .where(CandidateResume.candidate_id == candidate.id)
            .order_by(CandidateResume.id.desc())
        )
    )


def opening_applications(
    session: Session, principal: Principal, opening: Opening, *, status: str = "", limit: int = 500
) -> list[Application]:
    """The opening's applications the viewer may see: passed first, best score first."""
    stmt = restrict(
        select(Application)
        .where(Application.opening_id == opening.id)
        .options(selectinload(Application.candidate)),
        principal,
        "candidates.read",
        Application,
    )
    if status:
        stmt = stmt.where(Application.screening_status == status)
    order = {"passed": 0, "pending": 1, "": 2, "rejected": 3}
    rows = list(session.scalars(stmt.limit(limit)))
    rows.sort(
        key=lambda a: (
            order.get(a.screening_status, 2),
            -(a.screening_score or 0),
            -a.id,
        )
    )
    return rows


def latest_scores(session: Session, candidate_ids: list[int]) -> dict[int, dict[str, float]]:
    """The newest interview score per dimension of each candidate (from the HR record)."""
    found: dict[int, dict[str, tuple[datetime, float]]] = {}
    if not candidate_ids:
        return {}
    for person_id, dimension, score, occurred in session.execute(
        select(
            RecordScore.person_id, RecordScore.dimension, RecordScore.score, RecordScore.occurred_at
        ).where(RecordScore.person_id.in_(candidate_ids))
    ):
        current = found.setdefault(person_id, {}).get(dimension)
        if current is None or occurred > current[0]:
            found[person_id][dimension] = (occurred, float(score))
    return {p: {d: v[1] for d, v in dims.items()} for p, dims in found.items()}


def ratings(session: Session, principal: Principal, candidate_id: int) -> list[PerformanceRating]:
    """Performance ratings of an internal candidate, if the viewer may see them (SPEC C6)."""
    if not principal.has("performance.read"):
        return []
    return list(
        session.scalars(
            restrict(
                select(PerformanceRating).where(PerformanceRating.candidate_id == candidate_id),
                principal,
                "performance.read",
                PerformanceRating,
            ).order_by(PerformanceRating.period.desc())
        )
    )


def saved_searches(session: Session, principal: Principal) -> list[SavedSearch]:
    if not principal.has("candidates.search"):
        return []
    return list(
        session.scalars(
            restrict(
                select(SavedSearch).where(SavedSearch.user_id == principal.user_id),
                principal,
                "candidates.search",
                SavedSearch,
            ).order_by(SavedSearch.name)
        )
    )


def skill_suggestions(session: Session, principal: Principal, limit: int = 40) -> list[str]:
    """The most common skills in the tenant's pool (for the filter's suggestions)."""
    return list(
        session.scalars(
            select(CandidateSkill.skill)
            .where(CandidateSkill.tenant_id == principal.tenant_id)
            .group_by(CandidateSkill.skill)
            .order_by(func.count().desc(), CandidateSkill.skill)
            .limit(limit)
        )
    )


# --------------------------------------------------------------------------- matching


def opening_needs(opening: Opening) -> matching.OpeningNeeds:
    return matching.OpeningNeeds.from_opening(
        opening.title, opening.description, opening.requirements, opening.competency_model
    )


def _similarities(session: Session, text: str, candidate_ids: list[int]) -> dict[int, float]:
    vectors = ensure_vectors(session, candidate_ids)
    if not vectors:
        return {}
    target = np.asarray(platform_embedder().embed([text])[0], dtype=np.float32)
    return {cid: float(np.dot(vec, target)) for cid, vec in vectors.items()}


@dataclass
class Recommendation:
    candidate: Candidate
    match: matching.Match
    applied: bool


def _recalled(
    session: Session,
    principal: Principal,
    opening: Opening,
    needs: matching.OpeningNeeds,
    recall: int,
) -> list[int]:
    """Candidates worth scoring against the opening (see :func:`recommend`), newest first
    within each way of finding them; may repeat an id."""
    dialect = session.get_bind().dialect.name
    wanted = search.words(" ".join([opening.title, *needs.skills, *needs.majors]))
    recalled = search.any_words_condition(dialect, wanted)
    ids: list[int] = []
    if recalled is not None:
        ids = list(
            session.scalars(
                restrict(
                    select(CandidateSearch.candidate_id)
                    .where(recalled, CandidateSearch.tenant_id == principal.tenant_id)
                    .order_by(CandidateSearch.created_at.desc())
                    .limit(recall),
                    principal,
                    "candidates.search",
                    CandidateSearch,
                )
            )
        )
    if needs.skills:
        keys = [search.skill_key(s) for s in needs.skills]
        ids += list(
            session.scalars(
                restrict(
                    select(Candidate.id)
                    .where(
                        Candidate.id.in_(
                            select(CandidateSkill.candidate_id).where(
                                CandidateSkill.tenant_id == principal.tenant_id,
                                CandidateSkill.skill.in_(keys),
                            )
                        )
                    )
                    .order_by(Candidate.created_at.desc())
                    .limit(recall),
                    principal,
                    "candidates.search",
                    Candidate,
                )
            )
        )
    if len(set(ids)) < recall:
        # A small pool (or one whose documents share no word with the opening) is scored
        # whole: the newest candidates fill the recall up to its size.
        ids += list(
            session.scalars(
                restrict(
                    select(Candidate.id).order_by(Candidate.created_at.desc()).limit(recall),
                    principal,
                    "candidates.search",
                    Candidate,
                )
            )
        )
    return ids


def recommend(
    session: Session, principal: Principal, opening_id: int, *, limit: int = 20, recall: int = 300
) -> list[Recommendation]:
    """Pool candidates ranked by their match with an opening, each with the reasons (SPEC C4).

    Recall: the newest ``recall`` candidates whose documents contain any word of the title,
    skills or majors, the newest holding a required skill, and the newest candidates up to
    ``recall``, within the viewer's reach; then each is scored with
    :func:`hireflow.candidates.matching.match`.
    """
    require(principal, "candidates.search")
    opening = get_visible(session, Opening, opening_id, principal, "openings.read")
    needs = opening_needs(opening)
    ids = _recalled(session, principal, opening, needs, recall)
    ids = list(dict.fromkeys(ids))[: recall * 2]
    candidates = {c.id: c for c in session.scalars(select(Candidate).where(Candidate.id.in_(ids)))}
    similarities = _similarities(session, needs.text, ids)
    scores = latest_scores(session, ids)
    applied = set(
        session.scalars(
            select(Application.candidate_id).where(
                Application.opening_id == opening.id, Application.candidate_id.in_(ids)
            )
        )
    )
    ranked = sorted(
        (
            matching.match(
                cid,
                candidates[cid].profile or {},
                needs,
                similarities.get(cid),
                scores.get(cid, {}),
            )
            for cid in ids
            if cid in candidates
        ),
        key=lambda m: (-m.percent, -m.candidate_id),
    )
    session.commit()  # vectors computed on the way are kept
    return [
        Recommendation(candidates[m.candidate_id], m, m.candidate_id in applied)
        for m in ranked[:limit]
    ]


def candidate_portrait(
    session: Session, principal: Principal, candidate: Candidate, *, openings: int = 3
) -> dict[str, Any]:
    """A talent portrait (SPEC C5): strengths, development areas, suited job types, and the
    open openings the viewer may see whose requirements the person meets best."""
    scores = latest_scores(session, [candidate.id]).get(candidate.id, {})
    # the portrait names the person: a resume whose name was not read (or was cleared on
    # correction) still has the candidate's name
    profile = {**(candidate.profile or {})}
    profile["name"] = profile.get("name") or candidate.name
    result = matching.portrait(profile, scores, list_job_types()).to_dict()
    suited: list[dict[str, Any]] = []
    if principal.has("openings.read"):
        candidates_openings = list(
            session.scalars(
                restrict(
                    select(Opening).where(Opening.status == "open"),
                    principal,
                    "openings.read",
                    Opening,
                )
                .order_by(Opening.created_at.desc())
                .limit(50)
            )
        )
        # Requirements fit and interview scores only: a page view never waits for the
        # embedder (recommendations for an opening use semantic similarity too).
        for opening in candidates_openings:
            m = matching.match(
                candidate.id, candidate.profile or {}, opening_needs(opening), None, scores
            )
            suited.append({"opening_id": opening.id, "title": opening.title, "percent": m.percent})
        suited.sort(key=lambda s: -s["percent"])
    result["openings"] = suited[:openings]
    result["scores"] = scores
    return result


# --------------------------------------------------------------------------- one's own


@dataclass
class MyApplication:
    """What a candidate (or an employee applying internally) sees of one application."""

    application: Application
    invitations: list[Any] = field(default_factory=list)  # newest first, with their links


def my_applications(session: Session, principal: Principal) -> list[MyApplication]:
    """The caller's own applications with their interviews (``self.read``: candidates and
    employees see only themselves), newest first."""
    require(principal, "self.read")
    applications = list(
        session.scalars(
            restrict(select(Application), principal, "self.read", Application)
            .options(selectinload(Application.opening))
            .order_by(Application.created_at.desc(), Application.id.desc())
        )
    )
    invitations = list(
        session.scalars(
            restrict(select(Invitation), principal, "self.read", Invitation)
            .where(Invitation.status.not_in(("queued",)))
            .options(selectinload(Invitation.booking))
            .order_by(Invitation.id.desc())
        )
    )
    settings = get_settings()
    by_application: dict[tuple[int, int], list[Any]] = {}
    for invitation in invitations:
        link = None
        if invitation.status not in ("cancelled", "undeliverable", "completed"):
            policy = policy_for(session, invitation.tenant_id)
            link = "/i/" + messages.link_token(settings, invitation, policy)
        booking = invitation.booking
        by_application.setdefault((invitation.candidate_id, invitation.opening_id), []).append(
            {
                "invitation": invitation,
                "booking": booking if booking is not None and booking.status == "active" else None,
                "link": link,
            }
        )
    return [
        MyApplication(a, by_application.get((a.candidate_id, a.opening_id), []))
        for a in applications
    ]
