"""gunicorn.conf.py: the web processes as production, the image and the bench start them."""

from __future__ import annotations

import os
import runpy
from pathlib import Path
from typing import Any

import pytest
from gunicorn.config import Config

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def _conf(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    for name in ("WEB_WORKERS", "WEB_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return {k: v for k, v in runpy.run_path(str(CONF)).items() if not k.startswith("_")}


def test_every_name_is_a_gunicorn_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    # gunicorn skips a name it does not know without a word: a typo would change nothing.
    names = {k for k, v in _conf(monkeypatch).items() if not hasattr(v, "__spec__")}
    assert names <= set(Config().settings), names - set(Config().settings)


def test_a_process_a_core_of_eight_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = _conf(monkeypatch)
    assert conf["workers"] == max(2, len(os.sched_getaffinity(0)))
    assert conf["worker_class"] == "gthread" and conf["threads"] == 8
    # gunicorn's own defaults: a pool of connections with keep-alive.
    assert "worker_connections" not in conf and "keepalive" not in conf


def test_the_settings_applied_as_gunicorn_reads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = Config()
    for name, value in _conf(monkeypatch, WEB_WORKERS="3").items():
        if name in cfg.settings:
            cfg.set(name, value)
    assert (cfg.workers, cfg.threads, cfg.worker_class_str) == (3, 8, "gthread")
    assert (cfg.worker_connections, cfg.keepalive) == (1000, 2)


def test_one_thread_serves_one_connection_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # The model measured against it (docs/benchmarks.md): a worker busy with one request
    # accepts no other, and no kept-alive connection waits in it.
    conf = _conf(monkeypatch, WEB_WORKERS="8", WEB_THREADS="1")
    assert (conf["workers"], conf["threads"]) == (8, 1)
    assert conf["worker_connections"] == 1 and conf["keepalive"] == 0
