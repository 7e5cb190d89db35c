"""Deadline day (`make bench`, section ``deadline_day``): scripted users for Locust.

The last days of a round: respondents autosaving, managers watching the report pages,
CI posting evidence. ``benchmarks.deadline`` writes the plan (sessions, assessments,
token) to the file named by ``DEADLINE_PLAN`` and reads back the saves the server
acknowledged (``DEADLINE_ACKS``) to check that every one of them is in the database.
Run alone, a class at a time, for the idle figures, then all together.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import threading
from typing import Any

import gevent
from locust import FastHttpUser, constant, constant_pacing, constant_throughput, events, task

with open(os.environ["DEADLINE_PLAN"], encoding="utf-8") as plan_file:
    PLAN: dict[str, Any] = json.load(plan_file)
ACKS: list[dict[str, Any]] = []
_RESPONDENTS = itertools.count()
_RECORDS = itertools.count()
_LOCK = threading.Lock()


def _headers(session: str) -> dict[str, str]:
    csrf = PLAN["csrf"]
    return {
        "Cookie": f"sessionid={session}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Content-Type": "application/json",
    }


class Respondent(FastHttpUser):
    """One team member on their own assessment, changing an answer every 2 s."""

    wait_time = constant_pacing(2)
    weight = 60

    def on_start(self) -> None:
        with _LOCK:
            mine = PLAN["respondents"][next(_RESPONDENTS) % len(PLAN["respondents"])]
        self.assessment = mine["assessment"]
        self.answers = {int(k): v for k, v in mine["answers"].items()}  # item → [value, rev]
        self.rng = random.Random(self.assessment)
        # People do not save in step: each starts at its own moment of the 2-s cycle (all 60
        # starting in the same second would send the saves in bursts of 60).
        gevent.sleep(self.rng.uniform(0, 2))

    @task
    def autosave(self) -> None:
        item = self.rng.choice(list(self.answers))
        value, revision = self.answers[item]
        new = self.rng.choice([v for v in ("0", "0.5", "1") if v != value])
        with self.client.post(
            f"/assessments/{self.assessment}/items/{item}/",
            data=json.dumps({"value": new, "base_revision": revision}),
            # A new connection each time: a save every 2 s meets gunicorn's 2 s keep-alive
            # closing the old one (a browser would reconnect; Locust reports an error).
            headers={**_headers(PLAN["respondent_session"]), "Connection": "close"},
            name="autosave",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")
                return
            answer = response.json()["answer"]
            self.answers[item] = [answer["value"], answer["revision"]]
            ACKS.append(
                {
                    "assessment": self.assessment,
                    "item": item,
                    "value": answer["value"],
                    "revision": answer["revision"],
                }
            )


class Manager(FastHttpUser):
    """A manager reading report pages, one a second."""

    wait_time = constant(1)
    weight = 5

    @task
    def page(self) -> None:
        url = random.choice(PLAN["pages"])
        self.client.get(url, headers=_headers(PLAN["manager_session"]), name="report page")


class Pipeline(FastHttpUser):
    """CI posting one evidence record at a time: three pipelines, 10 records a second each."""

    wait_time = constant_throughput(10)
    weight = 3

    @task
    def evidence(self) -> None:
        n = next(_RECORDS)
        body = {
            "product": PLAN["product"],
            "item": PLAN["items"][n % len(PLAN["items"])],
            "outcome": "pass" if n % 5 else "fail",
            "observed_at": (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat(),
            "url": f"https://ci.example/run/deadline-{PLAN['tag']}-{n}",
            "run_id": f"deadline-{PLAN['tag']}-{n}",
            "summary": "bench",
        }
        self.client.post(
            "/api/v1/evidence/",
            data=json.dumps(body),
            headers={
                "Authorization": f"Bearer {PLAN['token']}",
                "Content-Type": "application/json",
            },
            name="evidence",
        )


@events.test_stop.add_listener
def _write_acks(**_: Any) -> None:
    with open(os.environ["DEADLINE_ACKS"], "w", encoding="utf-8") as out:
        json.dump(ACKS, out)
