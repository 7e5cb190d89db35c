"""Company sign-in (DESIGN §7): the login page, local passwords switched off, group mapping.

The whole flow through a real provider is in tests/e2e/test_company_signin.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from surveys.organisation.roles import is_admin, is_manager
from surveys.signin.backend import CompanyOidcBackend
from tests.factories import UserFactory


@pytest.fixture
def oidc(settings: Any) -> Any:
    settings.OIDC_RP_CLIENT_ID = "mlopsscore"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://id.example/auth"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://id.example/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://id.example/me"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://id.example/jwks"
    settings.OIDC_PROVIDER_NAME = "Acme ID"
    settings.OIDC_ADMIN_GROUPS = ["mlops-admins"]
    settings.OIDC_MANAGER_GROUPS = ["ml-leads", "directors"]
    return settings


def test_without_a_client_id_the_login_page_offers_passwords_only(db: Any) -> None:
    page = Client().get("/accounts/login/").content.decode()
    assert "Sign in with" not in page
    assert 'name="password"' in page


def test_with_a_client_id_the_login_page_offers_the_provider(oidc: Any, db: Any) -> None:
    page = Client().get("/accounts/login/?next=/reports/").content.decode()
    assert "Sign in with Acme ID" in page
    assert 'href="/oidc/authenticate/?next=/reports/"' in page
    assert 'name="password"' in page
    response = Client().get("/oidc/authenticate/?next=/reports/")
    assert response.status_code == 302
    assert response["Location"].startswith("https://id.example/auth?")
    assert "client_id=mlopsscore" in response["Location"]


def test_local_passwords_switched_off(oidc: Any, db: Any) -> None:
    oidc.LOCAL_PASSWORDS = False
    oidc.AUTHENTICATION_BACKENDS = [
        "surveys.lockouts.backends.LockoutBackend",
        "surveys.signin.backend.CompanyOidcBackend",
    ]
    UserFactory(username="ana")
    page = Client().get("/accounts/login/").content.decode()
    assert "Sign in with Acme ID" in page and 'name="password"' not in page
    response = Client().post(
        "/accounts/login/", {"username": "ana", "password": "pw-for-tests-123"}
    )
    assert response.status_code == 200
    assert "Local passwords are switched off" in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def claims(**overrides: Any) -> dict[str, Any]:
    return {
        "sub": "u1",
        "email": "ana@example.com",
        "email_verified": True,
        "groups": [],
        **overrides,
    }


def test_an_account_is_created_from_the_verified_email_with_its_roles(oidc: Any, db: Any) -> None:
    backend = CompanyOidcBackend()
    assert backend.verify_claims(claims())
    assert not backend.verify_claims(claims(email_verified=False))
    assert not backend.verify_claims(claims(email_verified="true"))
    assert not backend.verify_claims(claims(email=""))
    user = backend.create_user(claims(given_name="Ana", groups=["directors", "x"]))
    assert (user.username, user.email, user.first_name) == (
        "ana@example.com",
        "ana@example.com",
        "Ana",
    )
    assert is_manager(user) and not is_admin(user)


def test_roles_follow_the_groups_at_every_sign_in(oidc: Any, db: Any) -> None:
    backend = CompanyOidcBackend()
    user = UserFactory(username="ana", email="ana@example.com")
    backend.update_user(user, claims(groups=["mlops-admins", "ml-leads"]))
    assert is_admin(user) and is_manager(user)
    backend.update_user(user, claims(groups=["ml-leads"]))
    assert not is_admin(user) and is_manager(user)
    backend.update_user(user, claims(groups="mlops-admins"))
    assert is_admin(user) and not is_manager(user)
    backend.update_user(user, claims(groups=None))
    assert not is_admin(user) and not is_manager(user)


def test_a_taken_username_gets_a_suffix(oidc: Any, db: Any) -> None:
    UserFactory(username="ana@example.com", email="other@example.com")
    user = CompanyOidcBackend().create_user(claims())
    assert user.username == "ana@example.com-2"


def test_the_provider_button_speaks_japanese(oidc: Any, db: Any) -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE="ja").get("/accounts/login/").content.decode()
    assert "Acme ID でサインイン" in page
