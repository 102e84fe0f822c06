"""Fit the learned parts of the scoring engine on the DEV split of the graded set.

Writes the fitted model of one embedder (hireflow/scoring/learned_model*.json and the
catalogue vectors learned_catalogue*.bin, see learned.MODEL_FILES):

1. sentence roles: multinomial logistic regression on sentence embeddings. Training sentences:
   the parts of the dev stories (situation, task, actions, results), the general claims of
   the dev vague answers, the sentences of the dev negative and dismissive answers, the
   question bank (class "question") and the company descriptions below (class "company").
2. relevance gate: logistic regression over the three gate features; an answer addresses
   its question unless it is a right-story-wrong-question pair, a fabricated story about
   another situation, company boilerplate or a refusal.
3. level model: least squares of the human grade on the level features with each weight
   held to its rubric sign (scipy nnls on sign-flipped features), over dev answers that
   address their question; indicator coverage and the nearest anchor keep a floor weight.

Fitting reads the dev split of the graded set and the dev split of the older evaluation set
(tests/data/scoring/eval, 80 answers incl. situational questions).

Nothing from either test split is read.
Usage: .venv/bin/python bench/scoring_fit.py [--embedder e5|use] [--out DIR]
``--out DIR`` writes the model and catalogue files into DIR (same names) instead of over the
shipped ones, e.g. to compare a refit with them (tests/scoring/test_fit_reproducible.py).
With e5 the centre file (embedding_e5_centre.bin) is still the shipped one: the fit embeds
with it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import nnls
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
GRADED = ROOT / "tests" / "data" / "scoring" / "graded"
EVAL = ROOT / "tests" / "data" / "scoring" / "eval"
sys.path.insert(0, str(ROOT))

from hireflow.scoring import learned  # noqa: E402
from hireflow.scoring.analysis import analyse_interview  # noqa: E402
from hireflow.scoring.embedding import EmbedderConfig, get_embedder  # noqa: E402
from hireflow.scoring.engine import level_features  # noqa: E402
from hireflow.scoring.interview import Answer, InterviewInput  # noqa: E402
from hireflow.scoring.models import load_model, question_from_dict, read_structured_file  # noqa: E402

# Company self-descriptions and slogans (written for fitting; not in the graded set).
COMPANY = [
    "We are a global leader in logistics with offices in 30 cities.",
    "Our vision is to become the most trusted partner of our clients.",
    "The company has won the best employer award three years in a row.",
    "Founded in 2010, the firm now serves more than five million users.",
    "Our values are integrity, customer focus and teamwork.",
    "The headquarters are in Shenzhen and the research centre is in Hangzhou.",
    "We offer flexible working hours, free lunch and a gym.",
    "The group listed on the Hong Kong stock exchange in 2018.",
    "公司是行业领先的物流服务商，在三十个城市设有分支机构。",
    "我们的愿景是成为客户最信赖的合作伙伴。",
    "公司连续三年获得最佳雇主奖。",
    "公司成立于2010年，目前服务五百多万用户。",
    "我们的价值观是诚信、客户至上和团队合作。",
    "总部位于深圳，研发中心在杭州。",
    "公司提供弹性工作时间、免费午餐和健身房。",
    "集团于2018年在香港联交所上市。",
]
FLOORS = {"evidence": 0.5, "anchor": 0.5}
BANK_MAP = {"learning_ability": "learning_agility", "results_orientation": "achievement_drive"}


def split(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?。！？])\s*", text.strip()) if s.strip()]


def role_examples() -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []

    def add(items: list[str], role: str) -> None:
        for t in items:
            texts.append(t)
            labels.append(role)

    other = read_structured_file(GRADED / "other.yaml", "data file")
    items = [json.loads(line) for line in (GRADED / "answers.jsonl").open(encoding="utf-8")]
    dev_ids = {i["id"] for i in items if i["split"] == "dev"}
    for lang in ("en", "zh"):
        stories = read_structured_file(GRADED / f"stories_{lang}.yaml", "data file")
        for comp, entries in stories.items():
            for si, st in enumerate(entries):
                if f"{comp}-{lang}-{si + 1}-full" not in dev_ids:
                    continue
                add([st["s"]], "situation")
                add([st["t"]], "task")
                add(st["a"], "action")
                add([st["rn"], st["rp"]], "result")
            if f"{comp}-{lang}-vague" in dev_ids:
                add(split(other["vague"][lang][comp]), "claim")
            if f"{comp}-{lang}-negative" in dev_ids:
                add(split(other["negative"][lang][comp]), "negative")
        for ci, text in enumerate(other["dismissive"][lang]):
            if ci != 2:
                add(split(text), "negative")
        add(split(other["boilerplate"][lang][0]), "company")
    add(COMPANY, "company")
    cat = learned.catalogue()
    for lang in ("en", "zh"):
        add([t for _, t in cat["questions"][lang]], "question")
    return texts, labels


def write(data: dict) -> None:
    learned.MODEL_FILES[data["embedder"]][0].write_text(
        json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n", encoding="utf-8"
    )
    learned._read_model.cache_clear()


def redirect(out: Path) -> None:
    """Point learned.MODEL_FILES into ``out``: the fit writes there, and its second stage
    reads the roles and catalogue vectors its first stage wrote there."""
    out.mkdir(parents=True, exist_ok=True)
    for name, (model_file, vectors_file) in list(learned.MODEL_FILES.items()):
        learned.MODEL_FILES[name] = (out / model_file.name, out / vectors_file.name)
    learned._read_model.cache_clear()


def write_e5_centre(texts: list[str]) -> None:
    """The mean raw e5 vector of a broad sample of work texts (embedding.E5_CENTRE_FILE)."""
    from hireflow.scoring.embedding import E5_CENTRE_FILE, E5Embedder

    items = [json.loads(line) for line in (GRADED / "answers.jsonl").open(encoding="utf-8")]
    sample = list(texts)
    for item in items:
        if item["split"] == "dev":
            sample += split(item["answer"])[:4]
    sample += learned.catalogue_texts("zh") + learned.catalogue_texts("en")
    raw = E5Embedder(centred=False).embed(list(dict.fromkeys(sample))).astype(np.float64)
    E5_CENTRE_FILE.write_bytes(np.round(raw.mean(axis=0), 6).astype("<f4").tobytes())
    print(f"e5 centre: mean of {len(raw)} texts")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedder", default="e5", choices=["e5", "use"])
    parser.add_argument(
        "--out", type=Path, help="directory for the fitted files (default: shipped)"
    )
    args = parser.parse_args()
    kind = args.embedder
    if args.out is not None:
        redirect(args.out)
    texts, labels = role_examples()
    if kind == "e5" and args.out is None:
        write_e5_centre(texts)
    embedder = get_embedder(EmbedderConfig(kind=kind))
    vectors = embedder.embed(texts).astype(np.float64)
    clf = LogisticRegression(C=4.0, max_iter=5000).fit(vectors, labels)
    order = [list(clf.classes_).index(r) for r in learned.ROLES]
    story_kinds = ("situation", "task", "action", "result")
    story_mean = vectors[[lab in story_kinds for lab in labels]].mean(axis=0)
    cat = learned.catalogue()
    question_mean = {
        lang: embedder.embed([t for _, t in cat["questions"][lang]]).astype(np.float64).mean(axis=0)
        for lang in ("en", "zh")
    }
    # The competency classifier reads only the catalogue (rubric texts and bank questions of
    # the product's presets), never the graded answers, so it cannot memorise their stories.
    comp_texts, comp_labels = [], []
    for cid, prof in cat["profiles"].items():
        for lang in ("en", "zh"):
            comp_texts += prof[lang]
            comp_labels += [cid] * len(prof[lang])
    for lang in ("en", "zh"):
        for cid, text in cat["questions"][lang]:
            comp_texts.append(text)
            comp_labels.append(cid)
    comp_vecs = embedder.embed(comp_texts).astype(np.float64) - story_mean
    comp_vecs /= np.linalg.norm(comp_vecs, axis=1, keepdims=True)
    comp = LogisticRegression(C=1.0, max_iter=5000).fit(comp_vecs, comp_labels)
    data = {
        "embedder": embedder.name,
        "dim": int(embedder.dim),
        "fitted_on": "tests/data/scoring/graded dev split (bench/scoring_fit.py)",
        "roles": {
            "coef": np.round(clf.coef_[order], 6).tolist(),
            "intercept": np.round(clf.intercept_[order], 6).tolist(),
            "examples": {r: labels.count(r) for r in learned.ROLES},
        },
        "story_mean": np.round(story_mean, 6).tolist(),
        "question_mean": {k: np.round(v, 6).tolist() for k, v in question_mean.items()},
        "competency": {
            "classes": list(comp.classes_),
            "coef": np.round(comp.coef_, 6).tolist(),
            "intercept": np.round(comp.intercept_, 6).tolist(),
            "examples": len(comp_texts),
        },
        # Neutral gate and level until stage 2 has fitted them.
        "gate": {
            "intercept": 10.0,
            "coef": dict.fromkeys(learned.GATE_FEATURES, 0.0),
            "mean": dict.fromkeys(learned.GATE_FEATURES, 0.0),
            "scale": dict.fromkeys(learned.GATE_FEATURES, 1.0),
        },
        "level": {"intercept": 1.0, "coef": dict.fromkeys(learned.LEVEL_FEATURES, 0.0)},
    }
    write(data)
    print(f"roles: {len(texts)} sentences {data['roles']['examples']}")
    catalogue_texts = learned.catalogue_texts("zh") + learned.catalogue_texts("en")
    learned.MODEL_FILES[embedder.name][1].write_bytes(
        embedder.embed(catalogue_texts).astype("<f4").tobytes()
    )

    model = load_model(GRADED / "model.yaml")
    questions = {
        q["id"]: question_from_dict(q)
        for q in read_structured_file(GRADED / "questions.yaml", "data file")
    }
    items = [json.loads(line) for line in (GRADED / "answers.jsonl").open(encoding="utf-8")]
    dev = [dict(i, model=model, questions=questions) for i in items if i["split"] == "dev"]
    # The dev split of the older evaluation set too (behavioural and situational questions,
    # eight competencies): its test split stays held out.
    old_model = load_model(EVAL / "model.yaml")
    old_questions = {
        q["id"]: question_from_dict(q)
        for q in read_structured_file(EVAL / "questions.yaml", "data file")
    }
    for path in sorted((EVAL / "items").glob("*.yaml")):
        for item in read_structured_file(path, "data file"):
            if item["split"] != "dev":
                continue
            styles = set(item["style"])
            dev.append(
                {
                    "answer": item["answer"],
                    "language": item["language"],
                    "question": item["question"],
                    "dimension": item["dimension"],
                    "grade": item["grade"],
                    "style": "off_topic" if styles & {"off_topic", "refusal"} else "eval",
                    "model": old_model,
                    "questions": old_questions,
                }
            )
    gate_x, gate_y, level_x, level_y = [], [], [], []
    off = {
        "right_story_wrong_question",
        "fabricated_off_topic",
        "boilerplate_only",
        "dismissive",
        "off_topic",
    }
    for item in dev:
        model, questions = item["model"], item["questions"]
        dim_id = item.get("dimension", item["question"])
        question = questions[item["question"]]
        interview = InterviewInput(
            language=item["language"],
            model=model,
            questions=(question,),
            answers=(Answer(question.id, item["answer"]),),
        )
        analysis = analyse_interview(interview, embedder, use_learned=True)[0]
        evidence = analysis.evidence_for(dim_id)
        gate_x.append([evidence.gate[n] for n in learned.GATE_FEATURES])
        gate_y.append(0 if item["style"] in off else 1)
        if item["style"] not in off:
            feats = level_features(analysis, dim_id)
            level_x.append([learned.LEVEL_FEATURES[n] * feats[n] for n in learned.LEVEL_FEATURES])
            level_y.append(float(item["grade"]))
    gx = np.array(gate_x)
    mean, scale = gx.mean(axis=0), gx.std(axis=0) + 1e-9
    gate = LogisticRegression(C=1.0, max_iter=2000).fit((gx - mean) / scale, gate_y)
    data["gate"] = {
        "intercept": round(float(gate.intercept_[0]), 6),
        "coef": {
            n: round(float(c), 6) for n, c in zip(learned.GATE_FEATURES, gate.coef_[0], strict=True)
        },
        "mean": {n: round(float(v), 6) for n, v in zip(learned.GATE_FEATURES, mean, strict=True)},
        "scale": {n: round(float(v), 6) for n, v in zip(learned.GATE_FEATURES, scale, strict=True)},
        "examples": {"addresses": int(sum(gate_y)), "does_not": int(len(gate_y) - sum(gate_y))},
    }
    lx, ly = np.array(level_x), np.array(level_y)
    # The rubric takes part by design: indicator coverage and the nearest anchor keep at least
    # these weights (a company that edits its indicators or anchors moves levels); the rest
    # is fitted on what remains.
    floors = np.array([FLOORS.get(n, 0.0) for n in learned.LEVEL_FEATURES])
    ly_rest = ly - lx @ floors
    # Intercept free (a column of ones split into + and - parts), other weights >= 0.
    design = np.hstack([lx, np.ones((len(lx), 1)), -np.ones((len(lx), 1))])
    weights, _ = nnls(design, ly_rest)
    weights[:-2] += floors
    coef = {
        n: round(float(learned.LEVEL_FEATURES[n] * w), 6)
        for n, w in zip(learned.LEVEL_FEATURES, weights[:-2], strict=True)
    }
    data["level"] = {
        "intercept": round(float(weights[-2] - weights[-1]), 6),
        "coef": coef,
        "examples": len(ly),
    }
    write(data)
    pred = design @ weights
    print(f"gate: {data['gate']}")
    print(f"level: {data['level']}")
    print(f"level fit on dev (train): r = {np.corrcoef(pred, ly)[0, 1]:.3f}")


if __name__ == "__main__":
    main()
