"""``mlopsscore-evidence`` against the live test server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mlopsscore import evidence_cli
from surveys.models import Evidence
from surveys.tokens.services import token_create

SCRIPT = Path(sys.executable).parent / "mlopsscore-evidence"


@pytest.fixture
def server(live_server: Any, cast: Any, version: Any, monkeypatch: Any) -> Any:
    """The live server, with ``MLOPSSCORE_URL`` and ``MLOPSSCORE_TOKEN`` set as a CI would."""
    _, raw = token_create(product=cast.product, name="ci")
    monkeypatch.setenv("MLOPSSCORE_URL", live_server.url)
    monkeypatch.setenv("MLOPSSCORE_TOKEN", raw)
    for name in evidence_cli.RUN_ID_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return live_server


def test_posts_one_record(server: Any, capsys: Any) -> None:
    code = evidence_cli.main(
        [
            "--product",
            "ads-ctr",
            "--item",
            "data.i1",
            "--outcome",
            "fail",
            "--run-id",
            "7",
            "--link",
            "https://ci.example/7",
            "--summary",
            "2 anomalies",
        ]
    )
    assert code == 0
    assert capsys.readouterr().out == "stored 1 record(s): 1 new, 0 replaced\n"
    stored = Evidence.objects.get()
    assert (stored.item_key, stored.outcome, stored.run_id, stored.url, stored.summary) == (
        "data.i1",
        "fail",
        "7",
        "https://ci.example/7",
        "2 anomalies",
    )


def test_the_run_id_defaults_to_the_ci_one(server: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("GITHUB_RUN_ID", "987")
    argv = ["--product", "ads-ctr", "--item", "data.i2", "--outcome", "pass"]
    assert evidence_cli.main(argv) == 0
    assert Evidence.objects.get().run_id == "987"


def test_posts_a_batch_file(server: Any, tmp_path: Path, capsys: Any) -> None:
    batch = [
        {"item": f"data.i{n}", "outcome": "pass", "run_id": "5", "observed_at": "2026-11-01T00:00Z"}
        for n in range(1, 4)
    ]
    path = tmp_path / "evidence.json"
    path.write_text(json.dumps(batch))
    assert evidence_cli.main(["--file", str(path), "--product", "ads-ctr"]) == 0
    assert "stored 3 record(s): 3 new" in capsys.readouterr().out
    assert sorted(Evidence.objects.values_list("item_key", flat=True)) == [
        "data.i1",
        "data.i2",
        "data.i3",
    ]


def test_fails_with_the_servers_message(server: Any, capsys: Any) -> None:
    argv = ["--product", "ads-ctr", "--item", "no.such", "--outcome", "pass", "--run-id", "1"]
    assert evidence_cli.main(argv) == 1
    err = capsys.readouterr().err
    assert "HTTP 400" in err and "Unknown item key 'no.such'" in err
    assert not Evidence.objects.exists()


def test_fails_with_a_bad_token(server: Any, capsys: Any) -> None:
    argv = ["--token", "mlops_bad", "--product", "ads-ctr", "--item", "data.i1"]
    assert evidence_cli.main([*argv, "--outcome", "pass", "--run-id", "1"]) == 1
    assert "HTTP 401: Unknown token." in capsys.readouterr().err


def test_fails_when_the_server_is_unreachable(server: Any, capsys: Any) -> None:
    argv = ["--url", "http://127.0.0.1:9", "--product", "ads-ctr", "--item", "data.i1"]
    assert evidence_cli.main([*argv, "--outcome", "pass", "--run-id", "1"]) == 1
    assert "cannot reach" in capsys.readouterr().err


def test_usage_errors_exit_2(monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.delenv("MLOPSSCORE_URL", raising=False)
    with pytest.raises(SystemExit) as exc:
        evidence_cli.main(["--item", "data.i1"])
    assert exc.value.code == 2
    assert "MLOPSSCORE_URL" in capsys.readouterr().err


def test_the_installed_console_script_posts(server: Any) -> None:
    result = subprocess.run(
        [
            str(SCRIPT),
            "--product",
            "ads-ctr",
            "--item",
            "data.i3",
            "--outcome",
            "pass",
            "--run-id",
            "script",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert Evidence.objects.get().run_id == "script"
