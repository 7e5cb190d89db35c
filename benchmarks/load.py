"""Load through gunicorn on loopback, for the evidence sections of `make bench`.

``serve`` starts the production web process (gunicorn with the repository's
``gunicorn.conf.py``, as ``deploy/prod.sh`` does); ``post_all`` posts prepared requests
to it for a fixed time and returns how many succeeded per second.

The client is ``wrk`` (Debian's package) when it is installed: it costs the two cores
almost nothing, so the figure is the server's. Without it, Python threads post instead
and share the cores with the server; the row says which client ran.
"""

from __future__ import annotations

import http.client
import json
import os
import runpy
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# gunicorn reads gunicorn.conf.py as production does (WEB_WORKERS, WEB_THREADS there).
_CONF = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
WORKERS, THREADS = int(_CONF["workers"]), int(_CONF["threads"])
MODEL = f"{WORKERS} workers × {THREADS} thread{'s' if THREADS > 1 else ''}"
CONNECTIONS = 8
PATH = "/api/v1/evidence/"

# One prepared request: (the bearer token, the JSON body).
Prepared = tuple[str, bytes]


@dataclass
class Load:
    ok: int
    seconds: float
    errors: list[str]
    client: str

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def detail(self) -> str:
        text = (
            f"{self.ok:,} posts in {self.seconds:.1f} s, {CONNECTIONS} connections, {self.client}"
        )
        return text + (f", errors {self.errors[:3]}" if self.errors else "")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, timeout: float = 30) -> None:
    import socket

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on {port} did not start")


@contextmanager
def serve(extra_env: dict[str, str], args: Sequence[str] = ()) -> Iterator[int]:
    """gunicorn as production runs it, with the bench's settings (and ``args``, such as an
    access log); yields its port."""
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "API_TOKEN_THROTTLE": "1000000/min",
        "LOG_LEVEL": "WARNING",
        **extra_env,
    }
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "mlopsscore.wsgi"),
            *("--bind", f"127.0.0.1:{port}", "--log-level", "warning", *args),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def warm_up(port: int, prepared: Sequence[Prepared]) -> None:
    """Post ``prepared`` first, each on a new connection so that every worker accepts
    some, and has loaded and cached what it needs before the clock starts."""

    def one(token: str, body: bytes) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", PATH, body=body, headers=_headers(token))
        conn.getresponse().read()
        conn.close()

    for start in range(0, len(prepared), 4):
        pool = [threading.Thread(target=one, args=p) for p in prepared[start : start + 4]]
        for t in pool:
            t.start()
        for t in pool:
            t.join()


def post_timed(port: int, prepared: Sequence[Prepared], seconds: float) -> Load:
    """Post ``prepared`` for at most ``seconds``, each once; count the successes."""
    if shutil.which("wrk"):
        return _wrk(port, prepared, seconds)
    return _python(port, prepared, seconds=seconds, connections=CONNECTIONS)


def _headers(token: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Host": "127.0.0.1",
    }


def _python(port: int, prepared: Sequence[Prepared], *, seconds: float, connections: int) -> Load:
    counts = [0] * connections
    errors: list[str] = []
    stop = time.perf_counter() + seconds

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for token, body in prepared[n::connections]:
            if time.perf_counter() >= stop:
                break
            conn.request("POST", PATH, body=body, headers=_headers(token))
            response = conn.getresponse()
            text = response.read()
            if response.status in (200, 201):
                counts[n] += 1
            elif len(errors) < 3:
                errors.append(f"{response.status} {text[:160]!r}")
        conn.close()

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    start = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return Load(sum(counts), time.perf_counter() - start, errors, "Python client threads")


# Each wrk thread posts its own share of the prepared requests, each once, and counts
# the answers that were not 200 or 201 (wrk counts only statuses above 399 itself).
_WRK_SCRIPT = """
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  local path, count = args[1], tonumber(args[2])
  local mine, n = {}, 0
  for line in io.lines(path) do
    if n % count == id then table.insert(mine, line) end
    n = n + 1
  end
  queue, next_one, failed, first_error = mine, 1, 0, ""
end
function request()
  local line = queue[next_one]
  if line == nil then
    wrk.thread:stop()
    line = queue[#queue]
  end
  next_one = next_one + 1
  local tab = line:find("\\t")
  local token, body = line:sub(1, tab - 1), line:sub(tab + 1)
  return wrk.format("POST", "__PATH__", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Host"] = "127.0.0.1",
  }, body)
end
function response(status, headers, body)
  if status ~= 200 and status ~= 201 then
    failed = failed + 1
    if first_error == "" then first_error = status .. " " .. body:sub(1, 160) end
  end
end
function done(summary, latency, requests)
  local failed_all, first = 0, ""
  for _, thread in ipairs(threads) do
    failed_all = failed_all + thread:get("failed")
    if first == "" then first = thread:get("first_error") end
  end
  io.write(string.format("RESULT %d %d %.3f %s\\n",
    summary.requests, failed_all, summary.duration / 1e6, first))
end
"""


def _wrk(port: int, prepared: Sequence[Prepared], seconds: float) -> Load:
    threads = 2
    with tempfile.TemporaryDirectory() as folder:
        lines = Path(folder, "requests.tsv")
        lines.write_text(
            "".join(f"{token}\t{body.decode()}\n" for token, body in prepared), encoding="utf-8"
        )
        script = Path(folder, "post.lua")
        script.write_text(_WRK_SCRIPT.replace("__PATH__", PATH), encoding="utf-8")
        out = subprocess.run(
            [
                *("wrk", f"-t{threads}", f"-c{CONNECTIONS}", f"-d{seconds:.0f}s"),
                *("-s", str(script), f"http://127.0.0.1:{port}/", "--", str(lines), str(threads)),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    result = next(line for line in out.splitlines() if line.startswith("RESULT "))
    _, total, failed, duration, *first = result.split(" ", 4)
    errors = [" ".join(first)] if int(failed) else []
    return Load(int(total) - int(failed), float(duration), errors, "wrk client")


def evidence_bodies(records: Sequence[dict[str, object]]) -> list[bytes]:
    return [json.dumps(one).encode() for one in records]
