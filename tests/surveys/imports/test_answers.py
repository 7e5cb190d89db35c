"""``import_answers`` (DESIGN §6.2): historical answers from CSV or XLSX, all or nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, ManagementUtility, call_command

from surveys.core.errors import ApplicationError
from surveys.imports.services import ImportResult, answers_import
from surveys.models import (
    Answer,
    AnswerRevision,
    AreaScore,
    Assessment,
    Department,
    Product,
    Round,
    RoundEvent,
    RoundReport,
)
from tests import factories
from tests.data.answers_files import HEADER, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


AREAS = ("data", "model", "infra", "monitoring")
KEYS = [f"{area}.i{n}" for area in AREAS for n in range(1, 8)]
UTC = dt.UTC


def rows_for(
    product: str,
    values: dict[str, object],
    *,
    round: str = "2021-10",
    date: object = "2021-10-01",
    department: str = "",
    phase: str = "",
    note: str = "",
) -> list[tuple[object, ...]]:
    return [
        (round, date, product, department, phase, key, value, note) for key, value in values.items()
    ]


def every(value: object, **overrides: object) -> dict[str, object]:
    """A value for each of the 28 items; ``data_i7="NA"`` overrides ``data.i7``."""
    values = dict.fromkeys(KEYS, value)
    values.update({key.replace("_", "."): v for key, v in overrides.items()})
    return values


def problems_of(version: Any, path: Path) -> list[str]:
    with pytest.raises(ApplicationError) as raised:
        answers_import(path=path, version=version)
    assert raised.value.message.endswith("nothing was imported.")
    return list(raised.value.details)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Round, Product, Department, Assessment, Answer, AnswerRevision, RoundEvent)
    }


# ------------------------------------------------------------------ what is created


def test_a_csv_creates_departments_products_and_a_closed_historical_round(
    version: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    rows = [
        *rows_for("Ads CTR", every(1), department="Advertising", phase="Validation"),
        *rows_for("search-rank", every("0.5", data_i7="N/A"), note="image model"),
        *rows_for("incomplete", {k: 1 for k in KEYS if k != "model.i3"}, department="Ads"),
    ]
    with django_capture_on_commit_callbacks(execute=True):  # the report follows the commit
        result = answers_import(path=write_csv(tmp_path / "a.csv", rows), version=version)

    assert result.rounds_created == ["2021-10"]
    assert result.products_created == ["ads-ctr", "incomplete", "search-rank"]
    assert result.departments_created == ["Ads", "Advertising", "Unassigned"]
    assert (result.scored, result.not_submitted, result.unchanged) == (2, 1, 0)
    rnd = Round.objects.get(label="2021-10")
    assert rnd.version == version and rnd.status == "closed" and rnd.is_historical
    assert (rnd.opens_on, rnd.closes_on) == (dt.date(2021, 10, 1), dt.date(2021, 10, 31))
    assert rnd.closed_at == dt.datetime(2021, 10, 31, 23, 59, 59, 999999, tzinfo=UTC)
    assert set(rnd.products.values_list("slug", flat=True)) == {
        "ads-ctr",
        "search-rank",
        "incomplete",
    }
    ads = Product.objects.get(slug="ads-ctr")
    assert (ads.name, ads.department.name, ads.department.slug, ads.phase) == (
        "Ads CTR",
        "Advertising",
        "advertising",
        "validation",
    )
    search = Product.objects.get(slug="search-rank")
    assert (search.department.name, search.department.slug, search.phase) == (
        "Unassigned",
        "unassigned",
        "production",
    )

    full = Assessment.objects.get(product=ads)
    assert (full.status, full.is_complete, full.final_score, full.band) == (
        "submitted",
        True,
        7.0,
        ">5",
    )
    assert full.verified_score == 3.5  # no evidence: every 1 counts 0.5
    assert full.submitted_at == rnd.closed_at
    half = Assessment.objects.get(product=search)
    assert (half.status, half.final_score, half.band) == ("submitted", 3.5, "(3,5]")
    data = AreaScore.objects.get(assessment=half, area_key="data")
    assert (data.n, data.applicable, data.raw, data.score) == (7, 6, 3.0, 3.5)
    na = Answer.objects.get(assessment=half, item__key="data.i7")
    assert (na.value, na.na_reason, na.note) == ("NA", "image model", "image model")
    missing = Assessment.objects.get(product__slug="incomplete")
    assert (missing.status, missing.final_score, missing.scored_at) == (
        "not_submitted",
        None,
        None,
    )
    assert not AreaScore.objects.filter(assessment=missing).exists()
    assert Answer.objects.filter(assessment=missing).count() == 28
    assert Answer.objects.get(assessment=missing, item__key="model.i3").value is None
    assert AnswerRevision.objects.count() == 0

    event = RoundEvent.objects.get(round=rnd)
    assert event.kind == "imported"
    assert event.details == {
        "rows": 83,
        "round_created": True,
        "products_targeted": 3,
        "assessments_created": 3,
        "assessments_updated": 0,
        "assessments_unchanged": 0,
        "submitted": 2,
        "not_submitted": 1,
        "regressions": 0,
        "answers_changed": 83,
    }
    report = RoundReport.objects.get(round=rnd).data
    assert (report["targeted"], report["scored"]) == (3, 2)


@pytest.mark.parametrize(
    ("na_policy", "a_final", "a_band", "a_verified", "a_data", "b_final", "b_model"),
    [
        ("rescale", 10 / 3, "(3,5]", 2.0, 10 / 3, 0.5, 4 / 3),
        ("drop", 2.5, "(2,3]", 1.5, 2.5, 0.5, 1.0),
    ],
)
def test_scores_stored_equal_hand_computed_values(
    tmp_path: Path,
    na_policy: str,
    a_final: float,
    a_band: str,
    a_verified: float,
    a_data: float,
    b_final: float,
    b_model: float,
) -> None:
    version = factories.make_version(
        key="small",
        areas=("data", "model"),
        per_area=4,
        na_items=("data.i4", "model.i4"),
        na_policy=na_policy,
    )
    day = dt.datetime(2022, 4, 1)  # a real date cell
    a = {"data.i1": 1, "data.i2": 1.0, "data.i3": 0.5, "data.i4": "NA"}
    a |= {"model.i1": 1, "model.i2": 1, "model.i3": 1, "model.i4": 0.5}
    b = {"data.i1": 0, "data.i2": 0.5, "data.i3": 0, "data.i4": 0}
    b |= {"model.i1": 0.5, "model.i2": 0.5, "model.i3": 0, "model.i4": "対象外"}
    rows = [
        *rows_for("a", a, round="2022-04", date=day),
        *rows_for("b", b, round="2022-04", date=day),
    ]
    answers_import(path=write_xlsx(tmp_path / "s.xlsx", rows), version=version)

    first = Assessment.objects.get(product__slug="a")
    assert first.final_score == pytest.approx(a_final)
    assert first.band == a_band
    assert first.verified_score == pytest.approx(a_verified)
    scores = dict(AreaScore.objects.filter(assessment=first).values_list("area_key", "score"))
    assert scores == {"data": pytest.approx(a_data), "model": 3.5}
    second = Assessment.objects.get(product__slug="b")
    assert (second.final_score, second.band) == (b_final, "(0,1]")
    model = AreaScore.objects.get(assessment=second, area_key="model")
    assert (model.applicable, model.raw, model.score) == (3, 1.0, pytest.approx(b_model))
    assert Round.objects.get().opens_on == dt.date(2022, 4, 1)


def test_csv_and_xlsx_of_the_same_answers_store_the_same_scores(tmp_path: Path) -> None:
    def stored() -> list[tuple[Any, ...]]:
        return list(
            Assessment.objects.order_by("product__slug").values_list(
                "product__slug", "status", "final_score", "verified_score", "band"
            )
        )

    rows = [
        *rows_for("p1", every(1, data_i7="NA", model_i2=0.5)),
        *rows_for("p2", every(0.5, infra_i1=0)),
        *rows_for("p3", {"data.i1": 1}),
    ]
    results = []
    for name, writer in (("a.csv", write_csv), ("a.xlsx", write_xlsx)):
        version = factories.make_version(key=name.replace(".", "-"), na_items=("data.i7",))
        answers_import(path=writer(tmp_path / name, rows), version=version)
        results.append(stored())
        Answer.objects.all().delete()
        AreaScore.objects.all().delete()
        Assessment.objects.all().delete()
    assert results[0] == results[1]
    assert results[0] == [
        ("p1", "submitted", 6.5, 3.5, ">5"),
        ("p2", "submitted", 3.0, 3.0, "(2,3]"),
        ("p3", "not_submitted", None, None, ""),
    ]


def test_every_spelling_of_an_answer_is_read(version: Any, tmp_path: Path) -> None:
    spelled = {
        "data.i1": "1.0",
        "data.i2": " 0.5 ",
        "data.i3": "0",
        "data.i4": "1",
        "data.i5": "",
        "data.i7": "対象外",
        "model.i6": "n/a",
        "model.i7": "NA",
        "monitoring.i7": "N/A",
    }
    answers_import(path=write_csv(tmp_path / "a.csv", rows_for("p", spelled)), version=version)
    stored = dict(Answer.objects.values_list("item__key", "value"))
    assert [stored[k] for k in spelled] == ["1", "0.5", "0", "1", None, "NA", "NA", "NA", "NA"]
    assert stored["data.i6"] is None  # no row: unanswered


def test_header_any_case_order_and_spaces_extra_columns_ignored_bom_accepted(
    version: Any, tmp_path: Path
) -> None:
    header = [" Item ", "ANSWER", "comment", "Product", "Round_Date", "round"]
    rows = [(key, 1, "ignored", "p", "2021-10-01", "2021-10") for key in KEYS]
    path = write_csv(tmp_path / "a.csv", rows, header=header, bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    answers_import(path=path, version=version)
    assert Assessment.objects.get().final_score == 7.0


def test_names_in_japanese_get_distinct_slugs(version: Any, tmp_path: Path) -> None:
    rows = [
        *rows_for("広告 CTR", every(1), department="広告部"),
        *rows_for("検索 CTR", every(1), department="検索部"),
    ]
    result = answers_import(path=write_csv(tmp_path / "a.csv", rows), version=version)
    assert len(result.products_created) == 2
    products = {p.name: p for p in Product.objects.select_related("department")}
    assert set(products) == {"広告 CTR", "検索 CTR"}
    slugs = {p.slug for p in products.values()}
    assert all(slug.startswith("ctr-") for slug in slugs) and len(slugs) == 2
    assert products["広告 CTR"].department.name == "広告部"
    assert products["広告 CTR"].department.slug.startswith("department-")
    again = answers_import(path=write_csv(tmp_path / "a.csv", rows), version=version)
    assert again.products_created == [] and again.unchanged == 2


def test_a_csv_saved_with_semicolons_is_read(version: Any, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    lines = [";".join(HEADER)] + [f"2021-10;2021-10-01;p;;;{key};1;" for key in KEYS]
    path.write_text("\n".join(lines), encoding="utf-8")
    answers_import(path=path, version=version)
    assert Assessment.objects.get().final_score == 7.0


def test_items_are_found_by_key_or_code(version: Any, tmp_path: Path) -> None:
    codes = {key: key for key in KEYS}
    codes.update({"data.i1": "D1", "model.i2": "m2", "monitoring.i3": "MON3"})
    rows = [("2021-10", "2021-10-01", "p", "", "", codes[key], 1, "") for key in KEYS]
    answers_import(path=write_csv(tmp_path / "a.csv", rows), version=version)
    assert Assessment.objects.get().final_score == 7.0


def test_xlsx_numbers_dates_empty_rows_and_a_date_typed_round(version: Any, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(HEADER))
    for key in KEYS:
        # A spreadsheet turns "2021-10" typed in a cell into the date 2021-10-01.
        sheet.append([dt.datetime(2021, 10, 1), dt.date(2021, 10, 1), "p", None, "PoC", key, 1])
    sheet.append([])
    sheet.append([None, None, None, None, None, None, None, None])
    workbook.create_sheet("notes").append(["only the first sheet is read", "x", "y"])
    path = tmp_path / "a.xlsx"
    workbook.save(path)
    result = answers_import(path=path, version=version)
    assert result.rows == 28 and result.rounds_created == ["2021-10"]
    assert Product.objects.get().phase == "poc"


def test_xlsx_reads_the_sheet_named_answers_wherever_it_is(version: Any, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    summary = workbook.active
    summary.title = "Summary"
    summary.append(["Trend report: mlts"])
    summary.append(["not", "an", "answer"])
    sheet = workbook.create_sheet("answers")  # any case
    sheet.append(list(HEADER))
    for key in KEYS:
        sheet.append(["2021-10", dt.date(2021, 10, 1), "p", None, "poc", key, 1])
    path = tmp_path / "a.xlsx"
    workbook.save(path)
    result = answers_import(path=path, version=version)
    assert result.rows == 28 and result.rounds_created == ["2021-10"]
    assert Assessment.objects.get().final_score == 7.0


def test_rows_are_numbered_as_in_the_file_with_empty_rows_counted(
    version: Any, tmp_path: Path
) -> None:
    good = ("2021-10", "2021-10-01", "p", "", "", "data.i1", "1", "")
    bad = ("2021-10", "2021-10-01", "p", "", "", "data.i2", "2", "")
    blank = ("",) * 8
    for path in (
        write_csv(tmp_path / "a.csv", [good, blank, blank, bad]),
        write_xlsx(tmp_path / "a.xlsx", [good, (), (None,) * 8, bad]),
    ):
        assert problems_of(version, path) == [
            "row 5: answer '2' is not an answer: "
            "use 0, 0.5, 1 or NA (N/A, 対象外), or leave it empty"
        ]


def test_an_uploaded_file_is_read_like_a_path(version: Any, tmp_path: Path) -> None:
    rows = rows_for("p", every(1))
    for name, writer in (("a.csv", write_csv), ("a.xlsx", write_xlsx)):
        upload = SimpleUploadedFile(name, writer(tmp_path / name, rows).read_bytes())
        result = answers_import(file=upload, version=version)
        assert result.rows == 28
    assert Assessment.objects.get().final_score == 7.0


# ------------------------------------------------------------------ all or nothing


def test_every_invalid_row_is_listed_by_its_number_and_nothing_is_written(
    version: Any, tmp_path: Path
) -> None:
    rows = [
        ("2021-10", "2021-10-01", "p1", "", "", "data.i1", "1", ""),  # row 2
        ("2021-10", "2021-10-01", "p1", "", "", "data.i2", "2", ""),
        ("2021-10", "2021-10-01", "p2", "", "", "data.i1", "NA", ""),
        ("2021-10", "2021-10-01", "p1", "", "", "nope", "1", ""),
        ("2021-10", "2021-13-01", "p1", "", "", "data.i3", "1", ""),
        ("2021-10", "2021-10-01", "p1", "", "prod", "data.i4", "1", ""),
        ("",) * 8,  # row 8: skipped
        ("2021-10", "", "p1", "", "", "D1", "0.5", ""),
        ("2022-04", "", "p1", "", "", "data.i1", "1", ""),
        ("2022-04", "", "p2", "", "", "data.i1", "yes", ""),
        ("", "2021-10-01", "", "", "", "", "1", ""),
    ]
    assert problems_of(version, write_csv(tmp_path / "a.csv", rows)) == [
        "row 3: answer '2' is not an answer: use 0, 0.5, 1 or NA (N/A, 対象外), or leave it empty",
        "row 4: item D1 (data.i1) does not allow N/A",
        "row 5: item 'nope' is not an item of mlts@2017.1",
        "row 6: round_date '2021-13-01' is not a date (YYYY-MM-DD)",
        "row 7: phase 'prod' is not one of poc, validation, production",
        "row 9: round '2021-10', product 'p1', item D1 is already answered on row 2",
        "row 10: round '2022-04' does not exist yet and no row gives its round_date "
        "(YYYY-MM-DD) (and 1 more row of this round)",
        "row 11: answer 'yes' is not an answer: use 0, 0.5, 1 or NA (N/A, 対象外), "
        "or leave it empty",
        "row 12: round is empty",
        "row 12: product is empty",
        "row 12: item is empty",
    ]
    assert set(counts().values()) == {0}


def test_a_bad_file_changes_nothing_that_was_imported_before(version: Any, tmp_path: Path) -> None:
    answers_import(path=write_csv(tmp_path / "a.csv", rows_for("p", every(1))), version=version)
    before, scores = counts(), list(Assessment.objects.values_list("final_score", flat=True))
    rows = [*rows_for("p", every(0)), *rows_for("new", every(1), round="2022-04", date="x")]
    assert problems_of(version, write_csv(tmp_path / "b.csv", rows))[0].startswith("row 30: ")
    assert counts() == before
    assert list(Assessment.objects.values_list("final_score", flat=True)) == scores == [7.0]


def test_a_missing_required_column_is_named(version: Any, tmp_path: Path) -> None:
    header = ["round", "round_date", "product", "item", "note"]
    path = write_csv(tmp_path / "a.csv", [("2021-10", "2021-10-01", "p", "D1", "")], header)
    assert problems_of(version, path) == ["row 1: the header has no 'answer' column"]
    path = write_csv(tmp_path / "b.csv", [], ["Round", "answer", "answer"])
    assert problems_of(version, path) == [
        "row 1: the column 'answer' appears twice in the header",
        "row 1: the header has no 'product' column",
        "row 1: the header has no 'item' column",
    ]
    (tmp_path / "empty.csv").write_bytes(b"")
    assert problems_of(version, tmp_path / "empty.csv") == [
        "row 1: the file is empty: it needs a header row"
    ]
    assert problems_of(version, write_csv(tmp_path / "c.csv", [])) == [
        "row 2: the file has a header but no answers"
    ]


def test_rounds_that_exist_must_be_closed_of_this_version_and_of_the_same_date(
    version: Any, tmp_path: Path
) -> None:
    other = factories.make_version(version="2018.1")
    factories.make_round(version, label="2026-10", status="open")
    factories.make_round(other, label="2019-04", opens_on=dt.date(2019, 4, 1), status="closed")
    factories.make_round(version, label="2021-04", opens_on=dt.date(2021, 4, 1), status="closed")
    rows = [
        ("2026-10", "", "p", "", "", "data.i1", "1", ""),  # row 2
        ("2026-10", "", "p", "", "", "data.i2", "1", ""),
        ("2019-04", "", "p", "", "", "data.i1", "1", ""),
        ("2021-04", "2021-04-01", "p", "", "", "data.i1", "1", ""),
        ("2021-04", "2021-04-02", "p", "", "", "data.i2", "1", ""),
        ("2023-04", "2023-04-01", "p", "", "", "data.i1", "1", ""),
        ("2023-04", "", "p", "", "", "data.i2", "1", ""),
        ("2023-04", "2023-04-03", "p", "", "", "data.i3", "1", ""),
    ]
    assert problems_of(version, write_csv(tmp_path / "a.csv", rows)) == [
        "row 2: round '2026-10' is open, not closed: answers for an open round are given "
        "in the browser (and 1 more row of this round)",
        "row 4: round '2019-04' exists with mlts@2018.1, not mlts@2017.1",
        "row 6: round_date 2021-04-02 contradicts round '2021-04', which opened on 2021-04-01",
        "row 9: round_date 2023-04-03 contradicts 2023-04-01, given for round '2023-04' on row 7",
    ]
    assert Round.objects.count() == 3 and Product.objects.count() == 0


def test_more_na_in_an_area_than_allowed_is_refused_for_complete_answers_only(
    tmp_path: Path,
) -> None:
    version = factories.make_version(
        na_items=tuple(f"data.i{n}" for n in range(1, 6)), max_na_per_area=3
    )
    complete = every(1, data_i2="NA", data_i3="NA", data_i4="NA", data_i5="NA")
    incomplete = {**complete, "model.i1": ""}
    rows = [*rows_for("complete", complete), *rows_for("incomplete", incomplete)]
    message = (
        "product 'complete' in round '2021-10' has 4 N/A answers in area 'data' "
        "(rows 3, 4, 5, 6), more than the 3 allowed per area: such answers could never "
        "have been submitted"
    )
    assert problems_of(version, write_csv(tmp_path / "a.csv", rows)) == [
        f"row {n}: {message}" for n in (3, 4, 5, 6)
    ]
    result = answers_import(
        path=write_csv(tmp_path / "b.csv", rows_for("incomplete", incomplete)), version=version
    )
    assert (result.scored, result.not_submitted) == (0, 1)


def test_not_utf8_and_old_xls_files_are_refused(version: Any, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(",".join(HEADER).encode() + "\n2021-10,,製品,,,D1,対象外,\n".encode("cp932"))
    with pytest.raises(ApplicationError, match="save the CSV as UTF-8"):
        answers_import(path=path, version=version)
    path = tmp_path / "a.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(ApplicationError, match=r"Old \.xls workbooks are not read"):
        answers_import(path=path, version=version)
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ApplicationError, match="The XLSX workbook cannot be read"):
        answers_import(path=path, version=version)


# ---------------------------------------------------------------- existing records


def test_existing_products_and_departments_are_reused_and_left_as_they_are(
    version: Any, tmp_path: Path
) -> None:
    ads = factories.DepartmentFactory(slug="ads", name="Advertising")
    product = factories.ProductFactory(slug="ads-ctr", name="Ads CTR", department=ads, phase="poc")
    rows = [
        *rows_for("Ads CTR", every(1), department="Other", phase="production"),
        *rows_for("Search Rank", every(1), department="advertising", phase="validation"),
    ]
    result = answers_import(path=write_csv(tmp_path / "a.csv", rows), version=version)
    assert result.products_created == ["search-rank"] and result.departments_created == []
    product.refresh_from_db()
    assert (product.department, product.phase, product.name) == (ads, "poc", "Ads CTR")
    assert Product.objects.get(slug="search-rank").department == ads
    assert not Department.objects.filter(name="Other").exists()


def test_a_new_product_takes_department_and_phase_from_its_latest_round(
    version: Any, tmp_path: Path
) -> None:
    rows = [
        *rows_for("p", every(1), round="2022-04", date="2022-04-01", department="New", phase="poc"),
        *rows_for("p", every(1), department="Old", phase="validation"),
    ]
    result = answers_import(path=write_csv(tmp_path / "a.csv", rows), version=version)
    assert result.rounds_created == ["2021-10", "2022-04"]
    product = Product.objects.get()
    assert (product.department.name, product.phase) == ("New", "poc")
    assert list(Department.objects.values_list("name", flat=True)) == ["New"]
    assert set(Round.objects.get(label="2022-04").products.all()) == {product}


def test_a_closed_round_is_updated_with_each_change_recorded(version: Any, tmp_path: Path) -> None:
    importer = factories.admin_user(username="importer")
    first = [*rows_for("p1", every(1)), *rows_for("p2", every(0.5))]
    answers_import(path=write_csv(tmp_path / "a.csv", first), version=version)
    untouched = Assessment.objects.get(product__slug="p2")
    changed_rows = [
        *rows_for("p1", every(1, data_i1=0, data_i3="")),
        *rows_for("p2", every(0.5)),
        *rows_for("p3", every(1), department="New"),
    ]
    changed_rows[1] = (*changed_rows[1][:7], "documented by hand")
    result = answers_import(
        path=write_csv(tmp_path / "b.csv", changed_rows), version=version, by=importer
    )
    assert [
        (r.assessments_created, r.assessments_updated, r.assessments_unchanged)
        for r in result.rounds
    ] == [(1, 1, 1)]
    assert result.answers_changed == 28 + 3  # p3's answers, and three changes of p1
    p1 = Assessment.objects.get(product__slug="p1")
    assert (p1.status, p1.final_score, p1.scored_at, p1.submitted_at) == (
        "not_submitted",
        None,
        None,
        None,
    )
    revisions = AnswerRevision.objects.filter(answer__assessment=p1).order_by("answer__item__key")
    assert [
        (r.answer.item.key, r.old_value, r.new_value, r.old_note, r.new_note, r.source, r.by)
        for r in revisions
    ] == [
        ("data.i1", "1", "0", "", "", "import", importer),
        ("data.i2", "1", "1", "", "documented by hand", "import", importer),
        ("data.i3", "1", None, "", "", "import", importer),
    ]
    assert Answer.objects.get(assessment=p1, item__key="data.i1").revision == 1
    after = Assessment.objects.get(pk=untouched.pk)
    assert (after.updated_at, after.scored_at) == (untouched.updated_at, untouched.scored_at)
    # The second file changed a round that existed: a re-score recorded as from the import.
    assert list(RoundEvent.objects.values_list("kind", "source")) == [
        ("imported", "import"),
        ("rescored", "import"),
    ]

    # Completing p1 again scores it again.
    answers_import(
        path=write_csv(tmp_path / "c.csv", rows_for("p1", every(1, data_i1=0))), version=version
    )
    p1.refresh_from_db()
    assert (p1.status, p1.final_score) == ("submitted", 6.0)
    assert AreaScore.objects.get(assessment=p1, area_key="data").score == 6.0


def test_importing_into_a_round_closed_in_the_browser_targets_and_scores(
    version: Any, tmp_path: Path
) -> None:
    rnd = factories.make_round(
        version, label="2026-04", opens_on=dt.date(2026, 4, 1), status="closed"
    )
    product = factories.ProductFactory(slug="late")
    answers_import(
        path=write_csv(tmp_path / "a.csv", rows_for("late", every(1), round="2026-04", date="")),
        version=version,
    )
    assert list(rnd.products.all()) == [product]
    assert Assessment.objects.get(round=rnd, product=product).final_score == 7.0


def test_importing_the_same_file_again_changes_nothing(version: Any, tmp_path: Path) -> None:
    def snapshot() -> dict[str, Any]:
        return {
            "answers": sorted(Answer.objects.values_list()),
            "assessments": sorted(Assessment.objects.values_list()),
            "areas": sorted(AreaScore.objects.values_list()),
            "reports": sorted(RoundReport.objects.values_list()),
            "rounds": sorted(Round.objects.values_list()),
            "products": sorted(Product.objects.values_list()),
            "departments": sorted(Department.objects.values_list()),
            **counts(),
        }

    rows = [
        *rows_for("p1", every(1, data_i7="NA", model_i1=0.5), department="Ads"),
        *rows_for("p2", {"data.i1": 1}),
        *rows_for("p1", every(0.5), round="2022-04", date="2022-04-01"),
    ]
    path = write_xlsx(tmp_path / "a.xlsx", rows)
    answers_import(path=path, version=version)
    before = snapshot()
    result = answers_import(path=path, version=version)
    assert snapshot() == before
    assert (result.scored, result.not_submitted, result.unchanged) == (0, 0, 3)
    assert result.rounds_created == [] and result.products_created == []


# ---------------------------------------------------------------------- the command


def test_the_command_prints_a_summary(version: Any, tmp_path: Path) -> None:
    rows = [*rows_for("p1", every(1), department="Ads"), *rows_for("p2", {"data.i1": 1})]
    path = write_csv(tmp_path / "a.csv", rows)
    out = StringIO()
    call_command("import_answers", str(path), "--questionnaire", "mlts@2017.1", stdout=out)
    assert out.getvalue().splitlines() == [
        f"Imported {path} into mlts@2017.1.",
        "Rows read: 29",
        "Rounds created: 1 (2021-10)",
        "Departments created: 2",
        "Products created: 2",
        "Assessments scored (submitted): 1",
        "Assessments not submitted (incomplete, not scored): 1",
        "Assessments unchanged: 0",
        "Answers changed: 29",
        "  2021-10: created, 1 scored, 1 not submitted, 0 unchanged",
    ]


def test_the_command_fails_with_every_problem_and_a_non_zero_exit(
    version: Any, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    rows = [*rows_for("p", every(1)), ("2021-10", "", "p", "", "", "D9", "1", "")]
    path = write_csv(tmp_path / "a.csv", rows)
    with pytest.raises(CommandError) as raised:
        call_command("import_answers", str(path), "--questionnaire", "mlts@2017.1")
    assert str(raised.value).splitlines() == [
        "The answers file has 1 problem; nothing was imported.",
        "  row 30: item 'D9' is not an item of mlts@2017.1",
    ]
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    for argv in (
        [str(path), "--questionnaire", "mlts@2017.1"],
        [str(path), "--questionnaire", "mlts@1999.1"],
        [str(tmp_path / "missing.csv"), "--questionnaire", "mlts@2017.1"],
    ):
        with pytest.raises(SystemExit) as exit_:
            ManagementUtility(["manage.py", "import_answers", *argv]).execute()
        assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "row 30: item 'D9' is not an item of mlts@2017.1" in err
    assert "No questionnaire version mlts@1999.1" in err
    assert "missing.csv: no such file" in err
    assert set(counts().values()) == {0}


def test_import_result_summary_names_each_round() -> None:
    result = ImportResult(rows=0)
    assert result.summary()[1] == "Rounds created: 0 (none)"
