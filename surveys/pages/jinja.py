"""The Jinja2 environment of the assessment page's per-item partials.

The assessment page draws 28 items, each with its choices, notes, evidence, history and
a feedback form: in Django's template language those two partials took 14 of the page's
40 ms of CPU (docs/benchmarks.md). Jinja2 compiles a template to Python, and draws the
same HTML in half that. The rest of the site stays in Django's templates; a page
includes a partial (``templates/**/*.jinja``, beside the page that includes it) with
``{% jinja_include %}`` (``surveys.templatetags.survey``), which hands it the page's
context.

The partials say in Jinja2 what the Django templates say with their tags: ``_()`` and
``ngettext()`` / ``pgettext()`` are Django's own translations (the same catalogue, the
same message ids), ``url()`` is ``reverse``, ``|date`` formats in the reader's time zone
as Django's ``date`` filter does, ``|tr`` picks the reader's language from a language map.
``makemessages`` does not read ``.jinja`` files:
``tests/surveys/pages/test_jinja_partials.py`` checks that every message they use is in
the Japanese catalogue.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from django.template import defaultfilters
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from jinja2 import ChainableUndefined, Environment
from markupsafe import Markup

from surveys.core.i18n import tr
from surveys.templatetags.watches import item_watch


def _date(value: Any, fmt: str) -> str:
    """Django's ``date`` filter, in the reader's time zone as Django's templates give it."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return str(defaultfilters.date(value, fmt))


def _url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


def _django(name: str, **context: Any) -> str:
    """A Django partial inside a Jinja2 one (``trust/_origin.html``)."""
    return render_to_string(name, context)


@lru_cache(maxsize=4096)
def _translated(language: str | None, message: str) -> Markup:
    return Markup(translation.gettext(message))  # ``language`` is the active one


def _gettext(message: str) -> Markup:
    """Django's ``gettext``, kept per language (a page asks for the same words 28 times,
    and the catalogues do not change while the process runs). The project's own words
    are not escaped, as ``{% translate %}`` does not escape them; a ``|format`` of one
    escapes what it is given, as ``{% blocktranslate %}`` escapes its variables."""
    return _translated(translation.get_language(), message)


def _ngettext(singular: str, plural: str, number: int) -> Markup:
    return Markup(translation.ngettext(singular, plural, number))


def _pgettext(context: str, message: str) -> Markup:
    return Markup(translation.pgettext(context, message))


def environment(**options: Any) -> Environment:
    # A name a page does not give is empty, and so is anything read from it, as in
    # Django's templates (a version's preview has no assessment).
    # (Django's backend would make it ``DebugUndefined`` when DEBUG is on.)
    options["undefined"] = ChainableUndefined
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        _gettext, _ngettext, newstyle=False, pgettext=_pgettext
    )
    env.filters.update(tr=tr, date=_date, urlencode=defaultfilters.urlencode)
    env.globals.update(url=_url, item_watch=item_watch, django=_django)
    return env
