"""Check the label files of the extraction evaluation corpus against LABELLING.md.

    python bench/extract_eval/check_labels.py [--require-all]

Every ``labels/<id>.yaml`` must name a document of the manifest and hold a list of
records with a known type, participant codes, a date that parses and does not lie after
the document's publication, and evidence that is an exact passage of ``docs/<id>.txt``
within one paragraph. Prints one line per problem and exits with status 2 if there is
any; with ``--require-all`` a document without a label file is a problem too.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from allyscope.mechanisms.schema import MECHANISM_TYPES, parse_date

HERE = Path(__file__).resolve().parent
KEYS = {"type", "participants", "date", "evidence", "actors", "note"}
REQUIRED = ("type", "participants", "date", "evidence")
ORGANISATIONS = {"NATO", "ASEAN", "EU", "UN"}
ISO3 = re.compile(r"^[A-Z]{3}$")


def _participants(where: str, rec: dict[str, Any]) -> list[str]:
    parts = rec.get("participants")
    if not isinstance(parts, list) or not parts:
        return [f"{where}: participants must be a non-empty list"]
    problems = []
    bad = [p for p in parts if not (ISO3.match(str(p)) or p in ORGANISATIONS)]
    if bad:
        problems.append(f"{where}: not an ISO3 code or organisation: {bad}")
    if not set(rec.get("actors") or []) <= set(parts):
        problems.append(f"{where}: actors must also be participants")
    return problems


def _date(where: str, rec: dict[str, Any], published: Any) -> list[str]:
    if rec.get("date") is None:
        return []
    try:
        d = parse_date(rec["date"])
    except ValueError as exc:
        return [f"{where}: {exc}"]
    # one day of slack: a statement dated in Washington can report a meeting held the next
    # calendar day in Asia
    if d.date > parse_date(published).last_day + dt.timedelta(days=1):
        return [f"{where}: date {d} is after the document's date {published}"]
    return []


def _evidence(where: str, rec: dict[str, Any], text: str) -> list[str]:
    ev = rec.get("evidence")
    if not isinstance(ev, str) or not ev.strip():
        return [f"{where}: evidence must be a sentence from the document"]
    if ev not in text:
        return [f"{where}: evidence is not an exact passage of the document"]
    if "\n\n" in ev:
        return [f"{where}: evidence spans more than one paragraph"]
    return []


def check_record(i: int, rec: Any, text: str, published: Any) -> list[str]:
    where = f"record {i + 1}"
    if not isinstance(rec, dict):
        return [f"{where}: not a mapping of fields"]
    problems = [f"{where}: unknown field {k!r}" for k in rec if k not in KEYS]
    problems += [f"{where}: missing {k}" for k in REQUIRED if k not in rec]
    if rec.get("type") not in MECHANISM_TYPES:
        problems.append(f"{where}: unknown type {rec.get('type')!r}")
    problems += _participants(where, rec)
    problems += _date(where, rec, published)
    problems += _evidence(where, rec, text)
    return problems


def main(argv: list[str]) -> int:
    manifest = yaml.safe_load((HERE / "manifest.yaml").read_text(encoding="utf-8"))
    published = {d["id"]: d["date"] for d in manifest["documents"]}
    n_problems = 0
    seen = set()
    for path in sorted((HERE / "labels").glob("*.yaml")):
        doc_id = path.stem
        if doc_id not in published:
            print(f"{path.name}: no document {doc_id!r} in the manifest")
            n_problems += 1
            continue
        seen.add(doc_id)
        try:
            records = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            print(f"{path.name}: not valid YAML: {exc}")
            n_problems += 1
            continue
        if not isinstance(records, list):
            print(f"{path.name}: must hold a list of records (or [] for none)")
            n_problems += 1
            continue
        text = (HERE / "docs" / f"{doc_id}.txt").read_text(encoding="utf-8")
        for msg in (
            m for i, r in enumerate(records) for m in check_record(i, r, text, published[doc_id])
        ):
            print(f"{path.name}: {msg}")
            n_problems += 1
    missing = sorted(set(published) - seen)
    print(f"{len(seen)} of {len(published)} documents labelled; {n_problems} problem(s)")
    if missing and "--require-all" in argv:
        for doc_id in missing:
            print(f"{doc_id}: no label file")
        n_problems += len(missing)
    return 2 if n_problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
