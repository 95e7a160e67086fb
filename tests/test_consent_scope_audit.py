"""Consent, scope and the audit trail, end to end: what a request may see and where answers go.

A generated province gets its first pass (the rolls). Then an agency drops two request files:
one asks again about a household on the rolls, but one member's authorisation (consent_ref) is
missing; the other is hostile — request ids that climb out of folders or carry control
characters, and a row that claims to come from another agency. The second pass must verify the
authorised members only, write only under the dropping agency's folders, quarantine every
hostile row with its reason, and only ever add rows to `audit`.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from fault_support import AS_OF, REPO
from ops_support import query, request_rows, write_csv
from pipelines.passes import run_pass

REQUEST = "REQ-CONSENT-1"
HOSTILE_IDS = ["../../escaped", "a/b", "x..y", "R\x01bell", ".hidden", "C:\\win", "名单 空格"]


@pytest.fixture(scope="module")
def second_pass(province, tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("consent") / "root"
    shutil.copytree(province / "pristine", root)
    assert run_pass(root, as_of=AS_OF, snapshot_mode="off")["status"] == "completed"
    # A household whose second (or later) member has rows auto-linked on the rolls pass.
    pick = query(root, "SELECT l.household_id, l.member_no, r.agency, list(l.record_id) AS records "
                       "FROM links l JOIN requests r USING (request_id) WHERE r.origin = 'rolls' "
                       "AND l.decision = 'auto' AND l.member_no > 1 GROUP BY ALL ORDER BY 1, 2 LIMIT 1")[0]
    rows = request_rows(root, [pick["household_id"]], REQUEST, pick["agency"])
    for r in rows:
        if r["member_no"] == pick["member_no"]:
            r["consent_ref"] = ""
    inbox = root / "inbox" / pick["agency"]
    write_csv(inbox / "consent_check.csv", rows)
    template = rows[0]
    hostile = [{**template, "request_id": rid, "household_id": f"HX{i}", "member_no": 1}
               for i, rid in enumerate(HOSTILE_IDS)]
    hostile.append({**template, "request_id": "REQ-OTHER-AGENCY", "household_id": "HX-OTHER",
                    "agency": "someone_else", "member_no": 1})
    hostile.append({**template, "request_id": "REQ-EVIL-HH", "household_id": "../../hh", "member_no": 1})
    write_csv(inbox / "hostile.csv", hostile)
    audit_before = query(root, "SELECT * FROM audit ORDER BY ALL")
    outbox_before = {p for p in (root / "outbox").rglob("*") if p.is_file()}
    summary = run_pass(root, as_of=AS_OF, include_rolls=False, snapshot_mode="off")
    assert summary["status"] == "completed"
    return {"root": root, "pick": pick, "audit_before": audit_before, "outbox_before": outbox_before}


def _report(ctx) -> dict:
    root, pick = ctx["root"], ctx["pick"]
    path = root / "outbox" / pick["agency"] / REQUEST / f"{pick['household_id']}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_a_member_without_consent_is_neither_linked_nor_reported_beyond_not_authorised(second_pass):
    root, pick = second_pass["root"], second_pass["pick"]
    assert query(root, "SELECT * FROM links WHERE request_id = ? AND member_no = ?", [REQUEST, pick["member_no"]]) == []
    report = _report(second_pass)
    member = next(m for m in report["members"] if m["member_no"] == pick["member_no"])
    assert member["consent"] is False and member["matches"] == [] and member["monthly_income"] is None
    text = json.dumps(report, ensure_ascii=False)
    leaked = [rec for rec in pick["records"] if rec in text]
    assert leaked == [], f"records of the unauthorised member appear in the report: {leaked}"
    assert any(f["rule"] == "consent" for f in report["findings"])
    html = (root / "outbox" / pick["agency"] / REQUEST / f"{pick['household_id']}.html").read_text(encoding="utf-8")
    assert "未授权" in html
    audit = query(root, "SELECT verified, consent_ref, sources_consulted FROM audit WHERE request_id = ? "
                        "AND member_no = ?", [REQUEST, pick["member_no"]])
    assert audit == [{"verified": False, "consent_ref": None, "sources_consulted": ""}]


def test_authorised_members_of_the_same_request_are_verified_and_audited(second_pass):
    root, pick = second_pass["root"], second_pass["pick"]
    audit = query(root, "SELECT member_no, verified, consent_ref, sources_consulted, outputs FROM audit "
                        "WHERE request_id = ? AND member_no <> ?", [REQUEST, pick["member_no"]])
    assert audit and all(a["verified"] and a["consent_ref"] for a in audit)
    assert all(a["sources_consulted"] == "tax,vehicle,property,social_insurance,bank" for a in audit)
    expected = f"outbox/{pick['agency']}/{REQUEST}/{pick['household_id']}"
    assert all(a["outputs"] == f"{expected}.json,{expected}.html" for a in audit)


def test_each_audit_row_names_the_person_verified_by_their_id_not_by_a_member_number(second_pass):
    """A privacy probe re-sent a household with member 2 another person: by request, household and
    member number, the earlier audit rows of a member who never consented read as the new one's."""
    root = second_pass["root"]
    rows = query(root, "SELECT a.member_no, a.id_number, m.id_number AS applied FROM audit a JOIN applicant_members m "
                       "USING (request_id, household_id, member_no) WHERE a.request_id = ?", [REQUEST])
    assert rows and all(r["id_number"] == r["applied"] and len(r["id_number"]) == 18 for r in rows), rows


def test_a_request_writes_only_under_the_agency_that_dropped_it(second_pass):
    root, agency = second_pass["root"], second_pass["pick"]["agency"]
    new = {p for p in (root / "outbox").rglob("*") if p.is_file()} - second_pass["outbox_before"]
    assert new
    outside = [p for p in new if p.relative_to(root / "outbox").parts[0] != agency]
    assert outside == []
    assert not (root / "outbox" / "someone_else").exists()
    # nothing was created next to or above the data root by a climbing id
    assert sorted(p.name for p in root.parent.iterdir()) == ["root"]
    assert not list(root.rglob("escaped")) and not list(root.rglob("hh"))


def test_every_hostile_row_is_quarantined_with_its_reason(second_pass):
    root = second_pass["root"]
    rows = query(root, "SELECT row_number, field, reason, raw_value FROM quarantine WHERE file LIKE '%hostile.csv' "
                       "ORDER BY row_number, field")
    by_row = {}
    for r in rows:
        by_row.setdefault(r["row_number"], []).append(r)
    for i, rid in enumerate(HOSTILE_IDS, start=1):
        fields = {r["field"]: r for r in by_row.get(i, [])}
        assert "request_id" in fields, f"row {i} ({rid!r}) was not quarantined"
        assert "never '..'" in fields["request_id"]["reason"] and "control characters" in fields["request_id"]["reason"]
    other = {r["field"]: r for r in by_row[len(HOSTILE_IDS) + 1]}
    assert "does not match the inbox folder" in other["agency"]["reason"]
    evil = {r["field"]: r for r in by_row[len(HOSTILE_IDS) + 2]}
    assert "household_id" in evil
    answered = {r["request_id"] for r in query(root, "SELECT request_id FROM requests")}
    assert answered.isdisjoint(HOSTILE_IDS + ["REQ-OTHER-AGENCY", "REQ-EVIL-HH"])


def test_the_audit_trail_only_grows(second_pass):
    after = query(second_pass["root"], "SELECT * FROM audit ORDER BY ALL")
    before = second_pass["audit_before"]
    assert before and len(after) > len(before)
    assert [r for r in before if r not in after] == [], "a pass changed or removed audit rows"
    assert {r["request_id"] for r in after if r not in before} == {REQUEST}


APPEND_ONLY = ("audit", "review_decision_log")
_WRITES = re.compile(r"\b(UPDATE|DELETE\s+FROM|TRUNCATE|DROP\s+TABLE|ALTER\s+TABLE|INSERT\s+OR\s+REPLACE\s+INTO|"
                     r"CREATE\s+OR\s+REPLACE\s+TABLE)\s+(?:TABLE\s+)?(\w+)(?!\w|\s+ADD\s+COLUMN)", re.I)
"""(A column added changes no row: migration 0035 gave `audit` the ID of the person verified.)"""


def test_no_code_path_rewrites_an_append_only_table():
    """The append-only tables are written by INSERT alone, anywhere in the product's code and migrations
    (apart from the migration that creates them)."""
    offenders = []
    for folder in ("pipelines", "warehouse", "matching", "assessment", "reports", "review", "connectors",
                   "expectations", "hhverify"):
        for path in (REPO / folder).rglob("*"):
            if path.suffix not in (".py", ".sql"):
                continue
            for m in _WRITES.finditer(path.read_text(encoding="utf-8")):
                if m.group(2).lower() in APPEND_ONLY:
                    offenders.append(f"{path.relative_to(REPO)}: {m.group(0)}")
    assert offenders == []
