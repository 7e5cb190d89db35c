"""`make bench`: the speed figures of docs/benchmarks.md at 10,000 products × 20 rounds.

Prints one table: each row a figure, its target, and whether it holds. Run it with
``make bench`` (``BENCH_DATABASE_URL`` chooses the database; the data are seeded once
and kept, ``--reseed`` seeds again and times it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/mlopsscore_bench"
DEFAULT_BROKER = "redis://127.0.0.1:6379/9"


@dataclass
class Row:
    figure: str
    value: float | None
    unit: str
    target: str
    holds: bool | None
    detail: str = ""


ROWS: list[Row] = []


def record(
    figure: str, value: float | None, unit: str, target: str, holds: bool | None, detail: str = ""
) -> None:
    ROWS.append(Row(figure, value, unit, target, holds, detail))
    shown = "—" if value is None else f"{value:,.3f} {unit}"
    print(f"  {figure}: {shown} (target {target}) {detail}", flush=True)


def print_table() -> None:
    header = ("figure", "value", "target", "holds", "detail")
    lines = [
        (
            r.figure,
            "—" if r.value is None else f"{r.value:,.3f} {r.unit}",
            r.target,
            {True: "yes", False: "NO", None: "n/a"}[r.holds],
            r.detail,
        )
        for r in ROWS
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *lines, strict=False)]
    fmt = " | ".join(f"{{:<{w}}}" for w in widths)
    print()
    print(fmt.format(*header))
    print("-+-".join("-" * w for w in widths))
    for line in lines:
        print(fmt.format(*line))
    print()
    print(
        f"machine: {platform.node()} · {os.cpu_count()} cores"
        f" · {_cpu_model()} · Python {platform.python_version()}"
    )


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def manage(*args: str, env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Run a management command in a child process: (seconds, peak RSS MB, output)."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
        )
    lines = proc.stderr.strip().splitlines()
    peak_mb = (
        int(lines[-1].split("=")[1]) // 1024 if lines and lines[-1].startswith("PEAK_KB=") else 0
    )
    # CPU time of the child: on a shared machine the wall time also counts waiting.
    from benchmarks import sections

    sections.CHILD_CPU["seconds"] = next(
        (float(line.split("=")[1]) for line in lines if line.startswith("CPU_S=")), 0.0
    )
    return seconds, peak_mb, proc.stdout


# A child that runs one command and reports its own peak resident memory.
_CHILD = """
import os, resource, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlopsscore.settings")
import django
django.setup()
from django.core.management import call_command
call_command(*sys.argv[1:])
usage = resource.getrusage(resource.RUSAGE_SELF)
print("CPU_S=%.2f" % (usage.ru_utime + usage.ru_stime), file=sys.stderr)
print("PEAK_KB=%d" % usage.ru_maxrss, file=sys.stderr)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--reseed", action="store_true", help="seed again (and time it)")
    parser.add_argument("--only", nargs="*", help="run only these sections")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("BENCH_BROKER_URL", DEFAULT_BROKER)
    os.environ.pop("CELERY_BROKER_URL", None)  # the web side runs tasks eagerly here
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlopsscore.settings")
    # Production settings (DEBUG off: no query log, cached static manifest), over plain
    # HTTP on loopback.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    _ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from benchmarks import sections

    wanted = set(args.only or sections.ORDER)
    print(f"database: {os.environ['DATABASE_URL']}", flush=True)
    sections.seed(args, record, manage, reseed=args.reseed)
    for name in sections.ORDER:
        if name in wanted:
            print(f"[{name}] (vacuumed in {sections.vacuum():.1f} s)", flush=True)
            try:
                getattr(sections, name)(record=record, manage=manage)
            except Exception as exc:  # a failing section is a row that does not hold
                record(name, None, "", "runs", False, f"failed: {exc!r}"[:300])
    print_table()
    Path(ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "bench.json").write_text(
        json.dumps([r.__dict__ for r in ROWS], indent=2), encoding="utf-8"
    )


def _ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    for command in (["migrate"], ["collectstatic"]):
        subprocess.run(
            [sys.executable, "manage.py", *command, "--noinput", "-v", "0"], cwd=ROOT, check=True
        )


if __name__ == "__main__":
    main()
