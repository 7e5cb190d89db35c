"""``mlopsscore-evidence``: post CI evidence to mlopsscore (standard library only).

One record::

    mlopsscore-evidence --product ads-ctr --item data.schema --outcome pass \\
        --link "$RUN_URL" --summary "0 anomalies"

A batch (a JSON file holding one object or a list of them; ``-`` reads stdin)::

    mlopsscore-evidence --file evidence.json

Hold a release until the product meets its phase's target (DESIGN §6.8)::

    mlopsscore-evidence gate --product ads-ctr

prints why and exits 1 when the gate fails (or the server refuses or cannot be reached).

The server and token come from ``--url``/``--token`` or ``MLOPSSCORE_URL`` and
``MLOPSSCORE_TOKEN``. The run id defaults to the CI's own (GitHub Actions, GitLab CI,
Jenkins, Buildkite, CircleCI); the time to now. Exit status: 0 stored, 1 refused by the
server or unreachable (its message is printed), 2 wrong usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

RUN_ID_VARIABLES = (
    "GITHUB_RUN_ID",
    "CI_PIPELINE_ID",
    "BUILD_TAG",
    "BUILDKITE_BUILD_ID",
    "CIRCLE_WORKFLOW_ID",
)
TIMEOUT_SECONDS = 30


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlopsscore-evidence", description="Post CI evidence to mlopsscore."
    )
    parser.add_argument("--url", default=os.environ.get("MLOPSSCORE_URL"), help="Server URL")
    parser.add_argument("--token", default=os.environ.get("MLOPSSCORE_TOKEN"), help="API token")
    parser.add_argument("--file", help="JSON file with one record or a list of them; - for stdin")
    parser.add_argument("--product", default=os.environ.get("MLOPSSCORE_PRODUCT"))
    parser.add_argument("--item", help="Item key, e.g. data.schema")
    parser.add_argument("--outcome", choices=["pass", "fail", "error"])
    parser.add_argument("--run-id", help="CI run id (default: the CI's own)")
    parser.add_argument("--observed-at", help="ISO 8601 time with timezone (default: now)")
    parser.add_argument("--link", help="Link to the run")
    parser.add_argument("--summary", help="One line about the result")
    return parser


def _default_run_id() -> str | None:
    for name in RUN_ID_VARIABLES:
        if os.environ.get(name):
            return os.environ[name]
    return None


def _records(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Any:
    if args.file:
        try:
            if args.file == "-":
                data = json.load(sys.stdin)
            else:
                with open(args.file, encoding="utf-8") as handle:
                    data = json.load(handle)
        except (OSError, ValueError) as exc:
            parser.error(f"cannot read {args.file}: {exc}")
        if args.product:
            for record in data if isinstance(data, list) else [data]:
                if isinstance(record, dict):
                    record.setdefault("product", args.product)
        return data
    missing = [name for name in ("product", "item", "outcome") if not getattr(args, name)]
    run_id = args.run_id or _default_run_id()
    if not run_id:
        missing.append("run_id")
    if missing:
        parser.error("missing " + ", ".join(f"--{m.replace('_', '-')}" for m in missing))
    record = {
        "product": args.product,
        "item": args.item,
        "outcome": args.outcome,
        "observed_at": args.observed_at or datetime.now(UTC).isoformat(timespec="seconds"),
        "run_id": run_id,
    }
    if args.link:
        record["url"] = args.link
    if args.summary:
        record["summary"] = args.summary
    return record


def _explain(body: bytes) -> str:
    try:
        error = json.loads(body)["error"]
    except (ValueError, KeyError, TypeError):
        return body.decode("utf-8", "replace")[:2000]
    lines = [str(error.get("message", ""))]
    details = error.get("details")
    if details:
        lines.append(json.dumps(details, indent=2, ensure_ascii=False))
    return "\n".join(lines)


def post(url: str, token: str, payload: Any) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url.rstrip("/") + "/api/v1/evidence/",
        data=json.dumps(payload).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": "mlopsscore-evidence",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def get(url: str, token: str, path: str) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url.rstrip("/") + path,
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "User-Agent": "mlopsscore-evidence",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _gate_report(gate: dict[str, Any]) -> str:
    """The gate's answer as a pipeline log shows it: the verdict, then what must rise."""
    verdict = "passes" if gate["passes"] else "FAILS"
    score = gate["verified"] if gate.get("basis") == "verified" else gate["final"]
    lines = [
        f"gate {verdict}: {gate['product']} ({gate['phase']}), "
        f"{gate.get('basis', 'claimed')} score {score} against target {gate['target']}"
        + (f", round {gate['round']}" if gate.get("round") else "")
    ]
    if gate.get("round") is None:
        lines.append("  no submitted assessment: submit one before releasing")
    for failure in gate["failing"]:
        what = (
            f"area {failure['area']}" if "area" in failure else f"required item {failure['item']}"
        )
        lines.append(f"  {what}: {failure['score']}, needs {failure['needs']}")
    return "\n".join(lines)


def gate_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="mlopsscore-evidence gate",
        description="Exit 1 unless the product meets its phase's target now.",
    )
    parser.add_argument("--url", default=os.environ.get("MLOPSSCORE_URL"), help="Server URL")
    parser.add_argument(
        "--token", default=os.environ.get("MLOPSSCORE_TOKEN"), help="API token or CI ID token"
    )
    parser.add_argument("--product", default=os.environ.get("MLOPSSCORE_PRODUCT"))
    args = parser.parse_args(argv)
    if not args.url or not args.token or not args.product:
        parser.error("give --url, --token and --product (or MLOPSSCORE_URL, _TOKEN, _PRODUCT)")
    path = f"/api/v1/products/{urllib.parse.quote(args.product, safe='')}/gate/"
    try:
        status, body = get(args.url, args.token, path)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        print(f"mlopsscore-evidence: cannot reach {args.url}: {exc}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"mlopsscore-evidence: HTTP {status}: {_explain(body)}", file=sys.stderr)
        return 1
    gate = json.loads(body)
    print(_gate_report(gate))
    return 0 if gate["passes"] else 1


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["gate"]:
        return gate_main(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.url or not args.token:
        parser.error("give --url and --token, or set MLOPSSCORE_URL and MLOPSSCORE_TOKEN")
    payload = _records(args, parser)
    try:
        status, body = post(args.url, args.token, payload)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        print(f"mlopsscore-evidence: cannot reach {args.url}: {exc}", file=sys.stderr)
        return 1
    if status == 201:
        counts = json.loads(body)
        print(
            f"stored {counts['received']} record(s): "
            f"{counts['created']} new, {counts['replaced']} replaced"
        )
        return 0
    print(f"mlopsscore-evidence: HTTP {status}: {_explain(body)}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
