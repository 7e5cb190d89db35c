"""The production topology under faults (CI runs it from ``.ci/run``: ``make topology``).

    python -m tests.production_topology

It starts everything it breaks itself, on loopback, in a temporary folder, on free ports:
its own PostgreSQL cluster (``initdb``/``pg_ctl``), its own ``redis-server`` (append-only
file on, as a broker in production keeps its queue), an SMTP catcher (aiosmtpd) and a
webhook catcher. It never touches the machine's PostgreSQL (5432) or Redis (6379). Then
two gunicorn web processes, two Celery workers and one beat, and:

1. two people autosave answers without pause, each write sent to one web process and, if
   it fails, sent again to the other (what a load balancer does); every write the app
   acknowledged must be in the answers' history at the end (lost = 0);
2. failed sign-ins spread over both web processes lock the account on both, and the API
   throttle of a token counts the requests of both;
3. a web process is restarted, Redis is stopped for a while, PostgreSQL is restarted,
   all under that load: every request answers 2xx, a 409 conflict, or a clean 503, never
   a 500 or a traceback, and the app recovers by itself;
4. the members submit; the mail server goes down; a worker is killed while it is inside
   the round's close (blocked on the round's lock, its transaction open); the other
   worker closes the round exactly once; the mail server comes back and every email and
   webhook post of the round goes out exactly once.

The figures (requests made, failed, recovered, lost) are printed at the end and written
to ``var/production-topology.txt``; docs/operations.md reports them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
WAIT_SECONDS = 90
PASSWORD = "topology-pw-Just-for-CI-7"
THROTTLE = 40  # API requests per minute per token, in this run
MAX_TRIES = 200  # one write sent again at most this many times (0.25 s apart)
checks: list[str] = []


def check(name: str, ok: bool, detail: Any = "") -> None:
    if not ok:
        raise SystemExit(f"FAILED: {name} {detail}")
    checks.append(name)
    print(f"ok: {name}", flush=True)


def wait_until(what: str, probe: Callable[[], bool], seconds: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not probe():
        if time.monotonic() > deadline:
            raise SystemExit(f"FAILED: waited {seconds:.0f}s for {what}")
        time.sleep(0.25)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- The services it breaks: its own PostgreSQL, Redis, SMTP and webhook ----------------


class Postgres:
    """A PostgreSQL cluster of its own in ``folder``, run as the ``postgres`` user when the
    test runs as root (``initdb`` refuses root)."""

    def __init__(self, folder: Path) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        if not bins:
            raise SystemExit("FAILED: no PostgreSQL server in /usr/lib/postgresql/*/bin")
        self.bin = bins[-1].parent
        self.folder = folder
        self.data = folder / "pgdata"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(folder, "postgres")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/topology"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, stdout=subprocess.DEVNULL)

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "--no-sync", "-E", "UTF8",
        )  # fmt: skip
        self.start()
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "topology")

    def _ctl(self, *args: str) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60", *args)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._ctl("-o", options, "-l", str(self.folder / "postgres.log"), "start")

    def restart(self) -> None:
        self._ctl("-m", "fast", "restart")

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")


class Redis:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.folder),
             "--logfile", str(self.folder / "redis.log")],
        )  # fmt: skip
        wait_until("Redis", self.up, 30)

    def up(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()  # Redis writes its append-only file and leaves
            self.process.wait(timeout=30)
            self.process = None


class Smtp:
    """An SMTP catcher on loopback: every message it accepted, as (to, subject)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[tuple[str, str]] = []
        self.controller: Any = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        catcher = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                from email import message_from_bytes

                message = message_from_bytes(envelope.content)
                for to in envelope.rcpt_tos:
                    catcher.received.append((to, str(message.get("Subject", ""))))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


class Webhook:
    """A webhook catcher on loopback: the text of every post."""

    def __init__(self) -> None:
        self.received: list[str] = []
        catcher = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                catcher.received.append(json.loads(body).get("text", ""))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


# --- The app's processes -----------------------------------------------------------------


class Process:
    """One process of the app, in its own process group, logging to its own file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], logs: Path) -> None:
        self.name, self.argv, self.env = name, argv, env
        self.log = logs / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                self.argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def send(self, sig: int) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, sig)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None:
            return
        self.send(sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.send(signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def text(self) -> str:
        return self.log.read_text(errors="replace")


def ticks(worker: Process) -> int:
    """Periodic ticks a worker finished, read from its log."""
    return len(re.findall(r"Task surveys\.rounds_tick\[[^\]]+\] succeeded", worker.text()))


def web_up(base: str) -> bool:
    try:
        return requests.get(f"{base}/accounts/login/", timeout=2).status_code == 200
    except requests.RequestException:
        return False


# --- The load: autosaves through both web processes ---------------------------------------


class Figures:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.made = 0  # HTTP requests sent by the load
        self.failed = 0  # of them: no answer (connection refused or cut) or a 503
        self.recovered = 0  # writes that failed at least once and a later try stored
        self.unrecovered = 0  # failed writes never stored (MAX_TRIES spent)
        self.statuses: Counter[str] = Counter()
        self.bad: list[str] = []  # answers that are neither 2xx, 409 nor a clean 503
        self.acknowledged: list[tuple[int, str]] = []  # (answer's item, note) answered 200

    def count(self, status: str, *, failed: bool) -> None:
        with self.lock:
            self.made += 1
            self.failed += failed
            self.statuses[status] += 1


def clean_failure(response: requests.Response) -> bool:
    """A 503 that says what happened, with no traceback."""
    body = response.text
    return (
        response.status_code == 503
        and "Traceback" not in body
        and ("unavailable" in body.lower() or "try again" in body.lower())
    )


def classify(figures: Figures, response: requests.Response, what: str) -> str:
    status = str(response.status_code)
    ok = response.status_code < 400 or response.status_code == 409
    figures.count(status, failed=not ok)
    if ok:
        if "Traceback" in response.text:
            figures.bad.append(f"{what}: {status} with a traceback")
        return "ok"
    if clean_failure(response):
        return "failed"
    figures.bad.append(f"{what}: {status} {response.text[:300]!r}")
    return "failed"


def sign_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=10).raise_for_status()
    session.post(
        f"{base}/accounts/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        timeout=10,
    )
    if "sessionid" not in session.cookies:
        raise SystemExit(f"FAILED: {username} could not sign in")
    return session


def respondent(
    figures: Figures,
    stop: threading.Event,
    session: requests.Session,
    bases: list[str],
    assessment_id: int,
    items: list[int],
    who: str,
) -> None:
    """Autosave one item after another until told to stop; a write that fails is sent
    again, to the other web process, until it is stored."""
    values = ["0", "0.5", "1"]
    for n in range(100_000):
        if stop.is_set():
            return
        item = items[n % len(items)]
        note = f"{who}-{n}"
        body = json.dumps({"value": values[n % 3], "note": note})
        failed_before = False
        for attempt in range(MAX_TRIES):
            base = bases[(n + attempt) % len(bases)]
            try:
                if attempt % 4 == 3:  # now and then the page itself, as a browser would
                    page = session.get(f"{base}/assessments/{assessment_id}/", timeout=15)
                    classify(figures, page, "assessment page")
                response = session.post(
                    f"{base}/assessments/{assessment_id}/items/{item}/",
                    data=body,
                    headers={
                        "Content-Type": "application/json",
                        "X-CSRFToken": session.cookies["csrftoken"] or "",
                    },
                    timeout=15,
                )
            except requests.RequestException:
                figures.count("no answer", failed=True)
                failed_before = True
                time.sleep(0.25)
                continue
            if classify(figures, response, "autosave") == "ok" and response.status_code == 200:
                with figures.lock:
                    figures.acknowledged.append((item, note))
                    figures.recovered += failed_before
                break
            failed_before = True
            time.sleep(0.25)
        else:
            with figures.lock:
                figures.unrecovered += 1
        time.sleep(0.05)


# --- Setting the world up, in this process, against its own PostgreSQL -------------------


def setup(today: dt.date) -> dict[str, Any]:
    import django

    django.setup()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # the SMTP catcher's chatter
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from surveys.models import Department, Product, QuestionnaireVersion
    from surveys.rounds.services import round_create
    from surveys.tokens.services import token_create

    call_command("migrate", verbosity=0)
    # The static files, collected and compressed once (the smoke test before did it in CI).
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    newest = max(p.stat().st_mtime for p in (ROOT / "static").rglob("*") if p.is_file())
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        call_command("collectstatic", interactive=False, verbosity=0)
    call_command(
        "load_questionnaire", str(ROOT / "fixtures" / "ml-test-score-2017.json"), "--publish"
    )
    version = QuestionnaireVersion.objects.get()
    users = get_user_model().objects
    department = Department.objects.create(name="Ads")
    products = []
    for n, (slug, members) in enumerate(
        [("ads-ctr", ["ana", "ada"]), ("ads-bid", ["ben", "bea"]), ("ads-fraud", ["cy"])]
    ):
        product = Product.objects.create(slug=slug, name=slug, department=department)
        for name in members:
            product.members.add(users.create_user(name, f"{name}@example.com", PASSWORD))
        products.append(product)
        if n == 0:
            raw_throttled = token_create(product=product, name="throttled")[1]
    users.create_user("locked", "locked@example.com", PASSWORD)
    admin = users.create_user("root", "root@example.com", PASSWORD)
    admin.groups.add(Group.objects.get_or_create(name="MLOps admins")[0])
    round_ = round_create(
        version=version,
        label="topology",
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=30),
        products=products,
    )
    every, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.filter(task="surveys.rounds_tick").update(interval=every)
    return {
        "round": round_.pk,
        "items": list(version.items.order_by("position").values_list("pk", flat=True)),
        "token": raw_throttled,
    }


def main() -> int:
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="mlopsscore-topology-"))
    logs = folder / "logs"
    logs.mkdir()
    os.chmod(folder, 0o755)
    postgres, redis, smtp, webhook = Postgres(folder), Redis(folder), Smtp(), Webhook()
    processes: list[Process] = []
    try:
        postgres.init()
        redis.start()
        print(
            f"production topology: PostgreSQL on {postgres.port}, Redis on {redis.port}, "
            f"SMTP on {smtp.port}, logs in {logs}",
            flush=True,
        )
        ports = [free_port(), free_port()]
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "mlopsscore.settings",
            "DATABASE_URL": postgres.url,
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis.port}/0",
            "CACHE_URL": f"redis://127.0.0.1:{redis.port}/1",
            "DEBUG": "0",
            "SECRET_KEY": "topology-test-secret-key-not-for-production-0123456789",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": bases[0],
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_USE_TLS": "0",
            "ROUND_WEBHOOK_URL": webhook.url,
            "API_TOKEN_THROTTLE": f"{THROTTLE}/min",
            "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
            "LOG_FORMAT": "text",
        }
        (folder / "metrics").mkdir()
        os.environ.update(env)
        from django.utils import timezone

        ids = setup(timezone.localdate())
        python = sys.executable
        gunicorn = str(Path(python).parent / "gunicorn")
        webs = [
            Process(
                f"web{n}",
                [
                    gunicorn,
                    "mlopsscore.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "1",
                    "--worker-class",
                    "gthread",
                    "--threads",
                    "4",
                    "--graceful-timeout",
                    "10",
                ],
                env,
                logs,
            )
            for n, port in enumerate(ports, 1)
        ]
        workers = [
            Process(
                f"worker{n}",
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "mlopsscore",
                    "worker",
                    "--loglevel",
                    "INFO",
                    "--concurrency",
                    "1",
                    "-n",
                    f"worker{n}@%h",
                    "--without-gossip",
                    "--without-mingle",
                ],
                env,
                logs,
            )
            for n in (1, 2)
        ]
        beat = Process(
            "beat",
            [python, "-m", "celery", "-A", "mlopsscore", "beat", "--loglevel", "INFO",
             "--pidfile=", "-s", str(folder / "beat-schedule")],
            env, logs,
        )  # fmt: skip
        processes = [*webs, *workers, beat]
        for process in processes:
            process.start()
        for base in bases:
            wait_until(f"gunicorn at {base}", partial(web_up, base))
        drive(ids, bases, webs, workers, postgres, redis, smtp, webhook)
    finally:
        for process in processes:
            process.stop()
        for stop in (redis.stop, smtp.stop):
            try:
                stop()
            except Exception as exc:  # already down: the test reports its own failure
                print(f"(cleanup: {exc})", flush=True)
        with contextlib.suppress(subprocess.CalledProcessError):
            postgres.stop()
        webhook.server.shutdown()
        if os.environ.get("KEEP_TOPOLOGY_LOGS") != "1":
            shutil.rmtree(folder, ignore_errors=True)
    print(
        f"production topology: {len(checks)} passed, 0 failed in {time.monotonic() - started:.0f}s",
        flush=True,
    )
    return 0


def drive(
    ids: dict[str, Any],
    bases: list[str],
    webs: list[Process],
    workers: list[Process],
    postgres: Postgres,
    redis: Redis,
    smtp: Smtp,
    webhook: Webhook,
) -> None:
    from django.db import connection

    from surveys.models import AnswerRevision, Assessment, Round, RoundMail

    round_id = ids["round"]

    def status() -> str:
        try:
            return str(Round.objects.get(pk=round_id).status)
        finally:
            connection.close()

    # The mail server is down from the start: the round opens anyway, and its emails wait.
    wait_until("beat and a worker to open the round", lambda: status() == "open")
    check("beat and a worker opened the round with the mail server down", True)

    def mail_retried() -> bool:
        return any(
            re.search(r"Task surveys\.round_mail_send\[[^\]]+\] retry", worker.text())
            for worker in workers
        )

    wait_until("the opening emails' task to fail and retry", mail_retried)
    unsent = RoundMail.objects.filter(event__round_id=round_id, mailed_at__isnull=True).exclude(
        template=""
    )
    check("the opening emails wait for the mail server", unsent.exists() and not smtp.received)
    connection.close()
    smtp.start()
    assessments = {
        a.product.slug: a.pk
        for a in Assessment.objects.filter(round_id=round_id).select_related("product")
    }

    # The respondents sign in first: the lockout below locks this address too.
    items = ids["items"]
    people = [
        ("ana", "ads-ctr", items[:14]),
        ("ada", "ads-ctr", items[14:]),
        ("ben", "ads-bid", items),
    ]
    sessions = {who: sign_in(bases[0], who) for who, _, _ in people}

    # --- Lockouts and throttles count across both web processes --------------------------
    from django.conf import settings

    limit = settings.AXES_FAILURE_LIMIT
    for n in range(limit):
        base = bases[n % 2]
        session = requests.Session()
        session.get(f"{base}/accounts/login/", timeout=10)
        session.post(
            f"{base}/accounts/login/",
            data={"username": "locked", "password": "wrong-password-1",
                  "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            timeout=10,
        )  # fmt: skip
    refused = []
    for base in bases:
        session = requests.Session()
        session.get(f"{base}/accounts/login/", timeout=10)
        answer = session.post(
            f"{base}/accounts/login/",
            data={"username": "locked", "password": PASSWORD,
                  "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            timeout=10,
        )  # fmt: skip
        refused.append("sessionid" not in session.cookies and "Too many failed" in answer.text)
    check(
        f"{limit} failed sign-ins spread over both web processes lock the account on both",
        all(refused),
        refused,
    )
    codes = Counter(
        requests.get(
            f"{bases[n % 2]}/api/v1/products/",
            headers={"Authorization": f"Bearer {ids['token']}"},
            timeout=10,
        ).status_code
        for n in range(THROTTLE + 10)
    )
    check(
        f"a token's API throttle ({THROTTLE}/min) counts the requests of both web processes",
        codes == Counter({200: THROTTLE, 429: 10}),
        dict(codes),
    )

    # --- The load, through both web processes, while the faults happen -------------------
    figures = Figures()
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=respondent,
            args=(figures, stop, sessions[who], bases, assessments[slug], mine, who),
            daemon=True,
        )
        for who, slug, mine in people
    ]
    for thread in threads:
        thread.start()

    def acknowledged_grows(by: int) -> Callable[[], bool]:
        start = len(figures.acknowledged)
        return lambda: len(figures.acknowledged) >= start + by

    wait_until("the load to start", acknowledged_grows(20))
    # A web process restarted (a deployment): the other serves meanwhile.
    webs[0].stop()
    wait_until("writes through the other web process", acknowledged_grows(10))
    webs[0].start()
    wait_until("the restarted web process", lambda: web_up(bases[0]))
    wait_until("writes after the web restart", acknowledged_grows(10))
    check(
        "a web process restarted under load; the other served meanwhile",
        not figures.bad,
        figures.bad,
    )

    # Redis down for a while: pages and autosaves work or answer a clean 503.
    during = len(figures.acknowledged)
    redis.stop()
    time.sleep(8)
    during = len(figures.acknowledged) - during
    api_during = requests.get(
        f"{bases[1]}/api/v1/products/",
        headers={"Authorization": f"Bearer {ids['token']}"},
        timeout=10,
    )
    ticks_before = [ticks(worker) for worker in workers]
    redis.start()
    wait_until("writes after Redis came back", acknowledged_grows(10))
    wait_until(
        "beat and the workers to reconnect to Redis by themselves (two more ticks done)",
        lambda: sum(map(ticks, workers)) >= sum(ticks_before) + 2,
    )
    check(
        "Redis stopped for 8 s: every answer was 2xx or a clean 503, and the app recovered",
        not figures.bad and api_during.status_code in (200, 429, 503),
        (figures.bad, api_during.status_code, api_during.text[:300]),
    )
    print(f"   (writes acknowledged while Redis was down: {during})", flush=True)

    # PostgreSQL restarted under load.
    postgres.restart()
    wait_until("writes after PostgreSQL came back", acknowledged_grows(20))
    check(
        "PostgreSQL restarted under load: answers were 2xx or a clean 503, and the app recovered",
        not figures.bad,
        figures.bad,
    )
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    check("the load stopped", not any(t.is_alive() for t in threads))

    connection.close()  # this process's connection died with the restart, too
    notes = {
        (item, note)
        for item, note in AnswerRevision.objects.filter(
            answer__assessment__round_id=round_id
        ).values_list("answer__item_id", "new_note")
    }
    lost = [pair for pair in figures.acknowledged if pair not in notes]
    check(
        f"every acknowledged write is stored ({len(figures.acknowledged)} writes, lost = 0)",
        not lost and figures.unrecovered == 0,
        (lost[:10], figures.unrecovered),
    )
    connection.close()

    # --- Everyone submits; the mail server goes down; a worker dies inside the close -----
    submitters = {"ads-ctr": "ana", "ads-bid": "ben"}
    for slug, who in submitters.items():
        web = sessions[who]
        pk = assessments[slug]
        form = {f"v-{item}": "1" for item in items}
        form["csrfmiddlewaretoken"] = web.cookies["csrftoken"] or ""
        saved = web.post(f"{bases[1]}/assessments/{pk}/", data=form, timeout=30)
        submitted = web.post(
            f"{bases[0]}/assessments/{pk}/submit/",
            data={"csrfmiddlewaretoken": web.cookies["csrftoken"]},
            timeout=30,
        )
        check(
            f"{who} saves and submits",
            saved.ok and submitted.ok,
            (saved.status_code, submitted.status_code),
        )
    check(
        "the submissions are stored",
        Assessment.objects.filter(round_id=round_id, status="submitted").count() == 2,
    )
    connection.close()
    mails_before = RoundMail.objects.count()
    smtp.stop()

    import psycopg
    from django.utils import timezone

    today = timezone.localdate()
    received_before = {w.name: w.text().count("surveys.round_close[") for w in workers}
    with psycopg.connect(postgres.url, autocommit=False) as holder:
        # The test holds the round's assessments locked: the close that a worker starts
        # takes the round's lock, marks the round closed and then waits inside its
        # transaction for the first assessment it writes: the middle of the close.
        holder.execute(
            "UPDATE surveys_round SET opens_on = %s, closes_on = %s WHERE id = %s",
            (today - dt.timedelta(days=10), today - dt.timedelta(days=1), round_id),
        )
        holder.commit()
        holder.execute(
            "SELECT id FROM surveys_assessment WHERE round_id = %s FOR UPDATE", (round_id,)
        )

        def closing_worker() -> Process | None:
            for worker in workers:
                if worker.text().count("surveys.round_close[") > received_before[worker.name]:
                    return worker
            return None

        wait_until("a worker to start the close", lambda: closing_worker() is not None)

        waiting: list[str] = []

        def waiting_inside_the_close() -> bool:
            with psycopg.connect(postgres.url, autocommit=True) as probe:
                rows = probe.execute(
                    "SELECT query FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                ).fetchall()
            waiting[:] = [query for (query,) in rows if "surveys_assessment" in query]
            return bool(waiting)

        wait_until("the close to wait inside its transaction", waiting_inside_the_close)
        killed = closing_worker()
        assert killed is not None
        print(f"   (the close waits in: {waiting[0][:90]}...)", flush=True)
        killed.stop(signal.SIGKILL)
        holder.rollback()
    killed.start()  # its supervisor starts it again
    wait_until(
        "the other worker (or the restarted one) to close the round", lambda: status() == "closed"
    )
    check(f"{killed.name} was killed inside the close; the round closed anyway", True)
    time.sleep(4)  # the emails' task tries and fails while the mail server is down
    connection.close()
    round_ = Round.objects.get(pk=round_id)
    closes = list(round_.events.filter(kind="closed").values_list("pk", flat=True))
    scored = Assessment.objects.filter(round_id=round_id, final_score__isnull=False).count()
    check(
        "the close happened exactly once, with its scores",
        len(closes) == 1 and scored == 2,
        (closes, scored),
    )
    check(
        "with the mail server down the round closed (its close is posted to the webhook)",
        RoundMail.objects.count() > mails_before,
    )
    smtp.start()
    connection.close()

    def all_sent() -> bool:
        try:
            return (
                not RoundMail.objects.filter(event__round_id=round_id, mailed_at__isnull=True)
                .exclude(template="")
                .exists()
                and not RoundMail.objects.filter(event__round_id=round_id, posted_at__isnull=True)
                .exclude(webhook_text="")
                .exists()
            )
        finally:
            connection.close()

    wait_until("the emails to go out once the mail server is back", all_sent, 150)
    time.sleep(4)  # any duplicate would arrive now
    expected_mails = sum(
        RoundMail.objects.filter(event__round_id=round_id, recipients__isnull=False).values_list(
            "recipients", flat=True
        )
    )
    expected_posts = (
        RoundMail.objects.filter(event__round_id=round_id).exclude(webhook_text="").count()
    )
    duplicates = [pair for pair, n in Counter(smtp.received).items() if n > 1]
    check(
        f"every email went out exactly once ({len(smtp.received)} emails)",
        len(smtp.received) == expected_mails and not duplicates and expected_mails > 0,
        (len(smtp.received), expected_mails, duplicates[:5]),
    )
    check(
        f"every webhook post went out exactly once ({len(webhook.received)} posts)",
        len(webhook.received) == expected_posts and len(set(webhook.received)) == expected_posts,
        (webhook.received, expected_posts),
    )
    for base in bases:
        health = requests.get(f"{base}/health/", timeout=10, headers={"Accept": "application/json"})
        check(f"{base} is healthy after it all", health.status_code == 200, health.text[:300])
    made, failed = figures.made, figures.failed
    summary = (
        f"requests made: {made}; failed: {failed} (no answer or a clean 503; "
        f"never a 500); recovered: {figures.recovered} failed writes stored by a later try; "
        f"acknowledged writes: {len(figures.acknowledged)}; lost: {len(lost)}; "
        f"statuses: {dict(figures.statuses)}"
    )
    print(f"production topology: {summary}", flush=True)
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "production-topology.txt").write_text(summary + "\n")


if __name__ == "__main__":
    sys.exit(main())
