"""Validators shared by the pages, the API and the imports."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

# RFC 3986 allows these ASCII characters in a URI (besides letters and digits), plus
# "%" when it starts an escape; text beyond ASCII is let through as in an IRI (RFC 3987).
_URI_ASCII = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


class WebURLValidator(URLValidator):
    """An http(s) address that is a valid URI: Django's URLValidator lets through quotes,
    angle brackets and spaces-free markup such as ``https://x.example/"><img ...>``,
    which no URI may hold."""

    message = _("Enter a valid web address (http or https).")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("schemes", ["http", "https"])
        super().__init__(**kwargs)

    def __call__(self, value: Any) -> None:
        if not isinstance(value, str):
            raise ValidationError(self.message, code=self.code, params={"value": value})
        ascii_part = "".join(ch for ch in value if ord(ch) < 128)
        if not _URI_ASCII.fullmatch(ascii_part) or _BAD_ESCAPE.search(value):
            raise ValidationError(self.message, code=self.code, params={"value": value})
        super().__call__(value)


web_url = WebURLValidator()
