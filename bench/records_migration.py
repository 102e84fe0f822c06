"""Migration of 100,000 records from an old HR system, then verify, backup and restore.

    python bench/records_migration.py [--people 50000] [--database-url postgresql://...]
                                      [--record-only]

Generates an export like an old EHR's (people.csv, history.xlsx, ~5 corrupted rows), runs
the real ``hireflow migrate-in`` command (progress bars and all) first as a sandbox and
then for real, and prints records/s with the three verifications; then times
``hireflow verify`` (rows/s through the hash chains), ``hireflow backup`` and a restore into
an empty database. Everything runs in a temporary data directory.

``--record-only`` instead imports in-process with the other domains' ``after_import``
hooks switched off, to show what the record itself costs (the candidates domain's hook
builds search documents and is measured by the full run).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

MAPPING = """
version: 1
source_system: legacy-ehr
timezone: Asia/Shanghai
people:
  file: people.csv
  key: 工号
  fields:
    name: 姓名
    email: 邮箱
    phone: 手机
    id_number: 身份证号
    birth_date: 出生日期
    location: 城市
  status: {column: 状态, values: {在职: employed, 离职: left, 淘汰: rejected}}
history:
  - file: history.xlsx
    key: 记录号
    person: 工号
    type: {column: 类型, values: {面试: interview_result, 评价: review, 备注: note}}
    time: 日期
    data: {summary: 内容}
    facts: {round: 轮次}
    scores: {communication: 沟通, problem_solving: 解决问题}
"""

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
NOTES = [
    "面试中举了处理客户投诉的例子，结构清晰",
    "技术面：熟悉 Python 与 PostgreSQL，系统设计一般",
    "团队协作案例较多，领导力有待观察",
    "Strong B2B sales record in DACH, fluent German",
]


def generate(directory: Path, people: int, seed: int = 2026) -> int:
    """Write the export; returns the number of valid source records (people + history)."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "people.csv").open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["工号", "姓名", "邮箱", "手机", "身份证号", "出生日期", "城市", "状态"])
        for i in range(people):
            writer.writerow(
                [
                    f"E{i:07d}",
                    rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    f"e{i}@legacy.example",
                    f"13{rng.randint(100000000, 999999999)}",
                    f"{rng.randint(110000, 650000)}19{rng.randint(60, 99)}0101"
                    f"{rng.randint(100, 999)}X",
                    f"19{rng.randint(60, 99)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    rng.choice(["上海", "苏州", "杭州", "Munich"]),
                    rng.choice(["在职", "离职", "淘汰"]),
                ]
            )
        writer.writerow(["E9999990", "坏行", "x@y.z"])  # corrupted: too few columns
        writer.writerow(["E9999991", "日期坏", "a@b.c", "1", "2", "1990-13-45", "上海", "在职"])
    book = Workbook(write_only=True)
    sheet = book.create_sheet("history")
    sheet.append(["记录号", "工号", "类型", "日期", "内容", "轮次", "沟通", "解决问题"])
    for i in range(people):
        kind = rng.choice(["面试", "评价", "备注"])
        sheet.append(
            [
                f"H{i:07d}",
                f"E{i:07d}",
                kind,
                f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 10:00",
                rng.choice(NOTES),
                rng.choice(["一面", "二面", ""]),
                round(rng.uniform(4, 10), 1) if kind == "面试" else None,
                round(rng.uniform(4, 10), 1) if kind == "面试" else None,
            ]
        )
    sheet.append(["H9999990", "E0404040", "备注", "2024-01-01", "unknown person", "", None, None])
    sheet.append(["H9999991", "E0000001", "面试", "2024-01-01", "bad score", "", "很好", None])
    sheet.append(["H9999992", "E0000002", "八卦", "2024-01-01", "bad type", "", None, None])
    book.save(directory / "history.xlsx")
    (directory / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    return people * 2


def hireflow(env: dict[str, str], *args: str, stdin: str | None = None) -> tuple[float, str]:
    """Run a ``hireflow`` command; (seconds, output). Output streams to the terminal too."""
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-m", "hireflow.cli", *args],
        env=env,
        input=stdin,
        text=True,
        capture_output=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    print(process.stdout[-3000:])
    if process.returncode not in (0,):
        print(process.stderr[-3000:])
        raise SystemExit(f"hireflow {' '.join(args)} exited {process.returncode}")
    return seconds, process.stdout


def record_only(root: Path, source: Path, database_url: str) -> None:
    """In-process import without other domains' hooks: the record's own cost."""
    os.environ["HIREFLOW_DATA_DIR"] = str(root / "inprocess")
    import hireflow.models  # noqa: F401
    from hireflow.core.db import Database, make_engine
    from hireflow.core.migrate import upgrade
    from hireflow.org import service
    from hireflow.records import import_source, migration
    from hireflow.records.integrity import verify

    migration.run_import_hooks = lambda _session, _ids: []
    url = database_url or f"sqlite:///{root / 'inprocess.db'}"
    upgrade(url)
    database = Database(make_engine(url))
    with database.session() as session:
        tenant = service.create_tenant(session, "旧系统迁移公司", "legacy-inprocess")
        mapping = import_source.load_mapping(source / "mapping.yaml")
        report = migration.run_import(session, mapping, tenant)
        v = report.verification
        assert v is not None
        print(
            f"record-only import: {report.records} records in {report.seconds:.1f} s = "
            f"{report.records / report.seconds:.0f} records/s; counts "
            f"{'match' if v.counts_ok else 'DIFFER'}, checksums "
            f"{'all match' if v.checksums_ok else 'MISMATCH'}, set hash "
            f"{'equal' if v.set_hash_ok else 'DIFFERENT'}; {len(report.errors)} rows reported"
        )
        started = time.perf_counter()
        result = verify(session, tenant_id=tenant.id)
        elapsed = time.perf_counter() - started
        print(f"verify: {result.rows} rows in {elapsed:.1f} s = {result.rows / elapsed:.0f} rows/s")
    print(f"load average {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=50_000, help="people (history: as many)")
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp dir")
    parser.add_argument("--keep", action="store_true", help="keep the temp directory")
    parser.add_argument("--record-only", action="store_true", help="see the module docstring")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="hireflow-bench-records-"))
    source = root / "export"
    print(f"generating {args.people} people and {args.people} history rows in {source} …")
    records = generate(source, args.people)
    if args.record_only:
        record_only(root, source, args.database_url)
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        return
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIREFLOW_")}
    env.update(
        {
            "HIREFLOW_DATA_DIR": str(root / "data"),
            "HIREFLOW_LOG_LEVEL": "WARNING",
            "COLUMNS": "110",
        }
    )
    if args.database_url:
        env["HIREFLOW_DATABASE_URL"] = args.database_url
    hireflow(env, "migrate")
    hireflow(env, "createtenant", "旧系统迁移公司", "legacy")

    report_path = root / "report.json"
    sandbox, _ = hireflow(
        env, "migrate-in", str(source / "mapping.yaml"), "--tenant", "legacy", "--dry-run"
    )
    seconds, _ = hireflow(
        env,
        "migrate-in",
        str(source / "mapping.yaml"),
        "--tenant",
        "legacy",
        "--report",
        str(report_path),
    )
    report = json.loads(report_path.read_text())
    imported = report["people_new"] + report["history_new"]
    again, _ = hireflow(env, "migrate-in", str(source / "mapping.yaml"), "--tenant", "legacy")
    verify_seconds, verify_out = hireflow(env, "verify", "--no-checkpoints")
    rows = int(verify_out.split(" chains, ")[1].split(" rows")[0])
    backup_seconds, _ = hireflow(env, "backup", str(root / "backup"))
    size = sum(p.stat().st_size for p in (root / "backup").rglob("*") if p.is_file())
    restore_env = dict(env)
    restore_env["HIREFLOW_DATA_DIR"] = str(root / "restored")
    if args.database_url:
        restore_env["HIREFLOW_DATABASE_URL"] = ""
        restore_env.pop("HIREFLOW_DATABASE_URL")
    # The restored deployment has the same master key (it is never in the backup).
    (root / "restored").mkdir()
    shutil.copy(root / "data" / "master_key", root / "restored" / "master_key")
    hireflow(restore_env, "migrate")
    restore_seconds, _ = hireflow(restore_env, "restore", str(root / "backup"))

    backend = "PostgreSQL" if args.database_url.startswith("postgresql") else "SQLite"
    print("\n== figures ==")
    print(f"backend: {backend}; cores: {os.cpu_count()}; load average: {os.getloadavg()[0]:.1f}")
    print(f"source records: {records} valid + 5 corrupted")
    print(f"sandbox run (everything, rolled back): {sandbox:.1f} s")
    print(
        f"import: {imported} records in {seconds:.1f} s wall (process start included) = "
        f"{imported / seconds:.0f} records/s; in-command {report['seconds']:.1f} s = "
        f"{imported / report['seconds']:.0f} records/s"
    )
    print(
        "verifications: counts "
        + ("match" if report["counts_source"] == report["counts_imported"] else "DIFFER")
        + f" {report['counts_imported']}; checksums "
        + ("all match" if not report["checksum_mismatches"] else "MISMATCH")
        + "; set hash "
        + ("equal" if report["source_set_hash"] == report["imported_set_hash"] else "DIFFERENT")
        + f" ({report['imported_set_hash'][:16]}…)"
    )
    print(f"corrupted rows reported, not imported: {len(report['errors'])}")
    print(f"re-import of the same export (idempotent, verified again): {again:.1f} s")
    rate = rows / verify_seconds
    print(f"hireflow verify: {rows} rows in {verify_seconds:.1f} s = {rate:.0f} rows/s")
    print(f"hireflow backup: {backup_seconds:.1f} s, {size / 1e6:.1f} MB")
    print(f"hireflow restore into an empty SQLite database (checksummed): {restore_seconds:.1f} s")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    else:
        print(f"kept {root}")


if __name__ == "__main__":
    main()
