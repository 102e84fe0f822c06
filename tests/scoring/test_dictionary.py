"""Tests for importing a company's competency dictionary from CSV, XLSX and YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from hireflow.scoring import dictionary_columns, dictionary_files
from hireflow.scoring.dictionary import import_dictionary, model_to_csv, rows_to_model
from hireflow.scoring.models import ModelError, load_preset

DATA = Path(__file__).resolve().parents[1] / "data" / "scoring" / "dictionaries"


def _errors(path: Path) -> list[str]:
    with pytest.raises(ModelError) as info:
        import_dictionary(path)
    return [str(e) for e in info.value.errors]


def test_chinese_csv_with_continuation_rows() -> None:
    model = import_dictionary(DATA / "plant_zh.csv", industry="manufacturing")
    assert model.id == "plant_zh"
    assert model.industry == "manufacturing"
    assert model.dimension_ids == ("safety", "comm", "equipment", "teamwork")
    safety = model.dimension("safety")
    assert safety.name == {"zh": "安全意识", "en": "Safety awareness"}
    assert safety.weight == 30.0  # "30%"
    assert safety.required_level == 8.0
    assert [i.text["zh"] for i in safety.indicators] == [
        "严格按作业规程和上锁挂牌程序操作",
        "正确穿戴劳保用品并提醒他人",
        "发现危险时敢于停止作业",
    ]
    assert [i.id for i in safety.indicators] == ["safety.1", "safety.2", "safety.3"]
    assert safety.anchor(3).text == {"zh": "始终按规程作业，主动报告隐患并在危险时停机。"}
    assert model.dimension("equipment").name == {"zh": "设备维护"}
    assert model.dimension("teamwork").weight == 20.0  # the blank line before it is skipped
    assert model.normalised_weights()["safety"] == pytest.approx(0.3)
    # A one-language dictionary gives one summary warning, not one per cell.
    assert len(model.warnings) == 1
    assert model.warnings[0].location == "file"
    assert "no English version" in model.warnings[0].message


def test_english_xlsx_with_merged_cells() -> None:
    model = import_dictionary(DATA / "analyst_en.xlsx", model_id="analyst")
    assert model.id == "analyst"
    assert model.dimension_ids == ("problem_solving", "learning")
    ps = model.dimension("problem_solving")
    assert ps.name == {"en": "Problem solving"}
    assert ps.weight == pytest.approx(0.4)
    assert ps.required_level == 7
    assert len(ps.indicators) == 2
    assert ps.description == {"en": "Finds root causes and fixes them for good."}
    assert model.normalised_weights() == pytest.approx({"problem_solving": 0.4, "learning": 0.6})


def test_yaml_rows() -> None:
    model = import_dictionary(DATA / "rows_en.yaml")
    focus = model.dimension("customer_focus")
    assert focus.name == {"en": "Customer focus", "zh": "客户导向"}
    assert [i.text for i in focus.indicators][1] == {
        "en": "Keeps promises and reports progress",
        "zh": "说到做到并主动告知进展",
    }
    assert model.dimension("drive").weight == 60


def test_yaml_full_model() -> None:
    model = import_dictionary(DATA / "model.yaml", model_id="ignored-when-file-has-id")
    assert model.id == "acme-sales"
    assert model.industry == "retail"
    assert model.dimension("customer_orientation").indicators[0].id == "co.1"


def test_gb18030_csv_from_chinese_excel() -> None:
    model = import_dictionary(DATA / "excel_gb18030.csv")
    assert model.dimension_ids == ("沟通能力", "学习能力")
    assert model.dimension("沟通能力").anchor(5).text == {"zh": "影响多方利益相关者"}


def test_bad_values_report_row_and_column() -> None:
    assert _errors(DATA / "bad_values.csv") == [
        "row 2, column 权重: 'abc' is not a number",
        "row 3, column 权重: must be greater than 0 (got -5)",
        "row 3, column 要求等级: must be 0..10 (got 12)",
        "row 4, column 4级: missing the level 4 anchor of 'team'",
        "row 4, column 行为指标: 'team' has no behavioural indicator",
    ]


def test_bad_values_xlsx() -> None:
    assert _errors(DATA / "bad_values.xlsx") == [
        "row 2, column 权重: '很高' is not a number",
        "row 2, column 4级: missing the level 4 anchor of '沟通能力'",
    ]


def test_bad_headers() -> None:
    assert _errors(DATA / "bad_headers.csv") == [
        "columns: need rating-anchor columns for levels 1..5 (1级 … 5级 / level_1 … level_5); "
        "missing 4, 5",
        "columns: need a behavioural indicator column (行为指标 / indicator)",
    ]


@pytest.mark.parametrize(
    ("header", "key", "lang"),
    [
        ("1级", "level_1", None),
        ("一级", "level_1", None),
        ("Level 3", "level_3", None),
        ("L5", "level_5", None),
        ("等级2", "level_2", None),
        ("level_2_en", "level_2", "en"),
        ("3级(英文)", "level_3", "en"),
        ("4级行为描述", "level_4", None),
        ("name_zh", "name", "zh"),
        ("Name (EN)", "name", "en"),
        ("英文名称", "name", "en"),
        ("维度名称", "name", None),
        ("权重(%)", "weight", None),
        ("Weight %", "weight", None),
        ("要求等级(0-10)", "required_level", None),
        ("行为指标_中文", "indicator", "zh"),
        ("Behavioral Indicator", "indicator", None),
        ("指标编码", "indicator_id", None),
        ("定义", "description", None),
    ],
)
def test_header_recognition(header: str, key: str, lang: str | None) -> None:
    column = dictionary_columns.resolve_header(header)
    assert column is not None
    assert (column.key, column.lang) == (key, lang)


@pytest.mark.parametrize("header", ["Remarks", "备注", "6级", "screen"])
def test_unknown_headers(header: str) -> None:
    assert dictionary_columns.resolve_header(header) is None


HEADER = [
    "id",
    "name",
    "weight",
    "indicator",
    "level_1",
    "level_2",
    "level_3",
    "level_4",
    "level_5",
]
ANCHORS = ["a1", "a2", "a3", "a4", "a5"]


def test_conflicting_values_for_one_competency() -> None:
    rows = [
        (2, ["c", "Comms", 25, "speaks clearly", *ANCHORS]),
        (3, ["c", "Comms", 30, "listens", *ANCHORS]),
    ]
    with pytest.raises(ModelError) as info:
        rows_to_model(HEADER, rows)
    assert [str(e) for e in info.value.errors] == [
        "row 3, column weight: 30.0 conflicts with 25.0 given in row 2"
    ]


def test_first_row_without_a_competency() -> None:
    rows = [(2, ["", "", "", "listens", *ANCHORS])]
    with pytest.raises(ModelError) as info:
        rows_to_model(HEADER, rows)
    assert str(info.value.errors[0]) == "row 2: names no competency (fill in 维度 / name or id)"


def test_duplicate_and_ignored_columns() -> None:
    header = [*HEADER, "权重", "Remarks"]
    with pytest.raises(ModelError) as info:
        rows_to_model(header, [(2, ["c", "Comms", 1, "x", *ANCHORS, 2, "note"])])
    assert [str(e) for e in info.value.errors] == ["column 权重: repeats column weight (column 3)"]
    model = rows_to_model([*HEADER, "Remarks"], [(2, ["c", "Comms", 1, "x", *ANCHORS, "note"])])
    assert "column Remarks: not a dictionary column; ignored" in [str(w) for w in model.warnings]


def test_no_weight_column_means_equal_weights() -> None:
    header = [h for h in HEADER if h != "weight"]
    rows = [(2, ["a", "A", "x", *ANCHORS]), (3, ["b", "B", "y", *ANCHORS])]
    model = rows_to_model(header, rows)
    assert model.normalised_weights() == {"a": 0.5, "b": 0.5}
    assert any(w.location == "columns" for w in model.warnings)


def test_ids_derived_from_names() -> None:
    header = [h for h in HEADER if h != "id"]
    model = rows_to_model(header, [(2, ["Customer Focus", 1, "x", *ANCHORS])])
    assert model.dimension_ids == ("customer_focus",)


def test_semicolon_csv(tmp_path: Path) -> None:
    path = tmp_path / "eu.csv"
    path.write_text(
        "name;weight;indicator;level_1;level_2;level_3;level_4;level_5\n"
        "Teamwork;50;Helps others;a;b;c;d;e\n",
        encoding="utf-8",
    )
    assert import_dictionary(path).dimension("teamwork").weight == 50


def test_export_and_reimport_round_trip(tmp_path: Path) -> None:
    preset = load_preset(job_type="production")
    path = tmp_path / "production.csv"
    path.write_text(model_to_csv(preset), encoding="utf-8")
    model = import_dictionary(path, model_id=preset.id, name=preset.name, industry=preset.industry)
    assert model.dimensions == preset.dimensions
    assert model.warnings == ()


def test_file_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _errors(tmp_path / "absent.csv")[0].startswith("file: ")
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.4")
    assert _errors(tmp_path / "x.pdf") == ["file: unsupported type .pdf: use .csv, .xlsx or .yaml"]
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip file")
    assert _errors(tmp_path / "broken.xlsx")[0].startswith("file: is not a readable .xlsx")
    (tmp_path / "empty.csv").write_text("\n\n", encoding="utf-8")
    assert _errors(tmp_path / "empty.csv") == ["file: is empty"]
    (tmp_path / "header_only.csv").write_text(",".join(HEADER) + "\n", encoding="utf-8")
    assert _errors(tmp_path / "header_only.csv") == [
        "rows: the file has a header but no competencies"
    ]
    monkeypatch.setattr(dictionary_files, "MAX_FILE_BYTES", 10)
    assert "limit" in _errors(DATA / "plant_zh.csv")[0]


def test_too_many_rows(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    lines = [",".join(HEADER)] + [
        f"c{i},C{i},1,x,a,b,c,d,e" for i in range(dictionary_files.MAX_ROWS + 5)
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    assert _errors(path) == [f"file: has more than {dictionary_files.MAX_ROWS} rows"]


def test_yaml_that_is_neither_model_nor_rows(tmp_path: Path) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text("hello: world\n", encoding="utf-8")
    assert _errors(path) == ["file: must hold a model (id, name, dimensions) or a list of rows"]
    path.write_text("- just text\n", encoding="utf-8")
    assert _errors(path) == ["row 1: must be a mapping of column to value"]
