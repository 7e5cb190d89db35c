"""How drf-spectacular describes our bearer tokens."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "surveys.tokens.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token of one product: `Authorization: Bearer mlops_…`. "
            "Create it on the product's Tokens page or with `manage.py issue_token`.",
        }


def schema_evidence_batch(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular hook: ``POST /api/v1/evidence/`` takes one record or a list of them."""
    from surveys.evidence.services import MAX_BATCH

    for path_item in result.get("paths", {}).values():
        operation = path_item.get("post")
        if not operation or operation.get("operationId") != "evidence_post":
            continue
        for media in operation.get("requestBody", {}).get("content", {}).values():
            one = media["schema"]
            media["schema"] = {
                "oneOf": [
                    one,
                    {"type": "array", "items": one, "minItems": 1, "maxItems": MAX_BATCH},
                ]
            }
    return result
