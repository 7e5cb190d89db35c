"""Company sign-in (DESIGN §7) through a real OpenID Connect provider on loopback.

The provider is the npm package ``oidc-provider`` run by ``tools/oidc-provider/server.mjs``
(installed by ``.ci/run`` with ``npm ci``). Chromium signs in through it; the group claim
decides the role at every sign-in.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from surveys.organisation.roles import is_admin, is_manager

TOOL = Path(__file__).resolve().parents[2] / "tools" / "oidc-provider"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Provider:
    def __init__(self, users_file: Path, url: str) -> None:
        self.users_file = users_file
        self.url = url

    def set_users(self, users: dict[str, Any]) -> None:
        self.users_file.write_text(json.dumps(users))


@pytest.fixture
def provider(live_server: Any, tmp_path: Path, settings: Any) -> Iterator[Provider]:
    if not (TOOL / "node_modules" / "oidc-provider").exists():
        if os.environ.get("CI"):
            raise pytest.UsageError("CI must run `npm ci` in tools/oidc-provider")
        pytest.skip("tools/oidc-provider is not installed: `make test` installs it (needs Node)")
    port = _free_port()
    users = Provider(tmp_path / "users.json", f"http://127.0.0.1:{port}")
    users.set_users({})
    process = subprocess.Popen(
        [
            "node",
            "server.mjs",
            str(port),
            f"{live_server.url}/oidc/callback/",
            str(users.users_file),
        ],
        cwd=TOOL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        discovery = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{users.url}/.well-known/openid-configuration") as r:
                    discovery = json.load(r)
                break
            except OSError:
                time.sleep(0.1)
        assert discovery is not None, "the OpenID Connect provider did not start"
        settings.OIDC_RP_CLIENT_ID = "mlopsscore"
        settings.OIDC_RP_CLIENT_SECRET = "mlopsscore-test-secret"
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = discovery["authorization_endpoint"]
        settings.OIDC_OP_TOKEN_ENDPOINT = discovery["token_endpoint"]
        settings.OIDC_OP_USER_ENDPOINT = discovery["userinfo_endpoint"]
        settings.OIDC_OP_JWKS_ENDPOINT = discovery["jwks_uri"]
        settings.OIDC_PROVIDER_NAME = "Acme ID"
        settings.OIDC_ADMIN_GROUPS = ["mlops-admins"]
        settings.OIDC_MANAGER_GROUPS = ["ml-leads"]
        yield users
    finally:
        process.terminate()
        process.wait(timeout=10)


def sign_in(page: Any, live_server: Any, login: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Acme ID").click()
    # The provider's own sign-in page (its development interactions).
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/**")


def _loopback_only(route: Any) -> None:
    if urlsplit(route.request.url).hostname in {"127.0.0.1", "localhost"}:
        route.continue_()
    else:
        route.abort()


@pytest.fixture
def offline(page: Any) -> Any:
    # The provider's page asks for a web font; there is no internet here.
    page.route("**/*", _loopback_only)
    return page


def test_signing_in_through_the_provider_creates_the_account_with_its_role(
    live_server: Any, offline: Any, provider: Provider, transactional_db: Any
) -> None:
    page = offline
    groups = {
        "alice": {
            "email": "Alice@Example.com",
            "email_verified": True,
            "given_name": "Alice",
            "family_name": "Admin",
            "groups": ["mlops-admins", "staff"],
        }
    }
    provider.set_users(groups)
    sign_in(page, live_server, "alice")
    expect(page.locator(".whoami")).to_have_text("Alice Admin")
    expect(page.get_by_role("link", name="Rounds")).to_be_visible()
    alice = get_user_model().objects.get(email__iexact="alice@example.com")
    assert is_admin(alice) and not is_manager(alice)

    # The provider moves her from the admins to the managers: the next sign-in follows.
    groups["alice"]["groups"] = ["ml-leads"]
    provider.set_users(groups)
    sign_in(page, live_server, "alice")
    expect(page.locator(".whoami")).to_have_text("Alice Admin")
    expect(page.get_by_role("link", name="Rounds")).to_have_count(0)
    alice = get_user_model().objects.get(email__iexact="alice@example.com")
    assert not is_admin(alice) and is_manager(alice)

    # Her groups are removed altogether: she keeps her account but no role.
    groups["alice"]["groups"] = []
    provider.set_users(groups)
    sign_in(page, live_server, "alice")
    expect(page.get_by_role("link", name="My products")).to_be_visible()
    alice = get_user_model().objects.get(email__iexact="alice@example.com")
    assert not is_admin(alice) and not is_manager(alice)
    assert get_user_model().objects.filter(email__iexact="alice@example.com").count() == 1


def test_an_unverified_email_is_refused(
    live_server: Any, offline: Any, provider: Provider, transactional_db: Any
) -> None:
    provider.set_users(
        {
            "mallory": {
                "email": "boss@example.com",
                "email_verified": False,
                "groups": ["mlops-admins"],
            }
        }
    )
    sign_in(offline, live_server, "mallory")
    expect(offline.get_by_role("alert")).to_contain_text("needs a verified email address")
    assert not get_user_model().objects.filter(email="boss@example.com").exists()
