"""A department's re-export of payments it delivered before, under new record_ids: which income
rows repeat a row of another file (`repeated_deliveries`), so that each payment counts once."""

from __future__ import annotations

from collections import defaultdict


def repeated_deliveries(records: list[dict]) -> dict[int, dict]:
    """Income records that repeat a row of another delivery (id(record) -> the row kept).

    A department's full re-export hands out new record_ids for the same payments: a row equal in
    member, source, month, item, payer and amount to one of a file that shares at least two such
    payments of the member's with it is that payment again. Per payment the file with the most
    counted, then most rows of it is kept (two equal payments in one export are two), the other
    files' rows are repeats (a month-of-life probe's tax re-export counted every wage twice and failed
    28 households). One payment alike is no re-export: a supplementary return's second fee of the
    same amount, a back-pay row (an adversarial probe's two wrong passes)."""
    from assessment.figures import COUNTED_DECISIONS, exact   # (figures reads this module)

    groups: dict = defaultdict(lambda: defaultdict(list))
    for r in records:   # rows waiting for review too: what confirming adds counts each payment once
        if r["kind"] in ("tax_income", "benefit") and r["decision"] in (*COUNTED_DECISIONS, "review"):
            groups[(r["member_no"], r["source"], r["period"], r["item"], r.get("payer"), r.get("insurance_type"),
                    exact(r["amount"]))][r.get("file")].append(r)
    shared: dict = defaultdict(int)   # (member, file, file) -> payments the two files both hold
    for key, by_file in groups.items():
        for a, b in ((a, b) for a in by_file for b in by_file if a != b):
            shared[(key[0], a, b)] += min(len(by_file[a]), len(by_file[b]))
    out: dict[int, dict] = {}
    for key, by_file in ((k, g) for k, g in groups.items() if len(g) > 1):
        (kept_file, kept), *others = sorted(by_file.items(), key=lambda fr: (
            -sum(r["decision"] in COUNTED_DECISIONS for r in fr[1]), -len(fr[1]), str(fr[0])))
        for file, rows in others:
            if shared[(key[0], kept_file, file)] >= 2:
                out.update({id(r): kept[min(i, len(kept) - 1)] for i, r in enumerate(rows)})
    return out

