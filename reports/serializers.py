"""Input and output of the trend API; the output serializers describe DESIGN §6.4 in the schema."""

from __future__ import annotations

import math
from typing import Any

from rest_framework import serializers


class TrendQuerySerializer(serializers.Serializer):
    questionnaire = serializers.SlugField(help_text="Questionnaire key, e.g. `mlts`.")
    baseline = serializers.CharField(
        required=False, allow_blank=True, help_text="Label of the cohort's baseline round."
    )
    target = serializers.FloatField(
        required=False, help_text="Target score (default 2.0 or the configured one)."
    )

    def validate_target(self, value: float) -> float:
        if not math.isfinite(value):
            raise serializers.ValidationError("The target must be a finite number.")
        return value


class FinalSerializer(serializers.Serializer):
    mean = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True)
    p25 = serializers.FloatField(allow_null=True)
    p75 = serializers.FloatField(allow_null=True)


class CohortSerializer(serializers.Serializer):
    scored = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True)


class BandsSerializer(serializers.Serializer):
    def get_fields(self) -> dict[str, Any]:
        from scoring.rules import BAND_KEYS

        return {key: serializers.IntegerField() for key in BAND_KEYS}


class TrendRoundSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]
    date = serializers.DateField()
    status = serializers.ChoiceField(choices=["scheduled", "open", "closed"])
    version = serializers.CharField(help_text="`key@version`, e.g. `mlts@2017.1`.")
    targeted = serializers.IntegerField()
    scored = serializers.IntegerField()
    final = FinalSerializer()
    areas = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="Mean score of each area over the scored assessments, in questionnaire order.",
    )
    bands = BandsSerializer()
    meeting_target = serializers.IntegerField()
    cohort = CohortSerializer()


class TrendSerializer(serializers.Serializer):
    questionnaire = serializers.CharField()
    target = serializers.FloatField()
    baseline = serializers.CharField(allow_null=True)
    rounds = TrendRoundSerializer(many=True)
