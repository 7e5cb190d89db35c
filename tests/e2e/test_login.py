"""A person logs in and out in a real browser."""

from typing import Any

from playwright.sync_api import expect

from tests.factories import UserFactory


def test_log_in_and_out(live_server: Any, page: Any, login: Any, transactional_db: Any) -> None:
    user = UserFactory(username="ana", first_name="Ana", last_name="Respondent")
    login(user)
    expect(page.locator(".whoami")).to_have_text("Ana Respondent")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_wrong_password_is_refused(live_server: Any, page: Any, transactional_db: Any) -> None:
    UserFactory(username="ben")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("ben")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("didn't match")
