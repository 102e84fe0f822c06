"""Write hireflow/scoring/neutral_zh_words.txt: common Chinese words that begin with a surname
character (任务, 顾客, 周末, 马上, 方案 …), so that identity neutralisation
(hireflow/scoring/neutral.py) never reads them as a person's name.

Source: jieba's dictionary (MIT licence, already a dependency): two- and three-character
entries that start with one of neutral.py's surnames and are either not tagged as a person
name with a frequency of at least 10, or are frequent (>= 500) whatever their tag (jieba tags
顾客 as a name). Usage: .venv/bin/python scripts/build_neutral_words.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import jieba  # noqa: E402

from hireflow.scoring.neutral import _ZH_SURNAMES, ZH_WORDS_FILE  # noqa: E402


def main() -> None:
    surnames = set(_ZH_SURNAMES)
    words: list[str] = []
    source = Path(jieba.__file__).with_name("dict.txt")
    for line in source.read_text(encoding="utf-8").splitlines():
        word, freq, tag = line.split()
        if len(word) not in (2, 3) or word[0] not in surnames:
            continue
        if (not tag.startswith("nr") and int(freq) >= 10) or int(freq) >= 500:
            words.append(word)
    ZH_WORDS_FILE.write_text("\n".join(sorted(set(words))) + "\n", encoding="utf-8")
    print(f"{len(words)} words -> {ZH_WORDS_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
