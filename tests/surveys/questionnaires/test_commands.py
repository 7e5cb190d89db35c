"""``load_questionnaire`` and ``dump_questionnaire`` (DESIGN §6.1, §6.3)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, ManagementUtility, call_command

from surveys.models import Item, QuestionnaireVersion
from surveys.questionnaires.services import version_to_dict
from tests.factories import make_version, questionnaire_data

pytestmark = pytest.mark.django_db

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "ml-test-score-2017.json"


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def cli(monkeypatch: Any, capsys: Any, *argv: str) -> tuple[int, str, str]:
    """Run a command as ``manage.py`` does: its exit code, stdout and stderr."""
    # manage.py closes the database connections when it ends; keep the test's open.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    code = 0
    try:
        ManagementUtility(["manage.py", *argv]).execute()
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write(tmp_path: Path, data: Any, name: str = "q.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_shipped_questionnaire_loads_and_dumps_back_identically(tmp_path: Path) -> None:
    out = run("load_questionnaire", str(FIXTURE), "--publish")
    assert out == "Created mlts@2017.1: 4 areas, 28 items, published.\n"
    run("dump_questionnaire", "mlts@2017.1", "-o", str(tmp_path / "out.json"))
    assert (tmp_path / "out.json").read_bytes() == FIXTURE.read_bytes()
    assert run("dump_questionnaire", "mlts@2017.1") == FIXTURE.read_text(encoding="utf-8")


def test_round_trip_through_both_commands_under_a_new_version(tmp_path: Path) -> None:
    source = write(tmp_path, questionnaire_data(na_items=("data.i7",), na_policy="drop"))
    run("load_questionnaire", str(source))
    first = tmp_path / "first.json"
    run("dump_questionnaire", "mlts@2017.1", "-o", str(first))
    data = json.loads(first.read_text(encoding="utf-8"))
    data["version"] = "2017.2"
    second_source = write(tmp_path, data, "second-source.json")
    out = run("load_questionnaire", str(second_source))
    assert out == "Created mlts@2017.2: 4 areas, 28 items, draft.\n"
    second = json.loads(run("dump_questionnaire", "mlts@2017.2"))
    assert second == {**json.loads(first.read_text(encoding="utf-8")), "version": "2017.2"}
    assert second["na_policy"] == "drop"
    first_version = QuestionnaireVersion.objects.get(version="2017.1")
    second_version = QuestionnaireVersion.objects.get(version="2017.2")
    assert first_version.content_hash != ""
    assert (
        version_to_dict(version=second_version)["areas"]
        == version_to_dict(version=first_version)["areas"]
    )


def test_dump_writes_japanese_as_text_in_utf8(tmp_path: Path) -> None:
    make_version()
    out = run("dump_questionnaire", "mlts@2017.1")
    assert '"ja": "ML テストスコア"' in out
    assert "\\u" not in out
    run("dump_questionnaire", "mlts@2017.1", "-o", str(tmp_path / "q.json"))
    assert "ML テストスコア" in (tmp_path / "q.json").read_text(encoding="utf-8")


def test_loading_again_keeps_a_published_version_with_identical_content(tmp_path: Path) -> None:
    source = write(tmp_path, questionnaire_data())
    run("load_questionnaire", str(source), "--publish")
    out = run("load_questionnaire", str(source), "--publish")
    assert out == ("Kept mlts@2017.1: already published with identical content; nothing changed.\n")
    assert QuestionnaireVersion.objects.count() == 1


def test_loading_a_draft_again_replaces_it(tmp_path: Path) -> None:
    run("load_questionnaire", str(write(tmp_path, questionnaire_data())))
    out = run("load_questionnaire", str(write(tmp_path, questionnaire_data(per_area=5))))
    assert out == "Replaced the draft mlts@2017.1: 4 areas, 20 items, draft.\n"


def test_changed_content_of_a_published_version_is_refused(tmp_path: Path) -> None:
    make_version()
    changed = questionnaire_data()
    changed["areas"][0]["items"][0]["title"] = "Something else"
    with pytest.raises(CommandError, match="already published with different content"):
        run("load_questionnaire", str(write(tmp_path, changed)))
    assert Item.objects.get(key="data.i1").title["en"] == "data practice 1"


def test_a_bad_file_lists_every_problem_by_area_and_item_and_writes_nothing(
    tmp_path: Path,
) -> None:
    data = questionnaire_data()
    data["areas"][0]["items"][1]["criteria"].pop("0.5")
    data["areas"][2]["items"][0]["code"] = "D1"
    data["areas"][3]["items"][2]["title"] = ""
    with pytest.raises(CommandError) as raised:
        run("load_questionnaire", str(write(tmp_path, data)))
    assert str(raised.value).splitlines() == [
        "The questionnaire file is invalid.",
        "  area 'data', item 'data.i2': criteria for 0.5 is missing",
        "  area 'infra', item 'infra.i1': code 'D1' is also used by area 'data', item 'data.i1'",
        "  area 'monitoring', item 'monitoring.i3': title is empty",
    ]
    assert QuestionnaireVersion.objects.count() == 0


def test_a_file_that_is_not_json_is_refused_with_where(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"key": "mlts",\n "version": }', encoding="utf-8")
    with pytest.raises(CommandError, match=r"not valid JSON: line 2, column 13"):
        run("load_questionnaire", str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        run("load_questionnaire", str(tmp_path / "missing.json"))


def test_dump_of_an_unknown_version_is_refused() -> None:
    with pytest.raises(CommandError, match="No questionnaire version mlts@9; load it first"):
        run("dump_questionnaire", "mlts@9")
    with pytest.raises(CommandError, match="is not KEY@VERSION"):
        run("dump_questionnaire", "mlts")


def test_exit_codes_and_output_as_run_from_the_shell(
    tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    code, out, err = cli(monkeypatch, capsys, "load_questionnaire", str(FIXTURE), "--publish")
    assert (code, out, err) == (0, "Created mlts@2017.1: 4 areas, 28 items, published.\n", "")
    code, out, err = cli(monkeypatch, capsys, "dump_questionnaire", "mlts@2017.1")
    assert code == 0 and json.loads(out)["key"] == "mlts"
    bad = questionnaire_data()
    bad["areas"][0]["items"][0]["criteria"]["0"] = 3
    code, out, err = cli(monkeypatch, capsys, "load_questionnaire", str(write(tmp_path, bad)))
    assert code == 1 and out == ""
    assert "area 'data', item 'data.i1': criteria 0 must be a string or a language map" in err
    code, out, err = cli(monkeypatch, capsys, "dump_questionnaire", "mlts@0")
    assert code == 1 and "No questionnaire version mlts@0" in err
