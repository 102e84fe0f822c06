"""Translation quality (chrF, BLEU) and speed on a public zh↔en test sample.

Data: ``tests/data/translation/tatoeba-eng-cmn_Hans.tsv`` (96 Tatoeba Challenge test pairs,
CC BY 2.0 FR; provenance in the README beside it), used for nothing else. Scores with
``sacrebleu`` (chrF2; BLEU with the ``zh`` tokenizer into Chinese, ``13a`` into English).

What it measures, each on zh→en and en→zh where it can:
* ``--provider openai``: the configured :class:`~hireflow.scoring.translation.Translator`
  (``HIREFLOW_TRANSLATOR=openai`` and its URL/model variables), speed per sentence, cold
  (its cache is empty: every sentence is sent);
* ``--command "CMD" --direction zh-en``: any external translator that reads one sentence per line
  on stdin and writes one translation per line (how candidate offline models outside the
  product's environment were measured, see docs/translation.md);
* always: the *copy* baseline (the source sentence as its own "translation"), the floor every
  usable translator must clear by far.

Usage: .venv/bin/python bench/translation.py [--provider openai] [--command CMD --direction D]
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import sacrebleu

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "tests" / "data" / "translation" / "tatoeba-eng-cmn_Hans.tsv"


def load() -> tuple[list[str], list[str]]:
    english, chinese = [], []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        en, zh = line.split("\t")
        english.append(en)
        chinese.append(zh)
    return english, chinese


def score(
    label: str, hypotheses: list[str], references: list[str], target: str, seconds: float
) -> None:
    tokenize = "zh" if target == "zh" else "13a"
    chrf = sacrebleu.corpus_chrf(hypotheses, [references])
    bleu = sacrebleu.corpus_bleu(hypotheses, [references], tokenize=tokenize)
    per = seconds / len(hypotheses) * 1000
    print(f"{label:38} chrF {chrf.score:5.1f}  BLEU {bleu.score:5.1f}  {per:7.1f} ms/sentence")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--provider", choices=["openai"])
    parser.add_argument("--command", help="external translator: one sentence per line in and out")
    parser.add_argument("--direction", choices=["zh-en", "en-zh"], default="zh-en")
    args = parser.parse_args()
    english, chinese = load()
    print(f"sample: {len(english)} pairs; machine load average {os.getloadavg()}")
    score("copy baseline zh→en", chinese, english, "en", 0.0)
    score("copy baseline en→zh", english, chinese, "zh", 0.0)
    if args.provider == "openai":
        from hireflow.scoring.translation import get_translator

        translator = get_translator()
        if translator is None:
            sys.exit("set HIREFLOW_TRANSLATOR=openai and HIREFLOW_TRANSLATOR_URL first")
        for source, target, texts, refs in (
            ("zh", "en", chinese, english),
            ("en", "zh", english, chinese),
        ):
            started = time.perf_counter()
            out = translator.translate(texts, source, target)
            score(
                f"{translator.name} {source}→{target}",
                out,
                refs,
                target,
                time.perf_counter() - started,
            )
    if args.command:
        source, target = args.direction.split("-")
        texts, refs = (chinese, english) if source == "zh" else (english, chinese)
        started = time.perf_counter()
        done = subprocess.run(
            shlex.split(args.command),
            input="\n".join(texts) + "\n",
            capture_output=True,
            text=True,
            check=True,
        )
        elapsed = time.perf_counter() - started
        out = done.stdout.splitlines()
        if len(out) != len(texts):
            sys.exit(f"the command wrote {len(out)} lines for {len(texts)} sentences")
        score(f"command {source}→{target} (incl. load)", out, refs, target, elapsed)
        for src, hyp, ref in list(zip(texts, out, refs, strict=True))[:5]:
            print(f"  {src} → {hyp}   (reference: {ref})")


if __name__ == "__main__":
    main()
