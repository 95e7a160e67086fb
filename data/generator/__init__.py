"""The synthetic Shanxi province: department exports, rolls and inbox requests, plus the truth.

    >>> from data.generator import generate
    >>> summary = generate(Path("data"), households=2000, seed=7)      # doctest: +SKIP

Same (households, seed, as_of) -> byte-identical files. Everything random comes from one
`numpy.random.default_rng(seed)` (files' cosmetic choices from per-file child generators);
the only clock read is `as_of`'s default, today. The truth goes to `truth_dir`, outside
the data root, so the pipeline can never see it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from . import assets, bad, people, profiles, requests, sources, truth, writers
from .ids import check_char, is_valid, to_legacy
from .noise import KINDS as NOISE_KINDS
from .rows import release_memory

MEMBER_COLUMNS = ("request_id", "agency", "household_id", "member_no", "person_key", "relation", "id_as_written",
                  "id_noise", "consent", "name", "name_as_written", "file")
PERSON_COLUMNS = ("person_key", "id_number", "name", "gender", "birth_date", "county_code", "is_applicant",
                  "family", "address", "birthplace")

__all__ = ["generate", "check_char", "is_valid", "to_legacy", "NOISE_KINDS", "default_truth_dir"]


def default_truth_dir(root: Path) -> Path:
    root = Path(root)
    return root.parent / f"{root.name}-truth"


def generate(root: Path, households: int = 2000, seed: int = 7, as_of: dt.date | None = None,
             truth_dir: Path | None = None) -> dict:
    """Write a synthetic province into `root` (landing/, inbox/) and its truth into `truth_dir`.

    Returns a summary: counts per source, files written (relative to root) and truth_dir.
    """
    if households < 1:
        raise ValueError("households must be at least 1")
    root = Path(root)
    as_of = as_of or dt.date.today()
    truth_dir = Path(truth_dir) if truth_dir is not None else default_truth_dir(root)
    if truth_dir.resolve().is_relative_to(root.resolve()):
        raise ValueError(f"truth_dir {truth_dir} must be outside the data root {root}")
    for sub in ("landing", "inbox"):
        shutil.rmtree(root / sub, ignore_errors=True)
    rng = np.random.default_rng(seed)

    plan = requests.plan_inbox(rng, households)
    pop = people.build(rng, households, [code for _, code, count in plan for _ in range(count)], as_of)
    P, H = pop.persons, pop.households
    income = profiles.build(rng, P, H, as_of)
    over = income.over
    owned = assets.build(rng, P, H, over, as_of)
    release_memory()

    export_date = as_of - dt.timedelta(days=1)
    night = dt.datetime.combine(export_date, dt.time(2, 0))
    files: dict[str, dict] = {}
    file_names: dict[str, list[str]] = {}

    def emit(rel: Path, table: str, rows, spec: writers.FileSpec, key: list, when: dt.datetime,
             into: dict = files) -> None:
        def corrupt(part, cells, names):
            bad.corrupt(table, part, cells, names)

        size = writers.write_rows(root / rel, table, rows, spec, np.random.default_rng([seed, *key]), when, corrupt)
        into[rel.as_posix()] = {"rows": len(rows), "bytes": size, "format": spec.fmt,
                                "encoding": spec.encoding if spec.fmt == "csv" else None}

    # One source at a time (built, marked, written, put in the truth, dropped): a big province
    # never holds more than one source's rows. The generators' order is the same as ever.
    truth_dir.mkdir(parents=True, exist_ok=True)
    source_rows = truth.SourceRows(truth_dir / "source_rows.parquet", P.person_key.to_numpy(dtype=object))
    outsider = (P.slot.to_numpy() < 0) & (P.supporter_slot.to_numpy() < 0)
    marker = bad.generator(seed)
    parts: dict[str, np.ndarray] = {}
    counts: dict[str, int] = {}
    bad_rows: dict[str, dict[str, int]] = {}
    kept: dict[str, pd.DataFrame] = {}              # vehicle and property rows, for the households' truth
    unreadable_rows = None
    try:
        for si, (source, rows) in enumerate(sources.build(rng, P, income, owned, as_of)):
            specs = sources.EXPORTS[source]
            part = truth.figures_part(source, rows, len(P), as_of)
            if part is not None:
                parts[source] = part
            bad.mark(marker, source, rows, outsider, specs)
            counts[source] = len(rows)
            bad_rows[source] = {k: int(rows.isin("bad", [k]).sum()) for k in bad.KINDS}
            file_names[source] = [spec.filename(export_date) for spec in specs]
            bounds = np.searchsorted(rows["file"], np.arange(len(specs) + 1))
            for k, spec in enumerate(specs):
                emit(Path("landing", source, file_names[source][k]), source, rows.slice(bounds[k], bounds[k + 1]),
                     spec, [1, si, k], night)
            source_rows.add(source, rows, file_names[source])
            if source == "tax":
                unreadable_rows = bad.unreadable_rows(rows, seed)
            if source in ("vehicle", "property"):
                kept[source] = rows.frame(["person", "status", "vehicle_type" if source == "vehicle" else "usage"]
                                          + (["certificate_number"] if source == "property" else []))
            del rows
            release_memory()
    except BaseException:
        source_rows.abort()
        raise
    source_rows.close()
    figures = truth.person_figures(parts)
    del parts
    members = requests.members(rng, P, H, figures.monthly_income.to_numpy(), figures.financial.to_numpy(),
                               over, as_of)
    members, inbox_files = requests.assign(rng, members, plan, as_of)
    member_file = np.full(len(members), "", dtype=object)

    unreadable: dict[str, dict] = {}
    emit(Path("landing", "tax", bad.filename(export_date)), "tax", unreadable_rows,
         sources.EXPORTS["tax"][0], [6], night, into=unreadable)
    for entry in unreadable.values():
        entry["reason"] = bad.UNREADABLE_REASON
    rolls = members[~members.inbox.to_numpy()]
    if len(rolls):
        rel = Path("landing", "rolls", requests.ROLLS_SPEC.filename(export_date))
        emit(rel, "rolls", requests.label(rolls, requests.ROLLS_SPEC, np.random.default_rng([seed, 2])),
             requests.ROLLS_SPEC, [3], night)
        member_file[~members.inbox.to_numpy()] = rel.name
    for k, (spec, agency, rows) in enumerate(inbox_files):
        rel = Path("inbox", agency, spec.filename(as_of))
        labelled = requests.label(rows, spec, np.random.default_rng([seed, 4, k]))
        emit(rel, "applicants", labelled, spec, [5, k], dt.datetime.combine(as_of, dt.time(9, 0)))
        member_file[members.index.get_indexer(rows.index)] = rel.name

    members = members.assign(file=member_file)
    hh = truth.households(H, P, members, kept, figures, over)
    members_truth = members.assign(
        person_key=P.person_key.to_numpy()[members.person.to_numpy()], member_no=members.member_no.astype(int),
    ).rename(columns={"id_number": "id_as_written", "name_written": "name_as_written"})[list(MEMBER_COLUMNS)]
    persons_truth = P[list(PERSON_COLUMNS)].assign(birth_date=P.birth_date.dt.date)
    manifest = {"seed": seed, "households": households, "as_of": as_of.isoformat(),
                "export_date": export_date.isoformat(), "persons": int(len(P)),
                "applicant_persons": int(P.is_applicant.sum()), "sources": counts,
                "rolls_rows": int(len(rolls)), "inbox_rows": int(len(members) - len(rolls)), "files": files,
                "bad_rows": bad_rows, "unreadable": unreadable}
    truth.write(truth_dir, {"persons": persons_truth, "members": members_truth, "households": hh}, manifest)
    return {"root": str(root), "truth_dir": str(truth_dir), "households": households, "seed": seed,
            "as_of": as_of.isoformat(), "persons": int(len(P)), "sources": counts, "files": files,
            "rolls_rows": manifest["rolls_rows"], "inbox_files": len(inbox_files), "bad_rows": bad_rows,
            "unreadable": unreadable}

