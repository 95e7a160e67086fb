"""What a rule reads about a household (`Facts`) and what it says (`finding`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

import pyarrow as pa

from assessment.policy import Standard
from connectors.cells import tidy_strings
from connectors.headers import fields_of_row
from connectors.schema import TABLES

SEVERITY_ORDER = {"info": 0, "warn": 1, "fail": 2}


PROGRAM_LABELS = {"dibao": "最低生活保障", "tekun": "特困人员供养", "medical": "医疗救助",
                  "education": "教育救助", "housing": "住房救助", "employment": "就业救助",
                  "temporary": "临时救助"}
"""A programme's name as reports say it."""


@dataclass
class Facts:
    program: str
    members: list[dict]
    """Household members and supporters, each with member_no, name, relation, is_member,
    consent, id_check, age, gender, labor_capacity, monthly_income, on_rolls_programs, and the
    application's birth_date beside the ID number's id_birth_date (`age` is counted from the
    ID's when id_check is valid or repaired: `assessment.household._birth_date`)."""
    income: dict
    assets: dict
    standard: Standard
    params: dict
    review_links: list[dict] = field(default_factory=list)
    """Review links whose record, if confirmed, could change a figure or a finding."""
    review_links_info: list[dict] = field(default_factory=list)
    """Review links that could change nothing (a row outside the window, of a kind that neither
    counts nor shows work, an earlier bank balance): listed, for information only."""
    supporters: list[dict] = field(default_factory=list)
    """Supporters' means: member_no, name, monthly_income, financial_total, and the records behind
    them (evidence: income, asset_evidence: accounts)."""
    recent_employment: dict = field(default_factory=dict)
    """member_no -> months with wage or contribution evidence in the employment window."""
    employment_evidence: dict = field(default_factory=dict)
    """member_no -> the wage and contribution records behind `recent_employment`."""
    employment_through: dict = field(default_factory=dict)
    """Income sources whose employment months end before the window's (source -> the last day they
    hold): their newest months are not exported yet, and are no evidence of being out of work."""
    origin: str | None = None
    """Where the household comes from: `rolls` (already receiving aid), `inbox` (an application)."""
    unconfigured_county: str | None = None
    """The household's county code when the policy does not list it (defaults were applied)."""
    county_code: str | None = None
    """The county the household is assessed under (its first member's row, `pipelines.verify`)."""
    unclaimed: list[dict] = field(default_factory=list)
    """Rows without an ID under exactly a member's name that nobody is linked to
    (`assessment.evidence.unclaimed_sql`), income rows cut to the window and to the kinds that
    count: what the figures would hold were they the member's (`pending.unclaimed`)."""
    behind: dict = field(default_factory=dict)
    """Income sources delivered only to more than the window can step back over (source -> the
    last day they hold, `assessment.window.sources_behind`)."""
    tax_delivered: bool = True
    """Whether any tax export has arrived at all (no base stands in for a wage until it has)."""
    rolls_rows_held: int = 0
    """Rows of this household the latest rolls snapshot rejected: it is verified as the previous
    snapshot listed it (`pipelines.rolls_held`)."""
    newer_balances: list[dict] = field(default_factory=list)
    """Newer statements of a counted account that nobody is linked to (member_no, record_id,
    balance, as_of_date …): the counted balance may be out of date."""
    refused: list[dict] = field(default_factory=list)
    """Department rows refused at load that carry a member's validated ID (member_no, name,
    source, record_id, file, row_number, reasons): what they hold is in no figure."""
    request_date: date | None = None
    never_delivered: tuple = ()
    """Sources no export of which has ever loaded (`data_as_of` null): nothing of them was checked."""
    unreadable: dict = field(default_factory=dict)
    """Sources whose latest delivery was rejected whole (source -> its file name), no later one loaded."""
    delivered_empty: tuple = ()
    """Sources among `never_delivered` whose exports loaded but held no row (a header alone)."""

    @property
    def household(self) -> list[dict]:
        return [m for m in self.members if m["is_member"]]

    @property
    def size(self) -> int:
        return max(len(self.household), 1)


def finding(rule: str, severity: str, message: str, evidence=()) -> dict:
    # in one order whatever order the rows were loaded in: a determinism probe's re-sent files
    # listed the same records otherwise, and the finding's fingerprint moved with no news
    cited = sorted({(e["source"], e["record_id"]) for e in evidence},
                   key=lambda c: (str(c[0]), "" if c[1] is None else str(c[1])))
    return {"rule": rule, "severity": severity, "message": message,
            "evidence": [{"source": src, "record_id": rid} for src, rid in cited]}


def refused_cells(refused: dict) -> dict:
    """A refused row's cells (`evidence.refused_sql`'s raw_row, headed as its file headed them) by
    field name, tidied as the loader tidies a cell (`connectors.cells.tidy_strings`: spaces and
    keep-as-text marks off, "no value" empty); {} when the row cannot be read."""
    try:
        cells = fields_of_row(TABLES[refused["source"]], json.loads(refused.get("raw_row") or "{}"))
    except (ValueError, TypeError, KeyError):
        return {}
    names = list(cells)
    tidy = tidy_strings(pa.array([None if v is None else str(v) for v in cells.values()], pa.string()))
    return dict(zip(names, tidy.to_pylist()))
