"""What encrypting the profile documents costs (SPEC G2): ``pii.EncryptedJSON`` against plain
JSON, for the documents a talent-pool or screening run loads.

Each round writes and reads N distinct profiles (the 53 labelled resumes' parses, each
varied per copy so no cache sees the same document twice): plain ``json.dumps``/``loads``
(what the JSON columns did) against ``encrypt_document``/``decrypt_document`` (AES-256-GCM
field tokens under the process keyring). Prints per-document microseconds and the ratio,
best of three rounds.

    python bench/personal_data.py [--documents 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("HIREFLOW_ENV", "development")

from hireflow.core import pii
from hireflow.core.crypto import DEVELOPMENT_MASTER_KEY, Keyring

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "resumes"


def documents(count: int) -> list[dict]:
    base = [json.loads(p.read_text()) for p in sorted(DATA.glob("*.json"))]
    out = []
    for i in range(count):
        doc = dict(base[i % len(base)])
        doc["name"] = f"{doc.get('name') or 'X'}{i}"
        doc["phone"] = f"+86138{i:08d}"
        out.append(doc)
    return out


def timed(fn) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=20_000)
    args = parser.parse_args()
    docs = documents(args.documents)
    ring = Keyring.from_settings(DEVELOPMENT_MASTER_KEY, [], allow_development_key=True)
    context = "candidates.profile"
    size = sum(len(json.dumps(d, ensure_ascii=False)) for d in docs) / len(docs)

    plain = [json.dumps(d, ensure_ascii=False) for d in docs]
    tokens = [pii.encrypt_document(d, context, ring) for d in docs]

    t_plain_w = timed(lambda: [json.dumps(d, ensure_ascii=False) for d in docs])
    t_plain_r = timed(lambda: [json.loads(t) for t in plain])
    t_enc_w = timed(lambda: [pii.encrypt_document(d, context, ring) for d in docs])
    t_enc_r = timed(lambda: [pii.decrypt_document(t, context, ring) for t in tokens])
    per = 1e6 / len(docs)
    print(f"{len(docs)} distinct profiles, {size:.0f} characters of JSON on average")
    print(f"{'':22}{'plain JSON':>12}{'encrypted':>12}{'ratio':>8}")
    print(
        f"{'write (µs/document)':22}{t_plain_w * per:12.1f}{t_enc_w * per:12.1f}"
        f"{t_enc_w / t_plain_w:8.2f}"
    )
    print(
        f"{'read (µs/document)':22}{t_plain_r * per:12.1f}{t_enc_r * per:12.1f}"
        f"{t_enc_r / t_plain_r:8.2f}"
    )
    stored = sum(len(t) for t in tokens) / sum(len(p.encode()) for p in plain)
    print(f"stored size: {stored:.2f}x the plain JSON (base64 of UTF-8 + 40 bytes)")


if __name__ == "__main__":
    main()
