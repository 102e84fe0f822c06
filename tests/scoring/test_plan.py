"""Tests for the interview plan generator and HR's edits to a plan."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
import typer

from hireflow.scoring.cli_questions import questions_command
from hireflow.scoring.embedding import set_embedder
from hireflow.scoring.models import (
    CompetencyModel,
    ModelError,
    load_preset,
    model_from_dict,
    question_to_dict,
)
from hireflow.scoring.plan import generate_plan
from hireflow.scoring.plan_model import (
    PER_QUESTION_OVERHEAD_S,
    InterviewPlan,
    JobSpec,
    PlanError,
    load_job,
)
from hireflow.scoring.questions import SECTIONS, load_question_bank
from hireflow.scoring.text import content_words


class HashingEmbedder:
    """A small deterministic bag-of-words embedder, so plan tests run in milliseconds.

    It implements the same interface as the real embedder; one slow test below runs the
    planner with the real multilingual model.
    """

    name = "hashing-test"
    dim = 256

    def __init__(self) -> None:
        self.calls: list[int] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dim))
        for row, text in enumerate(texts):
            for word in content_words(text):
                out[row, zlib.crc32(word.encode()) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms


CS_JOB = JobSpec(
    title="客服专员",
    description="负责处理客户投诉和售后咨询，安抚情绪激动的客户，跟进退换货问题。",
    job_type="customer_service",
)
TECH_JOB = JobSpec(
    title="Backend engineer",
    description="Build Python services on MySQL and Redis, design REST APIs and debug "
    "production incidents.",
    job_type="technical",
    skills=("Python", "MySQL", "Redis"),
    language="en",
)
PLANT_JOB = JobSpec(
    title="生产班组长",
    description="负责冲压车间的安全生产、交接班和现场管理，带领操作工完成生产计划。",
    job_type="production",
)


def _plan(
    job: JobSpec, model: CompetencyModel, budget: int = 30, lang: str = "zh"
) -> InterviewPlan:
    return generate_plan(job, model, budget, lang, embedder=HashingEmbedder())


def test_plan_is_deterministic() -> None:
    model = load_preset(job_type="customer_service")
    first = _plan(CS_JOB, model)
    second = _plan(CS_JOB, model)
    assert first.to_dict() == second.to_dict()
    assert first == second


def test_embeddings_are_requested_in_one_batch() -> None:
    embedder = HashingEmbedder()
    generate_plan(TECH_JOB, load_preset(job_type="technical"), 45, "en", embedder=embedder)
    assert len(embedder.calls) == 1
    assert embedder.calls[0] > 30


@pytest.mark.parametrize(
    "job_type", ["technical", "sales", "production", "customer_service", "other"]
)
@pytest.mark.parametrize("budget", [10, 20, 30, 60, 90])
def test_plan_fits_the_budget_and_keeps_section_order(job_type: str, budget: int) -> None:
    job = JobSpec(title="岗位", description="", job_type=job_type, skills=("Python",))
    model = load_preset(job_type=job_type)
    plan = _plan(job, model, budget)
    assert plan.total_seconds <= budget * 60
    # A plan uses its time: less than one question's worth may be left over... or every
    # question of the pools is already in.
    assert budget * 60 - plan.total_seconds < 300
    sections = [SECTIONS.index(item.section) for item in plan.items]
    assert sections == sorted(sections)
    ids = [q.id for q in plan.questions]
    assert len(ids) == len(set(ids))
    if budget >= 20:
        assert plan.items[0].section == "warmup"
        assert plan.items[-1].section == "closing"
    if budget >= 45:
        assert not plan.check(model)
    elif budget >= 30:
        # Only a dimension worth less than half a question may go without one.
        weights = model.normalised_weights()
        for warning in plan.check(model):
            dim = warning.message.split("'")[1]
            assert weights[dim] * budget * 60 < 200, warning
    for item in plan.items:
        assert item.reason["zh"] and item.reason["en"]
        for dim in item.question.dimensions:
            model.dimension(dim)


def test_time_follows_the_weights() -> None:
    model = load_preset(job_type="sales")
    plan = _plan(JobSpec(title="销售代表", job_type="sales"), model, 90)
    seconds = plan.seconds_by_dimension()
    weights = model.normalised_weights()
    heavy = [d for d, w in weights.items() if w >= 0.2]
    light = [d for d, w in weights.items() if w <= 0.1]
    assert min(seconds[d] for d in heavy) > max(seconds[d] for d in light)
    assert all(seconds[d] > 0 for d in weights)


def test_reason_explains_weight_and_description_keywords() -> None:
    model = load_preset(job_type="customer_service")
    plan = _plan(CS_JOB, model)
    complaint = next(i for i in plan.items if i.question.id == "customer_orientation.b1")
    assert "客户导向" in complaint.reason["zh"] and "25%" in complaint.reason["zh"]
    # the description's own words, quoted as a phrase, not single keywords
    assert "“负责处理客户投诉和售后咨询”" in complaint.reason["zh"]
    assert complaint.reason["en"].startswith("Assesses Customer orientation (25% of the")
    assert "投诉" in complaint.matched_keywords


def test_english_description_keywords() -> None:
    job = JobSpec(
        title="Support agent",
        description="Handle customer complaints by phone and calm angry clients.",
        job_type="customer_service",
        language="en",
    )
    plan = _plan(job, load_preset(job_type="customer_service"), 30, "en")
    reasons = " ".join(i.reason["en"] for i in plan.items)
    assert "“Handle customer complaints by phone and calm angry clients”" in reasons
    assert "customer_orientation.s1" in {q.id for q in plan.questions}  # the angry client


def test_technical_job_gets_technical_questions_matched_to_skills() -> None:
    plan = _plan(TECH_JOB, load_preset(job_type="technical"), 45, "en")
    technical = [i for i in plan.items if i.section == "technical"]
    assert len(technical) >= 3
    topics = {t for i in technical for t in i.question.skills}
    assert "python" in topics and ({"databases", "redis", "sql"} & topics)
    assert all(i.question.dimensions[0] in {"technical_depth", "coding"} for i in technical)
    assert any("Python" in i.reason["en"] for i in technical)


def test_non_technical_job_gets_no_technical_questions() -> None:
    plan = _plan(CS_JOB, load_preset(job_type="customer_service"), 60)
    assert not [i for i in plan.items if i.section == "technical"]


def test_production_job_uses_manufacturing_questions_only() -> None:
    plan = _plan(PLANT_JOB, load_preset(job_type="production"), 45)
    bank = load_question_bank()
    industries = {i for q in plan.questions for i in bank.get(q.id).industries}
    assert "manufacturing" in industries
    assert "internet" not in industries and "retail" not in industries
    assert "safety_awareness" in plan.seconds_by_dimension()
    assert plan.seconds_by_dimension()["safety_awareness"] >= 300


def test_company_model_with_alias_names_uses_bank_questions() -> None:
    preset = load_preset(["communication", "teamwork"])
    anchors = [{"level": a.level, "text": a.text} for a in preset.dimensions[0].anchors]
    model = model_from_dict(
        {
            "id": "acme",
            "name": {"zh": "某公司模型"},
            "dimensions": [
                {
                    "id": "comm",
                    "name": {"zh": "沟通能力"},
                    "weight": 2,
                    "indicators": ["表达清楚"],
                    "anchors": anchors,
                },
                {
                    "id": "team",
                    "name": {"zh": "团队合作"},
                    "weight": 1,
                    "indicators": ["乐于助人"],
                    "anchors": anchors,
                },
            ],
        }
    )
    plan = _plan(JobSpec(title="专员"), model, 20)
    body = [i for i in plan.items if i.section not in ("warmup", "closing")]
    assert body and all(i.source == "bank" for i in body)
    assert {i.question.dimensions[0] for i in body} == {"comm", "team"}
    for item in plan.items:
        assert set(item.question.dimensions) <= {"comm", "team"}


def test_unknown_company_dimension_gets_generated_questions() -> None:
    preset = load_preset(["teamwork"])
    anchors = [{"level": a.level, "text": a.text} for a in preset.dimensions[0].anchors]
    model = model_from_dict(
        {
            "id": "plant",
            "name": {"zh": "设备岗", "en": "Equipment"},
            "dimensions": [
                {
                    "id": "equipment_care",
                    "name": {"zh": "设备维护", "en": "Equipment care"},
                    "weight": 1,
                    "indicators": [
                        {"zh": "按计划点检设备", "en": "checks equipment on schedule"},
                        {"zh": "及时记录故障", "en": "logs faults promptly"},
                    ],
                    "anchors": anchors,
                },
                {
                    "id": "teamwork",
                    "name": {"zh": "团队协作", "en": "Teamwork"},
                    "weight": 1,
                    "indicators": [{"zh": "分享信息", "en": "shares information"}],
                    "anchors": anchors,
                },
            ],
        }
    )
    plan = _plan(JobSpec(title="设备员"), model, 30)
    generated = [i for i in plan.items if i.source == "generated"]
    assert generated and all(i.question.dimensions == ("equipment_care",) for i in generated)
    assert "按计划点检设备" in generated[0].question.text["zh"]
    assert any("行为指标" in note["zh"] for note in plan.notes)


def test_technical_job_without_technical_dimension_says_so() -> None:
    plan = _plan(TECH_JOB, load_preset(["communication", "teamwork"]), 30, "en")
    assert not [i for i in plan.items if i.section == "technical"]
    assert any("no technical questions" in note["en"] for note in plan.notes)


def test_short_budget_notes_uncovered_dimensions() -> None:
    model = load_preset(job_type="technical")
    plan = _plan(TECH_JOB, model, 10, "en")
    assert plan.total_seconds <= 600
    covered = {i.question.dimensions[0] for i in plan.items if i.question.dimensions}
    missing = set(model.dimension_ids) - covered
    assert missing
    assert len([n for n in plan.notes if "no room" in n["en"]]) == len(missing)


@pytest.mark.parametrize("budget", [4, 241, "30", True, 30.5])
def test_bad_budget(budget: object) -> None:
    with pytest.raises(PlanError) as info:
        generate_plan(CS_JOB, load_preset(), budget, embedder=HashingEmbedder())  # type: ignore[arg-type]
    assert info.value.errors[0].location == "budget_minutes"


@pytest.mark.parametrize(("lang", "expected"), [("zh-CN", "zh"), ("en-US", "en"), ("ja", "en")])
def test_platform_language_codes(lang: str, expected: str) -> None:
    plan = generate_plan(CS_JOB, load_preset(), 20, lang, embedder=HashingEmbedder())
    assert plan.language == expected


# ------------------------------------------------------------------------ job spec


def test_job_spec_from_dict_and_file(tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(
        "job:\n  title: 后端工程师\n  job_type: technical\n  language: zh-CN\n"
        "  department: 研发部\n  requirements:\n    skills: Python，MySQL、 Redis\n",
        encoding="utf-8",
    )
    job = load_job(path)
    assert job.title == "后端工程师"
    assert job.skills == ("Python", "MySQL", "Redis")
    assert job.language == "zh"
    assert JobSpec.from_dict(job.to_dict()) == job


def test_job_spec_errors_are_collected() -> None:
    with pytest.raises(PlanError) as info:
        JobSpec.from_dict({"title": " ", "job_type": "astronaut", "skills": [1], "industry": 5})
    locations = [e.location for e in info.value.errors]
    assert locations == ["title", "job_type", "skills[0]", "industry"]
    assert isinstance(info.value, ModelError)


def test_job_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelError):
        load_job(tmp_path / "missing.yaml")
    with pytest.raises(PlanError):
        load_job({"job": "not a mapping"})


# -------------------------------------------------------------------------- editing


@pytest.fixture(scope="module")
def plan() -> InterviewPlan:
    return _plan(CS_JOB, load_preset(job_type="customer_service"), 30)


def test_add_question_before_closing_by_default(plan: InterviewPlan) -> None:
    bank = load_question_bank()
    new = plan.add_question(bank.get("teamwork.b2"))
    assert new.items[-1].section == "closing"
    assert new.items[-2].question.id == "teamwork.b2"
    assert new.items[-2].source == "hr"
    assert new.items[-2].reason["en"] == "Added by HR."
    assert len(plan.items) == len(new.items) - 1  # the original is unchanged
    assert new.total_seconds == plan.total_seconds + 180 + PER_QUESTION_OVERHEAD_S


def test_add_question_from_dict_at_position(plan: InterviewPlan) -> None:
    data = {
        "id": "hr.q1",
        "kind": "situational",
        "text": {"zh": "如果客户要求退全款，你会怎么办？"},
        "dimensions": ["customer_orientation"],
        "time_limit_s": 120,
    }
    model = load_preset(job_type="customer_service")
    new = plan.add_question(data, position=0, model=model)
    assert new.items[0].question.id == "hr.q1"
    assert new.items[0].section == "situational"


def test_add_question_errors(plan: InterviewPlan) -> None:
    existing = plan.items[2].question
    with pytest.raises(PlanError) as info:
        plan.add_question(existing, position=99)
    assert [e.location for e in info.value.errors] == ["question.id", "position"]
    bad = dict(question_to_dict(load_question_bank().get("leadership.b1")), id="hr.lead")
    with pytest.raises(ModelError) as info2:
        plan.add_question(bad, model=load_preset(job_type="customer_service"))
    assert "unknown dimension 'leadership'" in str(info2.value)


def test_remove_and_move(plan: InterviewPlan) -> None:
    target = plan.items[3].question.id
    removed = plan.remove_question(target)
    assert target not in {q.id for q in removed.questions}
    moved = plan.move_question(target, 0)
    assert moved.items[0].question.id == target
    with pytest.raises(PlanError):
        plan.remove_question("nope")
    with pytest.raises(PlanError):
        plan.move_question(target, len(plan.items))


def test_reorder(plan: InterviewPlan) -> None:
    ids = [q.id for q in plan.questions]
    reversed_plan = plan.reorder(list(reversed(ids)))
    assert [q.id for q in reversed_plan.questions] == list(reversed(ids))
    with pytest.raises(PlanError) as info:
        plan.reorder([ids[0], ids[0], "ghost"])
    locations = [e.location for e in info.value.errors]
    assert locations == ["question_ids[1]", "question_ids[2]", "question_ids"]


def test_check_warns_about_budget_and_coverage(plan: InterviewPlan) -> None:
    model = load_preset(job_type="customer_service")
    assert plan.check(model) == []
    crowded = plan
    for question in load_question_bank().filter(dimension="teamwork"):
        if question.id not in {q.id for q in crowded.questions}:
            crowded = crowded.add_question(question)
    messages = [str(w) for w in crowded.check(model)]
    assert any("exceeds the budget" in m for m in messages)
    integrity = [i.question.id for i in plan.items if "integrity" in i.question.dimensions]
    assert integrity
    thinner = plan
    for ident in integrity:
        thinner = thinner.remove_question(ident)
    assert "items: no question assesses dimension 'integrity'" in [
        str(w) for w in thinner.check(model)
    ]


# ---------------------------------------------------------------------- serialising


def test_json_round_trip(plan: InterviewPlan) -> None:
    text = plan.to_json()
    data = json.loads(text)
    assert data["total_seconds"] == plan.total_seconds
    assert InterviewPlan.from_json(text) == plan
    assert InterviewPlan.from_dict(plan.to_dict()) == plan


def test_from_dict_names_every_bad_field(plan: InterviewPlan) -> None:
    data = plan.to_dict()
    data["budget_minutes"] = 0
    data["language"] = "fr"
    data["items"][1]["section"] = "intermission"
    data["items"][2]["question"]["kind"] = "riddle"
    data["items"][3]["question"]["id"] = data["items"][4]["question"]["id"]
    with pytest.raises(PlanError) as info:
        InterviewPlan.from_dict(data)
    locations = [e.location for e in info.value.errors]
    assert "budget_minutes" in locations
    assert "language" in locations
    assert "items[1].section" in locations
    assert "items[2].question.kind" in locations
    assert "items[4].question.id" in locations


def test_from_json_syntax_error() -> None:
    with pytest.raises(PlanError) as info:
        InterviewPlan.from_json("{not json")
    assert info.value.errors[0].location.startswith("line 1")


@pytest.mark.slow
def test_plan_with_the_real_embedder_is_deterministic_and_relevant() -> None:
    model = load_preset(job_type="customer_service")
    first = generate_plan(CS_JOB, model, 30, "zh")
    second = generate_plan(CS_JOB, model, 30, "zh")
    assert first == second
    assert "customer_orientation.b1" in {q.id for q in first.questions}


# ---------------------------------------------------------------------- CLI command


@pytest.fixture
def fast_embedder() -> Iterator[HashingEmbedder]:
    embedder = HashingEmbedder()
    set_embedder(embedder)
    yield embedder
    set_embedder(None)


def _job_file(tmp_path: Path) -> Path:
    path = tmp_path / "job.yaml"
    path.write_text(
        "title: 后端工程师\njob_type: technical\nskills: [Python, MySQL]\n"
        "description: 负责 Python 后端服务开发和线上故障排查。\n",
        encoding="utf-8",
    )
    return path


def test_cli_json_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fast_embedder: HashingEmbedder
) -> None:
    plan = questions_command(_job_file(tmp_path), "en", 30, "json")
    out = capsys.readouterr().out
    assert InterviewPlan.from_json(out) == plan
    assert plan.language == "en"
    assert len(fast_embedder.calls) == 1


def test_cli_table_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fast_embedder: HashingEmbedder
) -> None:
    questions_command(_job_file(tmp_path), "zh", 45, "table")
    out = capsys.readouterr().out
    assert "后端工程师" in out and "面试题目" in out
    assert "选择原因" in out


def test_cli_with_a_dictionary_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fast_embedder: HashingEmbedder
) -> None:
    dictionaries = Path(__file__).resolve().parents[1] / "data" / "scoring" / "dictionaries"
    plan = questions_command(
        _job_file(tmp_path), "zh", 30, "json", model=dictionaries / "plant_zh.csv"
    )
    dims = {d for q in plan.questions for d in q.dimensions}
    assert dims <= {"safety", "comm", "equipment", "teamwork"}
    assert any(i.source == "generated" for i in plan.items)  # 设备维护 has no bank questions


def test_cli_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fast_embedder: HashingEmbedder
) -> None:
    with pytest.raises(typer.Exit) as info:
        questions_command(_job_file(tmp_path), "zh", 30, "xml")
    assert info.value.exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: ''\njob_type: pilot\n", encoding="utf-8")
    with pytest.raises(typer.Exit):
        questions_command(bad, "zh", 30, "table")
    err = capsys.readouterr().err
    assert "title: is required" in err and "job_type: 'pilot'" in err
    with pytest.raises(typer.Exit):
        questions_command(_job_file(tmp_path), "zh", 2, "table")
    assert "budget_minutes" in capsys.readouterr().err


GO_JOB = JobSpec(
    title="后端开发工程师",
    description="负责公司核心业务系统的后端开发，使用 Go 和 MySQL，参与微服务架构设计，保障系统稳定性。",
    job_type="technical",
    skills=("Go", "MySQL", "Kubernetes"),
)
GO_JOB_EN = JobSpec(
    title="Backend Engineer",
    description="Build and operate our order platform APIs in Go. You will use PostgreSQL and "
    "Kafka, design services and be on call.",
    job_type="technical",
    skills=("Go", "PostgreSQL"),
    language="en",
)


@pytest.mark.parametrize(("job", "lang"), [(GO_JOB, "zh"), (GO_JOB_EN, "en")])
def test_reasons_are_sentences_not_keyword_leftovers(job: JobSpec, lang: str) -> None:
    plan = _plan(job, load_preset(job_type="technical"), 30, lang)
    for item in plan.items:
        for language in ("zh", "en"):
            reason = item.reason[language]
            # a short word match is never a reason ("'go'" from "go about", "使用")
            assert "'go'" not in reason and "“go”" not in reason, reason
            assert "“使用”" not in reason and "'use'" not in reason, reason
            assert "提到" not in reason and "mentions '" not in reason, reason
            assert not re.search(r"\d\.\d\d", reason), reason  # no raw similarity figures
            assert reason.endswith(("。", ".")), reason
        if item.source == "bank" and item.section not in ("warmup", "closing"):
            assert item.reason["en"].startswith("Assesses "), item.reason["en"]


@pytest.mark.parametrize(("job", "lang"), [(GO_JOB, "zh"), (GO_JOB_EN, "en"), (TECH_JOB, "en")])
def test_a_backend_role_gets_no_sales_questions(job: JobSpec, lang: str) -> None:
    bank = load_question_bank()
    for budget in (30, 60):
        plan = _plan(job, load_preset(job_type="technical"), budget, lang)
        for question in plan.questions:
            text = question.text["zh"] + question.text["en"]
            assert "销售" not in text and "sales" not in text.lower(), question.id
            known = {q.id for q in bank}
            written_for = bank.get(question.id).job_types if question.id in known else ()
            assert not written_for or "technical" in written_for, question.id


def test_sales_roles_still_get_their_own_questions() -> None:
    plan = _plan(JobSpec(title="销售代表", job_type="sales"), load_preset(job_type="sales"), 60)
    bank = load_question_bank()
    known = {q.id for q in bank}
    assert any("sales" in bank.get(q.id).job_types for q in plan.questions if q.id in known)
