"""Migration from an old HR system: mapping, sandbox, triple verification, bad input."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from hireflow.candidates.models import Candidate
from hireflow.core import pii
from hireflow.records.import_source import MappingError, load_mapping
from hireflow.records.integrity import verify
from hireflow.records.migration import run_import
from hireflow.records.models import ImportedRecord, PersonRecord, RecordEntry

MAPPING = """
version: 1
source_system: legacy-ehr
timezone: Asia/Shanghai
people:
  file: people.csv
  key: 工号
  fields: {name: 姓名, email: 邮箱, phone: 手机, id_number: 身份证号, birth_date: 出生日期, location: 城市}
  required: [name]
  status: {column: 状态, values: {在职: employed, 离职: left, 淘汰: rejected}}
history:
  - file: history.xlsx
    sheet: 记录
    key: 记录号
    person: 工号
    type: {column: 类型, values: {面试: interview_result, 评价: review, 备注: note}}
    time: 日期
    data: {summary: 内容}
    facts: {round: 轮次}
    scores: {communication: 沟通}
"""

SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


def write_source(directory: Path, people: int, *, seed: int = 7, corrupt: bool = True) -> dict:
    """A legacy export: ``people`` rows of people and two history rows each."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    expected = {"people": 0, "history": 0, "bad": []}
    with (directory / "people.csv").open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["工号", "姓名", "邮箱", "手机", "身份证号", "出生日期", "城市", "状态"])
        for i in range(people):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            writer.writerow(
                [
                    f"E{i:06d}",
                    name,
                    f"e{i}@legacy.example",
                    f"139{i:08d}",
                    f"1101011990{i % 12 + 1:02d}{i % 28 + 1:02d}{i % 1000:03d}X",
                    f"1990/{i % 12 + 1}/{i % 28 + 1}",
                    rng.choice(["上海", "苏州", "Berlin"]),
                    rng.choice(["在职", "离职", "淘汰"]),
                ]
            )
            expected["people"] += 1
        if corrupt:
            writer.writerow(["E999990", "坏行", "x@y.z", "1", "2", "1990-01-01"])  # too short
            writer.writerow(["E999991", "", "a@b.c", "1", "2", "1990-01-01", "上海", "在职"])
            writer.writerow(["E999992", "日期坏", "a@b.c", "1", "2", "1990-13-45", "上海", "在职"])
            writer.writerow(["E999993", "状态坏", "a@b.c", "1", "2", "1990-01-01", "上海", "退休"])
            writer.writerow(["E000001", "重复", "a@b.c", "1", "2", "1990-01-01", "上海", "在职"])
            expected["bad"] = ["columns", "missing name", "birth date", "status", "repeats"]
    book = Workbook()
    sheet = book.active
    sheet.title = "记录"
    sheet.append(["记录号", "工号", "类型", "日期", "内容", "轮次", "沟通"])
    for i in range(people):
        sheet.append(
            [
                f"H{i:06d}a",
                f"E{i:06d}",
                "面试",
                f"2023-10-{i % 28 + 1:02d} 10:30",
                f"面试表现稳定，处理客户投诉案例 {i}",
                "一面",
                round(rng.uniform(5, 10), 1),
            ]
        )
        sheet.append([f"H{i:06d}b", f"E{i:06d}", "备注", "2024/1/5", f"备注 {i}", "", None])
        expected["history"] += 2
    if corrupt:
        sheet.append(["H999990", "E404404", "备注", "2024-01-01", "unknown person", "", None])
        sheet.append(["H999991", "E000002", "八卦", "2024-01-01", "bad type", "", None])
        sheet.append(["H999992", "E000003", "面试", "2024-99-01", "bad date", "", None])
        sheet.append(["H999993", "E000004", "面试", "2024-01-01", "bad score", "", "很好"])
    book.save(directory / "history.xlsx")
    (directory / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    return expected


@pytest.fixture
def source(tmp_path):
    """400 people and 800 history rows (1,200 records) plus 9 corrupted rows."""
    expected = write_source(tmp_path / "legacy", 400)
    return tmp_path / "legacy", expected


@pytest.fixture
def small_source(tmp_path):
    expected = write_source(tmp_path / "legacy", 60)
    return tmp_path / "legacy", expected


def test_sandbox_then_import_with_triple_verification(session, org, source):
    directory, expected = source
    mapping = load_mapping(directory / "mapping.yaml")

    rehearsal = run_import(session, mapping, org.tenant, dry_run=True)
    assert rehearsal.dry_run and rehearsal.people_new == expected["people"]
    assert rehearsal.verification.ok
    assert session.scalar(select(func.count()).select_from(ImportedRecord)) == 0
    assert (
        session.scalar(
            select(func.count()).select_from(Candidate).where(Candidate.tenant_id == org.tenant.id)
        )
        == 0
    )

    report = run_import(session, mapping, org.tenant)
    v = report.verification
    assert report.people_new == 400 and report.history_new == 800
    assert (
        v.counts_source
        == v.counts_imported
        == {
            "person": 400,
            "interview_result": 400,
            "note": 400,
        }
    )
    assert v.checksums_ok and v.set_hash_ok and v.source_set_hash == v.imported_set_hash
    # every corrupted row is reported with file and line, none imported
    problems = [str(e) for e in report.errors]
    assert len(problems) == 9, problems
    assert any("people.csv" in p and "columns" in p for p in problems)
    assert any("history.xlsx" in p and "unknown person" in p for p in problems)
    assert any("not a number" in p for p in problems)
    assert (
        session.scalar(
            select(func.count())
            .select_from(Candidate)
            .where(Candidate.name.in_(["坏行", "日期坏", "状态坏", "重复"]))
        )
        == 0
    )
    # the imported records are ordinary, verifiable records
    person = session.scalars(
        select(Candidate).where(
            Candidate.email_index.in_(
                pii.blind_index_values("e5@legacy.example", "email", tenant_id=org.tenant.id)
            )
        )
    ).one()
    assert person.phone == "13900000005" and person.birth_date == "1990-06-06"
    record = session.scalars(select(PersonRecord).where(PersonRecord.person_id == person.id)).one()
    assert record.status in ("employed", "left", "rejected") and record.entry_count == 4
    assert verify(session, tenant_id=org.tenant.id).ok


def test_importing_twice_is_idempotent(session, org, small_source):
    directory, _expected = small_source
    mapping = load_mapping(directory / "mapping.yaml")
    run_import(session, mapping, org.tenant)
    entries = session.scalar(select(func.count()).select_from(RecordEntry))
    again = run_import(session, mapping, org.tenant)
    assert again.people_new == 0 and again.history_new == 0
    assert again.people_existing == 60 and again.history_existing == 120
    assert again.verification.ok
    assert session.scalar(select(func.count()).select_from(RecordEntry)) == entries


def test_tampering_after_import_fails_the_verification(session, org, small_source):
    from sqlalchemy import text

    directory, _expected = small_source
    mapping = load_mapping(directory / "mapping.yaml")
    run_import(session, mapping, org.tenant)
    # the e-mail address is encrypted: find the row through its blind index
    index = pii.blind_index_values("e9@legacy.example", "email", tenant_id=org.tenant.id)
    session.execute(
        text("UPDATE candidates SET name = '改过的名字' WHERE email_index = :index"),
        {"index": index[0]},
    )
    session.execute(
        text("DELETE FROM record_entries WHERE import_key = 'legacy-ehr:history.xlsx:H000010b'")
    )
    session.expire_all()
    again = run_import(session, mapping, org.tenant, dry_run=True)
    v = again.verification
    # the deleted history row is re-imported in the sandbox, so counts agree there...
    assert again.history_new == 1
    # ...but the changed person row is caught by the per-record comparison
    assert not v.checksums_ok
    assert any("E000009" in m for m in v.checksum_mismatches)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\n", "people: is required"),
        ("- just\n- a list\n", "must be a mapping"),
        (
            "version: 2\nsource_system: x\npeople: {file: people.csv, key: 工号, fields: {name: 姓名}}\n",
            "version: 1",
        ),
        (
            "version: 1\nsource_system: x\npeople: {file: nope.csv, key: 工号, fields: {name: 姓名}}\n",
            "does not exist",
        ),
        (
            "version: 1\nsource_system: x\npeople: {file: people.csv, key: 工号, fields: {name: 姓名, salary: 工资}}\n",
            "unknown field 'salary'",
        ),
        (
            "version: 1\nsource_system: x\npeople: {file: people.csv, key: 工号, fields: {name: 姓名}, status: {column: 状态, values: {在职: king}}}\n",
            "unknown 'king'",
        ),
        (
            "version: 1\nsource_system: x\npeople: {file: people.csv, fields: {email: 邮箱}}\n",
            "people.fields.name is required",
        ),
        (
            "version: 1\nsource_system: x\npeople: {file: people.csv, key: 工号, fields: {name: 姓名}}\nhistory: [{file: people.csv, key: 工号, type: gossip}]\n",
            "person",
        ),
        ("version: 1\nsource_system: [1]\npeople: {}\n: : :\n", "not valid YAML"),
    ],
)
def test_malformed_mapping_files_are_refused_with_reasons(tmp_path, text, message):
    write_source(tmp_path, 3, corrupt=False)
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as refused:
        load_mapping(path)
    assert message in str(refused.value)


def test_mapping_to_missing_columns_is_refused(session, org, tmp_path):
    write_source(tmp_path, 3, corrupt=False)
    path = tmp_path / "m.yaml"
    path.write_text(MAPPING.replace("城市", "城市名"), encoding="utf-8")
    with pytest.raises(MappingError, match="no column '城市名'"):
        run_import(session, load_mapping(path), org.tenant, dry_run=True)


def test_gb18030_csv_is_read(session, org, tmp_path):
    write_source(tmp_path, 5, corrupt=False)
    text = (tmp_path / "people.csv").read_text(encoding="utf-8-sig")
    (tmp_path / "people.csv").write_bytes(text.encode("gb18030"))
    report = run_import(session, load_mapping(tmp_path / "mapping.yaml"), org.tenant, dry_run=True)
    assert report.people_new == 5 and not report.errors and report.verification.ok
