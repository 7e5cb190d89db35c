"""The concepts stand in one order (README "Layers"), kept by import-linter's contract in
pyproject.toml: these tests show the order holds on the code and that an import against
it is refused, so `make lint` cannot pass with one."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("mlopsscore", "reports", "surveys", "scoring")


def _lint(where: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"},
    )


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copy(ROOT / "pyproject.toml", tree)
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return tree


def test_the_contract_lists_no_exceptions() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    for contract in config["contracts"]:
        assert "ignore_imports" not in contract, contract["name"]
    layers = config["contracts"][0]["layers"]
    assert layers[0] == "mlopsscore" and layers[-1] == "scoring"


def test_the_code_keeps_the_order_and_an_upward_import_breaks_it(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    kept = _lint(tree)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert " 0 broken" in kept.stdout

    # The organisation (low) reaching for the rounds (high): refused, and named.
    (tree / "surveys" / "organisation" / "upward.py").write_text(
        "from surveys.rounds.models import Round\n"
    )
    broken = _lint(tree)
    assert broken.returncode != 0
    assert "surveys.organisation is not allowed to import surveys.rounds" in broken.stdout
    assert "surveys.organisation.upward -> surveys.rounds.models" in broken.stdout


def test_every_concept_stands_in_the_order() -> None:
    """A new package under surveys/ must be placed in the layers, or nothing checks it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    named = {
        module.strip()
        for layer in config["contracts"][0]["layers"]
        for module in layer.replace(":", "|").split("|")
    }
    plumbing = {"migrations", "management", "templatetags"}
    packages = {
        f"surveys.{path.parent.name}"
        for path in (ROOT / "surveys").glob("*/__init__.py")
        if path.parent.name not in plumbing
    }
    assert packages - named == set()
