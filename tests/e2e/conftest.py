"""End-to-end tests: Playwright drives Debian's Chromium against Django's live server.

Playwright's own browser download does not work here, so the browser is
``$CHROMIUM_PATH`` (default ``/usr/bin/chromium``). The tests are skipped only when no
Chromium is installed — never in CI, where ``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

# Playwright's sync API runs an event loop; the ORM calls in these tests are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Plotly parses 4 MB of JavaScript before it draws: on a loaded two-core machine that takes
# longer than Playwright's default 5 s wait.
expect.set_options(timeout=20_000)

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            if not Path(CHROMIUM).exists():
                if os.environ.get("CI"):
                    raise pytest.UsageError(f"CI must install Chromium at {CHROMIUM}")
                item.add_marker(pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture
def login(live_server: Any, page: Any) -> Iterator[Any]:
    """``login(user)`` logs ``user`` (password ``pw-for-tests-123``) in through the form."""

    def do(user: Any) -> Any:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill("pw-for-tests-123")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        return page

    yield do


@pytest.fixture(autouse=True)
def _no_csp_violation(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every page a browser test opens runs under the Content-Security-Policy: a script,
    style or chart that the policy blocks fails the test that saw it."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    seen: list[str] = []
    # Chromium reports a violation as an event, not always on the console.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI"
        " + ' ' + (e.sourceFile || '') + ':' + e.lineNumber))"
    )
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield
    assert not seen, f"blocked by the Content-Security-Policy: {seen}"


# axe-core (MPL-2.0) from npm, vendored for the tests only: the browser tests run offline.
AXE_SOURCE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


def axe_violations(page: Any, *, exclude: list[str] | None = None) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.x A and AA rules) on the page as it is now; its violations.

    The script is evaluated through the DevTools protocol, so the page's Content
    Security Policy does not have to allow it.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    context = {"exclude": [[selector] for selector in exclude]} if exclude else None
    result = page.evaluate(
        """async (context) => {
            const options = {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}};
            const r = context ? await axe.run(context, options) : await axe.run(document, options);
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))}));
        }""",
        context,
    )
    return list(result)


def assert_accessible(page: Any, *, exclude: list[str] | None = None) -> None:
    """Fail with a readable list when axe-core finds any violation on the page."""
    violations = axe_violations(page, exclude=exclude)
    lines = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in violations
    ]
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(lines)
