"""Every model of the app, imported from its concept's package (Django looks here).

Stored scores live with each assessment (and per area in ``AreaScore``), so reports read
stored figures in a few set-based queries instead of re-reading answers.
"""

from surveys.assessments.models import (
    Answer,
    AnswerRevision,
    AreaScore,
    Assessment,
    AssessmentStatus,
    CarryStatus,
    NaDecision,
    NaStatus,
    RevisionSource,
    Submission,
)
from surveys.audit.models import AuditCategory, AuditEvent
from surveys.badges.models import BadgeKey
from surveys.evidence.models import (
    Evidence,
    Outcome,
)
from surveys.feedback.models import FeedbackKind, FeedbackStatus, ItemFeedback
from surveys.guidelines.models import (
    GateBasis,
    GatePolicy,
    Guideline,
    GuidelineRevision,
)
from surveys.initiatives.models import Initiative, InitiativeReminder, TargetKind
from surveys.organisation.models import (
    Department,
    Language,
    Phase,
    Product,
    Profile,
)
from surveys.questionnaires.models import (
    Area,
    Item,
    Questionnaire,
    QuestionnaireVersion,
    VersionStatus,
)
from surveys.reviews.models import (
    QueryStatus,
    Review,
    ReviewQuery,
    ReviewSample,
    ReviewState,
    ReviewStep,
    SamplePick,
    StepKind,
)
from surveys.rounds.models import (
    MailAudience,
    Round,
    RoundEvent,
    RoundEventKind,
    RoundMail,
    RoundReminder,
    RoundReport,
    RoundStatus,
    default_evidence_window_days,
    default_reminder_days,
)
from surveys.tokens.models import (
    ApiToken,
)
from surveys.trust.models import CiIdentity, TrustPolicy
from surveys.uploads.models import StagedUpload
from surveys.watches.models import (
    ChatChannel,
    ChatDelivery,
    ChatKind,
    Flip,
    Watch,
    WatchDigest,
    WatchMute,
    WatchState,
)

__all__ = [
    "Answer",
    "AnswerRevision",
    "ApiToken",
    "Area",
    "AreaScore",
    "Assessment",
    "AssessmentStatus",
    "AuditCategory",
    "AuditEvent",
    "BadgeKey",
    "CarryStatus",
    "ChatChannel",
    "ChatDelivery",
    "ChatKind",
    "CiIdentity",
    "Department",
    "Evidence",
    "FeedbackKind",
    "FeedbackStatus",
    "Flip",
    "GateBasis",
    "GatePolicy",
    "Guideline",
    "GuidelineRevision",
    "Initiative",
    "InitiativeReminder",
    "Item",
    "ItemFeedback",
    "Language",
    "MailAudience",
    "NaDecision",
    "NaStatus",
    "Outcome",
    "Phase",
    "Product",
    "Profile",
    "QueryStatus",
    "Questionnaire",
    "QuestionnaireVersion",
    "Review",
    "ReviewQuery",
    "ReviewSample",
    "ReviewState",
    "ReviewStep",
    "RevisionSource",
    "Round",
    "RoundEvent",
    "RoundEventKind",
    "RoundMail",
    "RoundReminder",
    "RoundReport",
    "RoundStatus",
    "SamplePick",
    "StagedUpload",
    "StepKind",
    "Submission",
    "TargetKind",
    "TrustPolicy",
    "VersionStatus",
    "Watch",
    "WatchDigest",
    "WatchMute",
    "WatchState",
    "default_evidence_window_days",
    "default_reminder_days",
]
