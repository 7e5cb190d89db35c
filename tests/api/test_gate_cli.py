"""``mlopsscore-evidence gate`` against the live test server (DESIGN §6.8)."""

from __future__ import annotations

from typing import Any

import pytest

from mlopsscore import evidence_cli
from surveys.assessments.services import assessment_submit
from surveys.tokens.services import token_create
from tests import factories


@pytest.fixture
def server(live_server: Any, cast: Any, version: Any, monkeypatch: Any, settings: Any) -> Any:
    """ads-ctr submitted with monitoring at 3.5 of 7, its token set as a CI would."""
    settings.SCORE_TARGETS_BY_PHASE = {"production": 3.0}
    rnd = factories.make_round(version, products=(cast.product,))
    values = {f"monitoring.i{n}": "0.5" for n in range(1, 8)}
    assessment = factories.make_assessment(rnd, cast.product, values, default="1")
    assessment_submit(assessment=assessment, by=cast.member)
    _, raw = token_create(product=cast.product, name="ci")
    monkeypatch.setenv("MLOPSSCORE_URL", live_server.url)
    monkeypatch.setenv("MLOPSSCORE_TOKEN", raw)
    return live_server


def test_a_passing_gate_exits_0_and_says_so(server: Any, capsys: Any) -> None:
    assert evidence_cli.main(["gate", "--product", "ads-ctr"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("gate passes: ads-ctr (production), claimed score 3.5 against target 3.0")


def test_a_failing_gate_exits_1_and_prints_why(server: Any, capsys: Any, settings: Any) -> None:
    settings.SCORE_TARGETS_BY_PHASE = {"production": 4.0}
    assert evidence_cli.main(["gate", "--product", "ads-ctr"]) == 1
    out = capsys.readouterr().out
    assert "gate FAILS: ads-ctr" in out
    assert "  area monitoring: 3.5, needs 4.0" in out


def test_another_products_gate_exits_1_with_the_servers_message(server: Any, capsys: Any) -> None:
    assert evidence_cli.main(["gate", "--product", "search-rank"]) == 1
    assert "HTTP 404" in capsys.readouterr().err


def test_an_unreachable_server_exits_1(capsys: Any, monkeypatch: Any) -> None:
    code = evidence_cli.main(
        ["gate", "--product", "ads-ctr", "--url", "http://127.0.0.1:9", "--token", "x"]
    )
    assert code == 1
    assert "cannot reach" in capsys.readouterr().err


def test_the_product_is_required(capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv("MLOPSSCORE_PRODUCT", raising=False)
    with pytest.raises(SystemExit) as stopped:
        evidence_cli.main(["gate", "--url", "http://127.0.0.1:9", "--token", "x"])
    assert stopped.value.code == 2
