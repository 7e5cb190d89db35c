"""First run of a deployment (DESIGN §8): load the ML Test Score questionnaire (published)
and the guideline pages when the database has none, so a new deployment has something to
answer. Run at every container start by ``deploy/start.sh``; a second run changes nothing."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from django.conf import settings

from surveys.guidelines.models import Guideline
from surveys.guidelines.services import guidelines_load
from surveys.questionnaires.models import Questionnaire
from surveys.questionnaires.services import questionnaire_load

QUESTIONNAIRE_FILE = Path(settings.BASE_DIR) / "fixtures" / "ml-test-score-2017.json"
GUIDELINES_DIR = Path(settings.BASE_DIR) / "fixtures" / "guidelines"


@dataclasses.dataclass(frozen=True)
class FirstRun:
    questionnaire: str | None  # the version loaded, None when one was already there
    guidelines: int  # guideline pages loaded, 0 when some were already there


def first_run_load(
    *, questionnaire_file: Path = QUESTIONNAIRE_FILE, guidelines_dir: Path = GUIDELINES_DIR
) -> FirstRun:
    """Loads what is missing; never touches a questionnaire or a guideline already there
    (an administrator may have edited them)."""
    loaded = None
    if not Questionnaire.objects.exists():
        data = json.loads(questionnaire_file.read_text(encoding="utf-8"))
        version, _ = questionnaire_load(data=data, publish=True)
        loaded = str(version)
    guidelines = 0
    if not Guideline.objects.exists():
        guidelines = len(guidelines_load(directory=guidelines_dir))
    return FirstRun(questionnaire=loaded, guidelines=guidelines)
