"""Answers files (DESIGN §6.2) for tests and for measuring the import at scale.

Run it to write one round of 10,000 products × 28 items (280,000 rows) as XLSX:

    .venv/bin/python -m tests.data.answers_files var/answers-10000.xlsx --products 10000

and time ``manage.py import_answers var/answers-10000.xlsx --questionnaire mlts@2017.1``
after ``manage.py load_questionnaire fixtures/ml-test-score-2017.json --publish``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

HEADER = ("round", "round_date", "product", "department", "phase", "item", "answer", "note")


def write_csv(
    path: Path, rows: Iterable[Sequence[object]], header: Sequence[str] = HEADER, bom: bool = False
) -> Path:
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(["" if cell is None else cell for cell in row] for row in rows)
    return path


def write_xlsx(
    path: Path, rows: Iterable[Sequence[object]], header: Sequence[str] = HEADER
) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("answers")
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def big_round_rows(
    item_keys: Sequence[str],
    *,
    products: int = 10_000,
    label: str = "2026-04",
    opens_on: dt.date = dt.date(2026, 4, 1),
    departments: int = 40,
) -> Iterator[tuple[object, ...]]:
    """One round of ``products`` complete assessments; cells hold numbers and real dates."""
    values = (0, 0.5, 1, 1.0, 0.5)
    phases = ("poc", "validation", "production")
    for p in range(products):
        for i, key in enumerate(item_keys):
            yield (
                label,
                opens_on,
                f"bench-product-{p:05d}",
                f"Bench department {p % departments}",
                phases[p % 3],
                key,
                values[(p * 7 + i * 3) % len(values)],
                None,
            )


def item_keys_of(questionnaire_file: Path) -> list[str]:
    data: dict[str, Any] = json.loads(questionnaire_file.read_text(encoding="utf-8"))
    return [item["key"] for area in data["areas"] for item in area["items"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument(
        "--questionnaire", type=Path, default=Path("fixtures/ml-test-score-2017.json")
    )
    args = parser.parse_args()
    rows = big_round_rows(item_keys_of(args.questionnaire), products=args.products)
    if args.output.suffix == ".csv":
        write_csv(args.output, rows)
    else:
        write_xlsx(args.output, rows)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
