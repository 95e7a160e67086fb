"""The match index: the current source rows folded into units and identities, kept in the
warehouse (`match_units`, `match_identities`) and brought up to date batch by batch.

The linker compares *units* (the rows of one source agreeing on name, ID text, organisation,
account and location) and *identities* (one name and ID text across sources), never rows: at
20,000 households 6.7 million rows fold into 1.4 million units and 630,000 identities. Folding
them was a full pass over every row on every link run — 1.7 s of the nightly's 6.7 s linker,
and most of an inbox drop of three households. The fold is a sum, so it can be kept: a
refresh adds the current rows of the batches loaded since and subtracts the rows those batches
superseded (a corrected re-delivery of a record_id), touching only those rows.
`match_index_batches` lists the batches folded in; a batch is folded once, in the transaction
that records it, so a refresh killed midway leaves the index as it was.

The index is rebuilt from every row when `INDEX_VERSION` changes (what a unit is, or how
`match_source_versions` reads a row); `rebuild_match_index` does the same on demand. The
linker refreshes it before reading it (`refresh_match_index`: cheap when no batch is pending), so a link never sees a stale index;
the pass refreshes it in its own transaction first, so the nightly's link transaction finds
it current. `tests/test_match_index.py` pins that any order of loads and re-deliveries leaves
the index equal to a fold of the current rows.
"""

from __future__ import annotations

import time

import duckdb

from matching.blocking import SOURCES, place_sql, s_org_sql
from matching.idrepair import ID_CODE_SQL
from matching.standardise import org_keys_table
from warehouse.sql import run_sql

INDEX_VERSION = 10
"""Bump when a unit's key, `match_source_versions`, or what a unit keeps of its organisation
(`matching.standardise.org_keys_table`, `blocking.s_org_sql`, `blocking.place_sql`) changes: the
index is rebuilt. (2: `match_rows`, the unit of every current row, migration 0020;
3: `match_units.iid`, 0022; 4: `match_identities.body` and `code`, 0023; 5: `match_units.s_org`
and `place`, `match_org_keys`, 0029; 6: an ID a spreadsheet shortened reads as its digits, 0033;
7: `match_rows.amount`, 0034; 8: 省/市 after an organisation's leading place folded; 9: not a brand's 超市 or 都市; 10: nor 城市 after three characters.)"""
BODY_SQL = "CASE WHEN length({col}) = 18 THEN TRY_CAST(left({col}, 17) AS BIGINT) END"
"""SQL: the first 17 digits of an 18-character ID text as an integer (NULL when they are not digits)."""
UNIT_KEY = ("source", "name", "id_number", "organisation", "account_number", "location")
IDENTITY_KEY = ("name", "id_number")
_COUNTS = ("n", "n_legacy", "n_invalid")
INDEX_TABLES = ("match_units", "match_identities", "match_rows", "match_index_batches", "match_org_keys")


def _batches_sql() -> str:
    return " UNION ".join(f"SELECT DISTINCT batch_id FROM {s}_all" for s in SOURCES)


def pending_batches(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Loaded source batches not yet folded into the index (all of them after a version change)."""
    stale = con.execute("SELECT count(*) FROM match_index_batches WHERE version <> ?", [INDEX_VERSION]).fetchall()
    if stale[0][0]:
        return [r[0] for r in con.execute(_batches_sql()).fetchall()]
    return [r[0] for r in con.execute(
        f"SELECT batch_id FROM ({_batches_sql()}) ANTI JOIN match_index_batches USING (batch_id) ORDER BY 1"
    ).fetchall()]


def _delta_sql() -> str:
    """`mi_delta`: per unit key, the rows the pending batches (`mi_new`) add and take away."""
    keys = ", ".join(UNIT_KEY)
    return f"""
CREATE OR REPLACE TEMP TABLE mi_delta AS
SELECT {keys}, sum(sign) AS n,
       coalesce(sum(sign) FILTER (WHERE id_status = 'repaired'), 0) AS n_legacy,
       coalesce(sum(sign) FILTER (WHERE id_status = 'invalid' AND id_number IS NOT NULL), 0) AS n_invalid
FROM (
    SELECT {keys}, id_status, 1 AS sign FROM match_source_versions
    WHERE superseded_by IS NULL AND batch_id IN (SELECT batch_id FROM mi_new)
    UNION ALL
    SELECT {keys}, id_status, -1 FROM match_source_versions                    -- superseded by a new batch
    WHERE superseded_by IN (SELECT batch_id FROM mi_new) AND batch_id NOT IN (SELECT batch_id FROM mi_new)
)
GROUP BY ALL
HAVING sum(sign) <> 0 OR n_legacy <> 0 OR n_invalid <> 0
"""


def _identity_delta_sql() -> str:
    per_source = ", ".join(f"coalesce(sum(n) FILTER (WHERE source = '{s}'), 0) AS n_{s}" for s in SOURCES)
    return f"""
CREATE OR REPLACE TEMP TABLE mi_idelta AS
SELECT name, id_number, sum(n) AS n, sum(n_legacy) AS n_legacy, sum(n_invalid) AS n_invalid, {per_source}
FROM mi_delta GROUP BY name, id_number
"""


IDENTITY_CODES = (("body", BODY_SQL.format(col="d.id_number")), ("code", ID_CODE_SQL.format(col="d.id_number")))
"""What a new identity keeps of its ID text as integers (migration 0023)."""
UNIT_PLACES = (("s_org", s_org_sql("d", "o")), ("place", place_sql("d", "o")))
"""What a new unit keeps of where its rows are (migration 0029), `o` its organisation's keys."""
ORG_KEYS_JOIN = "LEFT JOIN match_org_keys o ON o.org = d.organisation"


def _key_new_organisations(con: duckdb.DuckDBPyConnection) -> int:
    """Key the organisations of `mi_delta` not keyed before (`match_org_keys`); returns how many.
    A name's keys stay while the index version does: names are few (1,826 at 20k households)."""
    orgs = con.execute("SELECT DISTINCT organisation FROM mi_delta WHERE organisation IS NOT NULL "
                       "AND organisation NOT IN (SELECT org FROM match_org_keys) ORDER BY 1").fetchall()
    if orgs:
        con.register("mi_org_keys", org_keys_table([o for o, in orgs]))
        try:
            run_sql(con, "INSERT INTO match_org_keys SELECT org, org_norm, bank_norm FROM mi_org_keys",
                    label="match index: organisation keys")
        finally:
            con.unregister("mi_org_keys")
    return len(orgs)


def _merge_sql(table: str, delta: str, id_col: str, key: tuple[str, ...], counts: tuple[str, ...],
               identity: bool = False, computed: tuple[tuple[str, str], ...] = (), joins: str = "") -> str:
    """Add `delta` into `table`: counts of known keys, new keys numbered on from the largest id,
    keys left with no rows removed. `identity`: new units learn their identity's iid (the
    identities merged first). A unit keeps it: an identity's rows are its units' rows, so it
    leaves the index only with the last of them, and comes back (the same name and ID delivered
    again) with new units and a new iid. `computed`: (column, SQL over the delta row `d`) that a
    new key keeps; `joins` what it reads beside the delta row."""
    same = " AND ".join(f"t.{k} IS NOT DISTINCT FROM d.{k}" for k in key)
    cols = ", ".join((*key, *counts))
    extra = "".join(f", {c}" for c, _ in computed)
    values = "".join(f", {sql}" for _, sql in computed)
    join = ""
    if identity:
        extra, values = extra + ", iid", values + ", i.iid"
        join = ("JOIN (SELECT iid, name AS i_name, id_number AS i_id FROM match_identities) i "
                "ON i.i_name = d.name AND i.i_id IS NOT DISTINCT FROM d.id_number")
    return f"""
UPDATE {table} t SET {", ".join(f"{c} = t.{c} + d.{c}" for c in counts)} FROM {delta} d WHERE {same};
INSERT INTO {table} ({id_col}, {cols}{extra})
SELECT (SELECT coalesce(max({id_col}), 0) FROM {table}) + row_number() OVER (), {cols}{values}
FROM {delta} d {join} {joins} WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {same});
DELETE FROM {table} WHERE n <= 0;
"""


def _rows_sql() -> str:
    """`match_rows` follows the fold: the rows the pending batches superseded leave it, their
    current rows join it with the unit they folded into (after the units' merge, which numbered
    the new units). A record_id is current once per source, so (source, record_id) names a row."""
    same = " AND ".join(f"u.{k} IS NOT DISTINCT FROM v.{k}" for k in UNIT_KEY)
    return f"""
DELETE FROM match_rows USING (
    SELECT source, record_id FROM match_source_versions
    WHERE superseded_by IN (SELECT batch_id FROM mi_new) AND batch_id NOT IN (SELECT batch_id FROM mi_new)
) s WHERE match_rows.source = s.source AND match_rows.record_id = s.record_id;
INSERT INTO match_rows
SELECT v.source, v.record_id, u.uid, coalesce(v.id_status = 'repaired', FALSE), v.slot, v.period, v.amount
FROM match_source_versions v JOIN match_units u ON {same}
WHERE v.superseded_by IS NULL AND v.batch_id IN (SELECT batch_id FROM mi_new);
"""


def refresh_match_index(con: duckdb.DuckDBPyConnection, batches: list[str] | None = None) -> dict:
    """Fold the pending batches (or the given ones) into the index, in the caller's transaction.

    Returns the batches folded, the unit keys they changed and the seconds taken."""
    started = time.perf_counter()
    if con.execute("SELECT count(*) FROM match_index_batches WHERE version <> ?", [INDEX_VERSION]).fetchall()[0][0]:
        for table in INDEX_TABLES:
            run_sql(con, f"DELETE FROM {table}", label=f"match index: clear {table}")
    batches = pending_batches(con) if batches is None else batches
    if not batches:
        return {"batches": 0, "unit_keys": 0, "seconds": round(time.perf_counter() - started, 3)}
    con.execute("CREATE OR REPLACE TEMP TABLE mi_new (batch_id VARCHAR)")
    con.executemany("INSERT INTO mi_new VALUES (?)", [[b] for b in batches])
    try:
        run_sql(con, _delta_sql(), label="match index: rows added and superseded")
        run_sql(con, _identity_delta_sql(), label="match index: identities changed")
        run_sql(con, _merge_sql("match_identities", "mi_idelta", "iid", IDENTITY_KEY,
                                _COUNTS + tuple(f"n_{s}" for s in SOURCES), computed=IDENTITY_CODES),
                label="match index: identities")
        _key_new_organisations(con)
        run_sql(con, _merge_sql("match_units", "mi_delta", "uid", UNIT_KEY, _COUNTS, identity=True,
                                computed=UNIT_PLACES, joins=ORG_KEYS_JOIN), label="match index: units")
        run_sql(con, _rows_sql(), label="match index: rows")
        run_sql(con, "INSERT INTO match_index_batches SELECT batch_id, ?, now() FROM mi_new",
                [INDEX_VERSION], label="match index: batches folded")
        changed = con.execute("SELECT count(*) FROM mi_delta").fetchall()[0][0]
    finally:
        for name in ("mi_new", "mi_delta", "mi_idelta"):
            con.execute(f"DROP TABLE IF EXISTS {name}")
    return {"batches": len(batches), "unit_keys": int(changed), "seconds": round(time.perf_counter() - started, 3)}


def rebuild_match_index(con: duckdb.DuckDBPyConnection) -> dict:
    """Fold every batch anew (in the caller's transaction)."""
    for table in INDEX_TABLES:
        run_sql(con, f"DELETE FROM {table}", label=f"match index: clear {table}")
    return refresh_match_index(con)


UNITS_VIEW = """
CREATE OR REPLACE TEMP VIEW mt_units AS
SELECT uid, iid, source, name, id_number, organisation, account_number, location, n, n_legacy,
       n_invalid > 0 AS invalid, s_org, place
FROM match_units
"""
IDENTITIES_VIEW = f"""
CREATE OR REPLACE TEMP VIEW mt_identities AS
SELECT iid, name, id_number, n, n_legacy, n_invalid > 0 AS invalid, {", ".join(f"n_{s}" for s in SOURCES)}, body, code
FROM match_identities
"""
ORG_KEYS_VIEW = """
CREATE OR REPLACE TEMP VIEW mt_org_keys AS SELECT org, org_norm, bank_norm FROM match_org_keys
"""
