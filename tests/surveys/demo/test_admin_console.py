"""The demo ``admin`` runs the programme from the app's own pages, without being staff."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db

PAGES = [
    "/questionnaires/",
    "/organisation/",
    "/organisation/products/",
    "/organisation/people/",
    "/imports/organisation/",
    "/guidelines/",
    "/imports/answers/",
    "/audit/",
    "/rounds/",
]


def test_the_demo_admin_opens_every_console_page_without_staff_rights(client: Any) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC), tick=False):
        call_command("seed_demo", "--products", "6", stdout=StringIO())
    admin = get_user_model().objects.get(username="admin")
    assert not admin.is_staff and not admin.is_superuser
    assert client.login(username="admin", password="demo-admin-2026")
    home = client.get("/").content.decode()
    for url in PAGES:
        assert client.get(url).status_code == 200, url
        assert f'href="{url}"' in home or url.count("/") > 2, url
    assert 'href="/admin/"' not in home
    version = client.get("/questionnaires/").context["rows"][0].versions[0].version
    response = client.post(
        f"/questionnaires/versions/{version.pk}/copy/", {"new_version": "2027.1"}
    )
    assert response.status_code == 302 and "/questionnaires/versions/" in response["Location"]
