"""The Content-Security-Policy allows nothing from outside the site, and the pages still work
under it (every browser test fails on a violation: see conftest._no_csp_violation)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.factories import UserFactory


def test_the_language_switch_works_without_inline_handlers(
    live_server: Any, page: Any, transactional_db: Any
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Language").select_option("ja")
    expect(page.locator("html")).to_have_attribute("lang", "ja")


def test_the_api_docs_render_under_the_policy(
    live_server: Any, page: Any, login: Any, transactional_db: Any
) -> None:
    login(UserFactory(username="ana"))
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.get_by_text("mlopsscore API").first).to_be_visible()
    expect(page.locator(".opblock-tag-section").first).to_be_visible()


def test_an_injected_inline_script_does_not_run(
    live_server: Any, context: Any, transactional_db: Any
) -> None:
    # A page of its own (not the ``page`` fixture, which fails on any violation).
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    response = page.goto(f"{live_server.url}/accounts/login/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "http" not in policy  # no other origin is named anywhere
    ran = page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__injected = true'; document.body.appendChild(s);"
        " return window.__injected === true; }"
    )
    assert ran is False
    assert violations
