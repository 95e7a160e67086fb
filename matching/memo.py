"""What the linker derives from one distinct value alone, computed once per value and kept.

Names have their keys (`match_name_keys`, kept by `matching.link.standardise`); this module
keeps the two other derivations of that kind (migration 0021):

- the repairs of an invalid ID text (`matching.idrepair.id_repairs`): `match_id_repairs`
  (id_number, repair_code), and every text repaired, with or without a repair, in
  `match_id_repaired`;
- the parts of an address (`matching.address.parse_address`): `match_address_parts`.

A run asks for the values it needs; the ones not met before are computed and inserted, in the
caller's transaction (a run rolled back keeps nothing), and the run reads every value through
the tables (`REPAIRS_VIEW`, `ADDRESS_VIEW`). Recomputed each run they cost 0.65 s of the
20k-household benchmark's linker on one core, the other idle; a night meets few new values.
Values no current row holds any more stay, since a value often comes back with a re-delivery
and every reader joins them to the run's own values; repairs of such ID texts are dropped once
they outnumber the texts in use (`repair_ids`). Each value is inserted once (the values to compute
are those absent, taken distinct), so a join on the value never doubles a pair.
"""

from __future__ import annotations

import pyarrow as pa

from matching.address import address_table
from matching.idrepair import id_repairs

REPAIR_VERSION = 1
"""Bump when `id_repairs` changes: repairs of other versions are ignored, then dropped."""
ADDRESS_VERSION = 1
"""Bump when `parse_address` changes."""

REPAIRS_VIEW = f"""CREATE OR REPLACE TEMP VIEW mt_row_repairs AS
SELECT tid, repair_code FROM match_id_repairs WHERE version = {REPAIR_VERSION};
CREATE OR REPLACE TEMP VIEW mt_repaired AS
SELECT id_number, tid FROM match_id_repaired WHERE version = {REPAIR_VERSION}"""
"""`mt_row_repairs(tid, repair_code)`: the valid IDs one slip from each invalid ID text, the text
by its number in `mt_repaired(id_number, tid)` (every text repaired, with or without a repair).
The repairs are read by number: at 20k households they are 3.6 M, their texts 200,000."""
ADDRESS_VIEW = f"""CREATE OR REPLACE TEMP VIEW mt_addr AS
SELECT address, parts FROM match_address_parts WHERE version = {ADDRESS_VERSION}"""
"""`mt_addr(address, parts)`: each address met, with its parts (`matching.address.PARTS`)."""
DROP_OTHER_VERSIONS = (
    f"DELETE FROM match_id_repairs WHERE version <> {REPAIR_VERSION}; "
    f"DELETE FROM match_id_repaired WHERE version <> {REPAIR_VERSION}; "
    f"DELETE FROM match_address_parts WHERE version <> {ADDRESS_VERSION}")


def _keep(run, values_sql: str, compute, insert_sql: str, label: str) -> int:
    """Compute the values `values_sql` (one column `v`, distinct) lists and insert them with
    `insert_sql`, which reads the values as `mt_memo_values(v)` and what `compute` made of them
    as `mt_memo_new`; returns how many values were new."""
    values = run.arrow(values_sql, f"{label} not met before").column(0)
    if len(values):
        run.register("mt_memo_values", pa.table({"v": values}))
        run.register("mt_memo_new", compute(values))
        try:
            run.sql(insert_sql, f"keep {label}")
        finally:
            run.con.unregister("mt_memo_new")
            run.con.unregister("mt_memo_values")
    return len(values)


STALE_SHARE = 2.0
"""Kept ID texts per text in use above which those no current row holds are dropped (`repair_ids`)."""


def repair_ids(run, ids: str) -> int:
    """Repair the invalid ID texts of `ids` (a table or query with `id_number`) not repaired
    before; returns how many were new.

    Texts only superseded rows held stay kept until they outnumber the texts in use
    `STALE_SHARE` times over: then they are dropped, so that a warehouse's years of corrected
    deliveries do not grow the repairs every run reads (18 per text)."""
    kept, in_use = run.sql(f"SELECT (SELECT count(*) FROM match_id_repaired), (SELECT count(DISTINCT id_number) "
                           f"FROM ({ids}) i)", "ID repairs kept and in use").fetchall()[0]
    if kept > STALE_SHARE * in_use + 1000:
        gone = f"SELECT id_number FROM match_id_repaired EXCEPT SELECT id_number FROM ({ids}) i"
        run.sql(f"DELETE FROM match_id_repairs WHERE tid IN (SELECT tid FROM match_id_repaired WHERE id_number IN "
                f"({gone})); "
                f"DELETE FROM match_id_repaired WHERE id_number IN ({gone})", "drop ID repairs no row holds")
    return _keep(
        run,
        f"SELECT DISTINCT id_number AS v FROM ({ids}) i WHERE id_number IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM match_id_repaired c WHERE c.id_number = i.id_number AND c.version = {REPAIR_VERSION})",
        lambda texts: id_repairs(texts, with_id=True),
        f"INSERT INTO match_id_repaired (id_number, version, tid) SELECT v, {REPAIR_VERSION}, "
        f"(SELECT coalesce(max(tid), 0) FROM match_id_repaired) + row_number() OVER () FROM mt_memo_values; "
        f"INSERT INTO match_id_repairs (tid, repair_code, version) SELECT t.tid, n.repair_code, {REPAIR_VERSION} "
        f"FROM mt_memo_new n JOIN match_id_repaired t ON t.id_number = n.id AND t.version = {REPAIR_VERSION}",
        "ID repairs")


def parse_addresses(run, addresses: str) -> int:
    """Parse the addresses `addresses` (a query of one column) lists that were not parsed
    before; returns how many were new."""
    return _keep(
        run,
        f"SELECT DISTINCT a AS v FROM ({addresses}) q(a) WHERE a IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM match_address_parts c WHERE c.address = q.a AND c.version = {ADDRESS_VERSION})",
        lambda values: address_table(values.to_pylist()),
        f"INSERT INTO match_address_parts SELECT address, parts, {ADDRESS_VERSION} FROM mt_memo_new",
        "address parts")
