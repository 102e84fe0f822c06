"""Full-text search of the talent pool (SPEC C3): documents, words, and the database's index.

Each candidate has one search document in two parts:

* the *head*: name, titles, skills (canonical name and Chinese label), companies, schools,
  majors, degrees, location, industries, languages;
* the *body*: job descriptions and the resume text (contacts scrubbed).

Text becomes words the same way for documents and queries (:func:`words`): NFKC, case-folded;
Chinese runs segmented by jieba in search mode (``机械工程`` → 机械, 工程, 机械工程); Latin runs
split into letters and digits with ``C++``, ``C#``, ``.NET`` kept apart from ``C``; Chinese
words of the head also give their character bigrams, so a word jieba does not know
(``后端`` inside ``高级后端工程师``) is still found in titles and skills. Every word is made of
letters and digits only, so the database's tokenizer sees exactly these words.

A query is a list of terms, all of which must match (:func:`query_terms`); a Chinese run is one
term that matches the run itself, or all its jieba words, or all its sub-words, or (three
characters and more) all its bigrams (``机械工程`` finds ``机械工程师``). The database does the
matching: FTS5 (``candidate_fts``) on SQLite, a ``tsvector`` with a GIN index on PostgreSQL,
built from the same words so both give the same results. Sorting "by match" puts first the
candidates with more query terms in their head (:func:`keyword_clause`), then the newest.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, case, cast, column, delete, func, select, update
from sqlalchemy import table as sa_table
from sqlalchemy import text as sa_text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from hireflow.candidates.fts import DELETE_ROW, FTS_TABLE, INSERT_ROW
from hireflow.candidates.models import Candidate, CandidateResume, CandidateSearch, CandidateSkill
from hireflow.candidates.resume_model import DEGREE_LABELS
from hireflow.candidates.skills import normalise_skill, skill_label
from hireflow.core.audit import scrub
from hireflow.core.db import utcnow
from hireflow.scoring.presets import industry_labels

MAX_QUERY_WORDS = 12
MAX_BODY_CHARS = 20_000
HEAD_WEIGHT = 3.0  # bm25 weight of the head column against the body on SQLite

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|\.?[a-z0-9][a-z0-9+#.]*")
_SPECIAL = {"c++": "cplusplus", "c#": "csharp", "f#": "fsharp", ".net": "dotnet"}
_NON_ALNUM = re.compile(r"[^a-z0-9]")
_STOP = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "在",
        "是",
        "有",
        "等",
        "对",
        "为",
        "将",
        "把",
        "被",
        "就",
        "也",
        "都",
        "而",
        "并",
        "个",
        "其",
        "该",
        "于",
        "以",
        "中",
        "上",
        "下",
        "a",
        "an",
        "and",
        "or",
        "of",
        "the",
        "in",
        "on",
        "at",
        "to",
        "for",
        "with",
        "by",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "from",
        "this",
        "that",
    ]
)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@lru_cache(maxsize=20_000)
def _cjk_words(run: str) -> tuple[str, ...]:
    import jieba  # on first use: a second to import, and only CJK text needs it

    return tuple(w for w in jieba.cut_for_search(run) if w.strip())


def _latin_word(token: str) -> str:
    token = token.rstrip(".")
    if token in _SPECIAL:
        return _SPECIAL[token]
    if token.startswith("."):
        token = "dot" + token[1:]
    token = token.replace("++", "plusplus").replace("#", "sharp")
    return _NON_ALNUM.sub("", token)


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


@lru_cache(maxsize=10_000)
def _words_cached(text: str, bigrams: bool) -> tuple[str, ...]:
    out: list[str] = []
    for match in _RUNS.finditer(_fold(text)):
        run = match.group(0)
        if "\u3400" <= run[0] <= "\ufaff":
            out.extend(w for w in _cjk_words(run) if w not in _STOP)
            if bigrams and len(run) >= 2:
                out.extend(_bigrams(run))
        else:
            word = _latin_word(run)
            if word and word not in _STOP:
                out.append(word)
    return tuple(out)


def clear_caches() -> None:
    """Forget the words of texts segmented so far (an erased person's resume among them)."""
    _cjk_words.cache_clear()
    _words_cached.cache_clear()


def words(text: str, *, bigrams: bool = False) -> list[str]:
    """The index words of ``text`` (see the module docstring); order kept, repeats kept."""
    if not text:
        return []
    if len(text) <= 200:
        return list(_words_cached(text, bigrams))
    return list(_words_cached.__wrapped__(text, bigrams))


def _prune(options: list[list[str]]) -> list[list[str]]:
    """Drop alternatives that can only match a subset of another's matches (a superset of
    another's words): the database then intersects fewer posting lists for the same result."""
    kept: list[list[str]] = []
    for option in options:
        words_ = set(option)
        if any(set(other) < words_ for other in options if other is not option):
            continue
        kept.append(option)
    return kept


def query_terms(query: str) -> list[list[list[str]]]:
    """A query as AND-ed terms; each term is a list of alternatives (each an AND of words).

    A Chinese run is one term: the run itself, or its jieba words, or its jieba search-mode
    sub-words, or (three characters and more) its bigrams, e.g. ``"机械工程 Python"`` →
    ``[[["机械工程"], ["机械", "工程"], ["机械", "械工", "工程"]], [["python"]]]``.
    """
    import jieba  # on first use, as in _cjk_words

    terms: list[list[list[str]]] = []
    seen: set[str] = set()
    for match in _RUNS.finditer(_fold(query[:200])):
        run = match.group(0)
        if "\u3400" <= run[0] <= "\ufaff":
            if run in _STOP:
                continue
            options = [[run]]
            for pieces in (
                [w for w in jieba.cut(run) if w.strip() and w not in _STOP],
                [w for w in _cjk_words(run) if w != run and w not in _STOP],
            ):
                pieces = list(dict.fromkeys(pieces))
                if pieces and pieces != [run] and pieces not in options:
                    options.append(pieces)
            if len(run) > 2:
                grams = list(dict.fromkeys(_bigrams(run)))
                if grams not in options:
                    options.append(grams)
        else:
            word = _latin_word(run)
            if not word or word in _STOP:
                continue
            options = [[word]]
            run = word
        if run in seen:
            continue
        seen.add(run)
        terms.append(_prune(options))
        if len(terms) >= MAX_QUERY_WORDS:
            break
    return terms


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class SearchDocument:
    head: list[str]
    body: list[str]
    skills: list[str]


def _strings(values: Iterable[Any]) -> list[str]:
    return [str(v) for v in values if isinstance(v, str | int | float) and str(v).strip()]


def build_document(
    profile: dict[str, Any], *, name: str, location: str, resume_text: str = ""
) -> SearchDocument:
    """The head and body words and the skill keys of a candidate (pure).

    Bigrams are added for the short texts where jieba misses domain words (name, location,
    titles, skills, majors), not for long names of companies and schools, whose jieba
    words suffice and whose bigrams would double the size of the index.
    """
    short: list[str] = [name, location, str(profile.get("location") or "")]
    plain: list[str] = []
    body_texts: list[str] = []
    skill_keys: list[str] = []
    for skill in _strings(profile.get("skills", [])):
        canonical = normalise_skill(skill) or skill
        skill_keys.append(skill_key(canonical))
        short.extend({canonical, skill_label(canonical, "zh"), skill})
    for entry in profile.get("education", []) or []:
        if not isinstance(entry, dict):
            continue
        plain.extend(_strings([entry.get("school")]))
        short.extend(_strings([entry.get("major")]))
        degree = entry.get("degree")
        if degree in DEGREE_LABELS:
            plain.extend(DEGREE_LABELS[degree].values())
    industries = industry_labels()
    for entry in profile.get("work", []) or []:
        if not isinstance(entry, dict):
            continue
        plain.extend(_strings([entry.get("company")]))
        short.extend(_strings([entry.get("title")]))
        industry = entry.get("industry")
        if industry in industries:
            plain.extend(industries[industry].values())
        body_texts.extend(_strings([entry.get("description")]))
    for language in profile.get("languages", []) or []:
        if isinstance(language, dict):
            plain.extend(_strings([language.get("language"), language.get("level")]))
    if resume_text:
        body_texts.append(scrub(resume_text[:MAX_BODY_CHARS]))
    # The name is searchable through the head only (docs/security.md): the body keeps no
    # copy of it, so the index holds the name once, where it is documented.
    unnamed = re.compile(re.escape(name.strip()), re.IGNORECASE) if name.strip() else None
    if unnamed is not None:
        body_texts = [unnamed.sub(" ", text) for text in body_texts]
    head = [w for text in short if text for w in words(text, bigrams=True)]
    head += [w for text in plain if text for w in words(text)]
    body = [w for text in body_texts for w in words(text)]
    return SearchDocument(head, body, list(dict.fromkeys(k for k in skill_keys if k)))


def skill_key(skill: str) -> str:
    """How a skill is stored for filtering: its canonical name, case-folded."""
    canonical = normalise_skill(skill) or skill.strip()
    return _fold(canonical)[:80]


def tsvector_literal(head: Sequence[str], body: Sequence[str] = ()) -> str:
    """A PostgreSQL ``tsvector`` literal: head words with weight A (one position each, which
    is what carries the weight), body words without positions.

    Words are letters and digits only (see :func:`words`), so quoting them is enough.
    """
    head_words = dict.fromkeys(w for w in head if w)
    parts = [f"'{w}':1A" for w in head_words]
    parts += [f"'{w}'" for w in dict.fromkeys(body) if w and w not in head_words]
    return " ".join(parts)


def store_document(session: Session, candidate: Any, document: SearchDocument) -> None:
    """Insert or replace a candidate's pool row and skills (no commit)."""
    dialect = session.get_bind().dialect.name
    row = session.get(CandidateSearch, candidate.id)
    if row is None:
        row = CandidateSearch(candidate_id=candidate.id, tenant_id=candidate.tenant_id)
        session.add(row)
    row.created_at = candidate.created_at or utcnow()
    row.highest_degree_rank = candidate.highest_degree_rank or 0
    row.years_experience = candidate.years_experience or 0.0
    row.is_internal = bool(candidate.is_internal)
    row.source = (candidate.source or "")[:40]
    row.location = (candidate.location or "")[:200]
    row.updated_at = utcnow()
    if dialect == "postgresql":
        row.tsv = cast(  # type: ignore[assignment]
            bindparam("tsv", tsvector_literal(document.head, document.body)), postgresql.TSVECTOR
        )
    else:
        session.flush()
        session.execute(sa_text(DELETE_ROW), {"candidate_id": candidate.id})
        session.execute(
            sa_text(INSERT_ROW),
            {
                "candidate_id": candidate.id,
                "document": " ".join(document.head),
                "body": " ".join(document.body),
            },
        )
    session.execute(delete(CandidateSkill).where(CandidateSkill.candidate_id == candidate.id))
    session.add_all(
        CandidateSkill(candidate_id=candidate.id, tenant_id=candidate.tenant_id, skill=key)
        for key in document.skills
    )
    session.flush()


# --------------------------------------------------------------------------- queries

Terms = list[list[list[str]]]


def _fts5_group(words_: list[str]) -> str:
    inner = " AND ".join(f'"{w}"' for w in words_)
    return f"({inner})" if len(words_) > 1 else inner


def _fts5_term(alternatives: list[list[str]]) -> str:
    options = " OR ".join(_fts5_group(a) for a in alternatives)
    return f"({options})" if len(alternatives) > 1 else options


def _fts5_query(terms: Terms) -> str:
    return " AND ".join(_fts5_term(t) for t in terms)


def _ts_group(words_: list[str], weight: str = "") -> str:
    inner = " & ".join(f"'{w}'{weight}" for w in words_)
    return f"({inner})" if len(words_) > 1 else inner


def _ts_term(alternatives: list[list[str]], weight: str = "") -> str:
    return "(" + " | ".join(_ts_group(a, weight) for a in alternatives) + ")"


def _tsquery(terms: Terms, weight: str = "") -> str:
    return " & ".join(_ts_term(t, weight) for t in terms)


def _fts_rowids(name: str, expression: str) -> Any:
    """``SELECT rowid FROM candidate_fts WHERE candidate_fts MATCH :name`` (SQLite)."""
    fts = sa_table(FTS_TABLE, column("rowid"))
    return select(fts.c.rowid).where(
        sa_text(f"{FTS_TABLE} MATCH :{name}").bindparams(**{name: expression})
    )


@dataclass(frozen=True)
class KeywordMatch:
    """How a keyword query reads in SQL (conditions on ``CandidateSearch``).

    ``condition``: every term matches somewhere in the document; ``head_hits``: one 0/1
    expression per term, 1 when the term is in the head; ``all_in_head``: every term is in
    the head (an index can answer it).
    """

    condition: Any
    head_hits: list[Any]
    all_in_head: Any

    def tiers(self) -> list[tuple[int, Any]]:
        """(relevance, condition) from the best tier down: all terms in the head, then one
        fewer... then none (each within ``condition``, which the query already holds). Each
        tier is read newest first, so a common word stops after a page of rows instead of
        ranking every match."""
        count = len(self.head_hits)
        total = self.head_hits[0]
        for hit in self.head_hits[1:]:
            total = total + hit
        tiers: list[tuple[int, Any]] = [(count, self.all_in_head)]
        for relevance in range(count - 1, -1, -1):
            tiers.append((relevance, total == relevance))
        return tiers

    @property
    def relevance(self) -> Any:
        """The number of terms in the head, as one expression (for a single sorted query)."""
        total = self.head_hits[0]
        for hit in self.head_hits[1:]:
            total = total + hit
        return total


def keyword_clause(dialect: str, terms: Terms) -> KeywordMatch:
    """The SQL of a keyword query on this database (see :class:`KeywordMatch`).

    Relevance is the number of query terms found in the head of the document (name, titles,
    skills, companies, schools, majors, location): a candidate whose job titles say "后端"
    ranks above one whose job description mentions it; ties go to the newest candidate.
    Tiers of equal relevance are read newest first with the database's own index, where
    bm25 / ts_rank would read the word positions of every match (hundreds of milliseconds
    for a common word in a pool of 100,000).
    """
    if dialect == "sqlite":
        condition = CandidateSearch.candidate_id.in_(_fts_rowids("fts_query", _fts5_query(terms)))
        in_head = [
            CandidateSearch.candidate_id.in_(
                _fts_rowids(f"fts_head_{i}", "{document} : " + _fts5_term(term))
            )
            for i, term in enumerate(terms)
        ]
        all_in_head = CandidateSearch.candidate_id.in_(
            _fts_rowids("fts_head_all", "{document} : (" + _fts5_query(terms) + ")")
        )
    else:
        query = cast(bindparam("ts_query", _tsquery(terms)), postgresql.TSQUERY)
        condition = CandidateSearch.tsv.op("@@", is_comparison=True)(query)
        # ':A' restricts a word to the head (weight A); evaluated on the row already read.
        in_head = [
            CandidateSearch.tsv.op("@@", is_comparison=True)(
                cast(bindparam(f"ts_head_{i}", _ts_term(term, ":A")), postgresql.TSQUERY)
            )
            for i, term in enumerate(terms)
        ]
        all_in_head = CandidateSearch.tsv.op("@@", is_comparison=True)(
            cast(bindparam("ts_head_all", _tsquery(terms, ":A")), postgresql.TSQUERY)
        )
    hits = [case((hit, 1), else_=0) for hit in in_head]
    return KeywordMatch(condition, hits, all_in_head)


def any_words_condition(dialect: str, wanted: Sequence[str]) -> ColumnElement[bool] | None:
    """A condition on ``CandidateSearch``: the document holds any of ``wanted`` (or None)."""
    unique = list(dict.fromkeys(w for w in wanted if w))[:40]
    if not unique:
        return None
    if dialect == "sqlite":
        return CandidateSearch.candidate_id.in_(
            _fts_rowids("any_query", " OR ".join(f'"{w}"' for w in unique))
        )
    query = cast(bindparam("any_query", " | ".join(f"'{w}'" for w in unique)), postgresql.TSQUERY)
    return CandidateSearch.tsv.op("@@", is_comparison=True)(query)


# --------------------------------------------------------------------------- derived index


def missing_text_rows(session: Session, tenant_id: int | None = None) -> list[int]:
    """Pool rows whose words are missing from the full-text index (SQLite: no FTS5 row, as
    after a restore, which copies tables but not the virtual table; PostgreSQL: no ``tsv``)."""
    stmt = select(CandidateSearch.candidate_id).order_by(CandidateSearch.candidate_id)
    if tenant_id is not None:
        stmt = stmt.where(CandidateSearch.tenant_id == tenant_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.where(CandidateSearch.tsv.is_(None))
    else:
        stmt = stmt.where(
            ~CandidateSearch.candidate_id.in_(select(sa_table(FTS_TABLE, column("rowid")).c.rowid))
        )
    return list(session.scalars(stmt))


def text_index_counts(session: Session) -> tuple[int, int]:
    """(pool rows, rows with their words indexed): equal when the index is whole."""
    pool = int(session.scalar(select(func.count()).select_from(CandidateSearch)) or 0)
    return pool, pool - len(missing_text_rows(session))


def rebuild_text_index(session: Session, candidate_ids: Sequence[int]) -> int:
    """Write the full-text words of existing pool rows, touching nothing else (no commit).

    A restore uses it: the restored tables must stay identical to the backup, only the index
    the backup could not carry (SQLite's FTS5 table; ``tsv`` of a backup made on SQLite) is
    rebuilt from the candidate and their newest resume.
    """
    dialect = session.get_bind().dialect.name
    done = 0
    for candidate_id in candidate_ids:
        candidate = session.get(Candidate, candidate_id)
        if candidate is None:
            continue
        latest = session.scalars(
            select(CandidateResume)
            .where(CandidateResume.candidate_id == candidate_id)
            .order_by(CandidateResume.id.desc())
        ).first()
        document = build_document(
            candidate.profile or {},
            name=candidate.name,
            location=candidate.location,
            resume_text=(latest.text if latest is not None else "") or "",
        )
        if dialect == "postgresql":
            session.execute(
                update(CandidateSearch)
                .where(CandidateSearch.candidate_id == candidate_id)
                .values(
                    tsv=cast(
                        bindparam("tsv", tsvector_literal(document.head, document.body)),
                        postgresql.TSVECTOR,
                    )
                )
            )
        else:
            session.execute(sa_text(DELETE_ROW), {"candidate_id": candidate_id})
            session.execute(
                sa_text(INSERT_ROW),
                {
                    "candidate_id": candidate_id,
                    "document": " ".join(document.head),
                    "body": " ".join(document.body),
                },
            )
        done += 1
    return done
