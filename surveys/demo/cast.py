"""The demo organisation's cast and model: its people, departments, products, kinds of
task, and the constants of the small model that makes its trend believable
(``surveys.demo.seed`` builds the data from them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from surveys.organisation.models import Language, Phase

ROOT_SLUG = "demo"
FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "ml-test-score-2017.json"
SEED = 20170101


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    language: str = Language.EN
    first_name: str = ""
    last_name: str = ""
    products: tuple[str, ...] = ()


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "demo-admin-2026", "MLOps admin", first_name="Aiko", last_name="Admin"),
    DemoUser("manager", "demo-manager-2026", "manager", first_name="Mark", last_name="Manager"),
    DemoUser(
        "alice",
        "demo-alice-2026",
        "respondent (2 products)",
        first_name="Alice",
        last_name="Ito",
        products=("ads-ctr", "search-ranking"),
    ),
    DemoUser(
        "bob",
        "demo-bob-2026",
        "respondent",
        first_name="Bob",
        last_name="Sato",
        products=("commerce-recs",),
    ),
    DemoUser(
        "haruto",
        "demo-haruto-2026",
        "respondent (日本語)",
        language=Language.JA,
        first_name="陽翔",
        last_name="山田",
        products=("media-image-tagging", "ads-ctr"),
    ),
)

# (slug, name, parent slug)
DEPARTMENTS: tuple[tuple[str, str, str | None], ...] = (
    (ROOT_SLUG, "Demo Corp", None),
    ("demo-ads", "Advertising", ROOT_SLUG),
    ("demo-ads-bidding", "Advertising / Bidding", "demo-ads"),
    ("demo-search", "Search", ROOT_SLUG),
    ("demo-commerce", "Commerce", ROOT_SLUG),
    ("demo-media", "Media", ROOT_SLUG),
    ("demo-platform", "Platform", ROOT_SLUG),
)


@dataclass
class Kind:
    """What kind of task a product does: it decides which items may be N/A."""

    name: str
    na: tuple[str, ...]


KIND_TABULAR = Kind("tabular", ())
KIND_END_TO_END = Kind("end-to-end", ("data.feature_value",))
KIND_MACHINES = Kind("machines", ("data.privacy", "model.inclusion"))
KIND_PHYSICS = Kind("physics", ("model.staleness_impact", "monitoring.staleness"))

# (slug, name, department, phase, kind, first round index it joins, responsiveness)
SMALL_PRODUCTS: tuple[tuple[str, str, str, str, Kind, int, float], ...] = (
    ("ads-ctr", "Ads CTR prediction", "demo-ads", Phase.PRODUCTION, KIND_TABULAR, 0, 0.97),
    (
        "ads-bidding",
        "Real-time bidding",
        "demo-ads-bidding",
        Phase.PRODUCTION,
        KIND_TABULAR,
        0,
        0.95,
    ),
    ("ads-creative", "Ad creative scoring", "demo-ads", Phase.VALIDATION, KIND_END_TO_END, 3, 0.85),
    ("search-ranking", "Search ranking", "demo-search", Phase.PRODUCTION, KIND_TABULAR, 0, 0.97),
    ("search-suggest", "Query suggestions", "demo-search", Phase.VALIDATION, KIND_TABULAR, 0, 0.8),
    (
        "commerce-recs",
        "Product recommendations",
        "demo-commerce",
        Phase.PRODUCTION,
        KIND_TABULAR,
        0,
        0.95,
    ),
    (
        "commerce-fraud",
        "Payment fraud detection",
        "demo-commerce",
        Phase.PRODUCTION,
        KIND_TABULAR,
        1,
        0.9,
    ),
    ("commerce-demand", "Demand forecasting", "demo-commerce", Phase.POC, KIND_TABULAR, 5, 0.75),
    (
        "media-image-tagging",
        "Image tagging",
        "demo-media",
        Phase.PRODUCTION,
        KIND_END_TO_END,
        0,
        0.9,
    ),
    (
        "media-news-recs",
        "News recommendations",
        "demo-media",
        Phase.VALIDATION,
        KIND_TABULAR,
        2,
        0.85,
    ),
    (
        "platform-dc-cooling",
        "Data-centre cooling",
        "demo-platform",
        Phase.POC,
        KIND_MACHINES,
        4,
        0.7,
    ),
    (
        "platform-disk-failure",
        "Disk failure prediction",
        "demo-platform",
        Phase.VALIDATION,
        KIND_PHYSICS,
        1,
        0.8,
    ),
)

PHASE_BASE = {Phase.POC: 0.1, Phase.VALIDATION: 0.17, Phase.PRODUCTION: 0.25}
AREA_OFFSET = {"data": 0.04, "model": 0.05, "infra": 0.0}
MONITORING_START = -0.25  # monitoring starts lowest and catches up (guidelines help)
GROWTH = 0.24  # how much maturity grows over the whole history
NA_REASONS = {
    "data.feature_value": "End-to-end model on raw inputs; no hand-made features.",
    "data.privacy": "Machine sensor data only; confirmed with the privacy office.",
    "model.inclusion": "Outputs are never used for decisions about people.",
    "model.staleness_impact": "Approximates a fixed physical function.",
    "monitoring.staleness": "Approximates a fixed physical function.",
}


@dataclass
class DemoProduct:
    pk: int
    slug: str
    phase: str
    kind: Kind
    joins: int  # round index
    responsiveness: float
    base: float
    ci: bool  # posts evidence from CI
    dip: int | None = None  # a round where the team lost ground (a regression)
    ease: dict[str, float] = field(default_factory=dict)


@dataclass
class DemoSummary:
    departments: int = 0
    products: int = 0
    rounds: list[str] = field(default_factory=list)
    assessments: int = 0
    answers: int = 0
    evidence: int = 0
    users: list[DemoUser] = field(default_factory=list)
