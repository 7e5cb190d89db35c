"""How drf-spectacular describes the evidence API: one record or a batch (DESIGN §6.5)."""

from __future__ import annotations

from typing import Any

from surveys.evidence.services import MAX_BATCH


def schema_evidence_batch(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular hook: ``POST /api/v1/evidence/`` takes one record or a list of them."""
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
