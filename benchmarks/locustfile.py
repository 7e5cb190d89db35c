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
import time
from typing import Any

import gevent
from locust import FastHttpUser, constant, events, task

with open(os.environ["DEADLINE_PLAN"], encoding="utf-8") as plan_file:
    PLAN: dict[str, Any] = json.load(plan_file)
ACKS: list[dict[str, Any]] = []
# Every request: when it started (epoch seconds), its name and how long it took (ms), so
# that the bench can tell the requests sent during the close from the others.
TRACE: list[tuple[float, str, float]] = []
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


class Paced(FastHttpUser):
    """A user who acts every ``period`` seconds, at a moment of the period of their own.

    Locust's ``constant_pacing`` and ``constant_throughput`` count the period from the
    moment the user was made, and Locust makes every user in the same second: a wait in
    ``on_start`` is taken back from the first period, and the users act in step (60 saves
    within 12 ms, then nothing for 2 s, seen on the wire). Real people and pipelines do
    not, so each user here keeps its own clock from a random start.
    """

    abstract = True
    period = 1.0

    def on_start(self) -> None:
        gevent.sleep(random.uniform(0, self.period))
        self.next_at = time.monotonic()

    def wait_time(self) -> float:
        self.next_at += self.period
        return max(0.0, self.next_at - time.monotonic())


class Respondent(Paced):
    """One team member on their own assessment, changing an answer every 2 s."""

    period = 2.0
    weight = 60

    def on_start(self) -> None:
        with _LOCK:
            mine = PLAN["respondents"][next(_RESPONDENTS) % len(PLAN["respondents"])]
        self.assessment = mine["assessment"]
        self.answers = {int(k): v for k, v in mine["answers"].items()}  # item → [value, rev]
        self.rng = random.Random(self.assessment)
        super().on_start()

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


class Pipeline(Paced):
    """CI posting one evidence record at a time: three pipelines, 10 records a second each."""

    period = 0.1
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


@events.request.add_listener
def _trace(name: str, response_time: float, start_time: float, **_: Any) -> None:
    TRACE.append((start_time, name, response_time))


@events.test_stop.add_listener
def _write_acks(**_: Any) -> None:
    with open(os.environ["DEADLINE_ACKS"], "w", encoding="utf-8") as out:
        json.dump(ACKS, out)
    with open(os.environ["DEADLINE_TRACE"], "w", encoding="utf-8") as out:
        json.dump(TRACE, out)
