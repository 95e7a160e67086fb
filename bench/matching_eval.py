"""Accuracy of the links of one linkage run against a generated province's truth.

Used by `bench/matching.py` and by the accuracy test. The truth says who owns every source
row (`source_rows.parquet`: person_key, noise kinds) and who every member of a request is
(`members.parquet`). A *true link* is (row, request, member) where the row's owner is a
consenting member of that request in the work set.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

SOURCES = ("tax", "social_insurance", "bank", "property", "vehicle")
NOISE_KINDS = ("clean", "missing", "legacy", "wrong_digit", "swap", "relative_id", "lowercase_x", "fullwidth",
               "spaces", "homophone", "traditional", "stray_space", "gbk_lost")


def load_truth(con: duckdb.DuckDBPyConnection, truth_dir: Path) -> None:
    """Truth tables as temp tables `t_rows`, `t_persons` and `t_members`: the consenting members,
    of the work set when `work_members` exists (a pass in progress), else of every request."""
    rows = pd.read_parquet(Path(truth_dir) / "source_rows.parquet", columns=["source", "record_id", "person_key", "noise"])
    members = pd.read_parquet(Path(truth_dir) / "members.parquet",
                              columns=["request_id", "household_id", "member_no", "person_key", "consent", "name"])
    persons = pd.read_parquet(Path(truth_dir) / "persons.parquet",
                              columns=["person_key", "name", "birth_date", "is_applicant"])
    con.register("t_rows_df", rows)
    con.register("t_members_df", members)
    con.register("t_persons_df", persons)
    con.execute("CREATE OR REPLACE TEMP TABLE t_rows AS SELECT * FROM t_rows_df")
    has_work = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'work_members'").fetchall()[0][0]
    if has_work:
        con.execute("""CREATE OR REPLACE TEMP TABLE t_members AS
                       SELECT t.* FROM t_members_df t JOIN work_members w USING (request_id, household_id, member_no)
                       WHERE w.consent""")
    else:
        con.execute("CREATE OR REPLACE TEMP TABLE t_members AS SELECT * FROM t_members_df WHERE consent")
    con.execute("CREATE OR REPLACE TEMP TABLE t_persons AS SELECT * FROM t_persons_df")
    for name in ("t_rows_df", "t_members_df", "t_persons_df"):
        con.unregister(name)


def evaluate(con: duckdb.DuckDBPyConnection, run_id: str) -> dict:
    """Precision / recall per source, recall by noise kind, namesake false links, blocking recall."""
    con.execute(f"""
CREATE OR REPLACE TEMP TABLE t_true AS
SELECT r.source, r.record_id, r.noise, m.request_id, m.household_id, m.member_no
FROM t_rows r JOIN t_members m USING (person_key)""")
    con.execute(f"""
CREATE OR REPLACE TEMP TABLE t_links AS
SELECT l.*, (t.record_id IS NOT NULL) AS correct
FROM links l LEFT JOIN t_true t USING (source, record_id, request_id, household_id, member_no)
WHERE l.run_id = '{run_id}'""")
    per_source = con.execute("""
WITH truth AS (SELECT source, count(*) AS n_true, count(*) FILTER (noise NOT LIKE '%missing%') AS n_true_id
               FROM t_true GROUP BY 1),
hits AS (SELECT source,
            count(*) FILTER (decision = 'auto') AS auto_links,
            count(*) FILTER (decision = 'auto' AND correct) AS auto_ok,
            count(*) AS all_links, count(*) FILTER (correct) AS all_ok
         FROM t_links GROUP BY 1)
SELECT source, n_true, auto_links, auto_ok / nullif(auto_links, 0) AS auto_precision, auto_ok / n_true AS auto_recall,
       all_links, all_ok / nullif(all_links, 0) AS all_precision, all_ok / n_true AS all_recall
FROM truth LEFT JOIN hits USING (source) ORDER BY source""").df()
    for kind in ("auto", "all"):
        p, r = per_source[f"{kind}_precision"], per_source[f"{kind}_recall"]
        per_source[f"{kind}_f1"] = 2 * p * r / (p + r)
    by_noise = con.execute("""
WITH t AS (SELECT t.*, l.decision, coalesce(l.correct, FALSE) AS hit FROM t_true t
           LEFT JOIN t_links l USING (source, record_id, request_id, household_id, member_no)),
k AS (SELECT unnest(CASE WHEN noise = '' THEN ['clean'] ELSE string_split(noise, ',') END) AS kind, decision, hit
      FROM t)
SELECT kind, count(*) AS rows, avg((hit AND decision = 'auto')::INT) AS auto_recall, avg(hit::INT) AS all_recall
FROM k GROUP BY 1 ORDER BY rows DESC""").df()
    with_id = con.execute("""
SELECT avg((l.correct IS NOT NULL AND l.correct)::INT) FILTER (t.noise NOT LIKE '%missing%') AS recall_with_id,
       avg((l.correct IS NOT NULL AND l.correct)::INT) FILTER (t.noise LIKE '%missing%') AS recall_without_id
FROM t_true t LEFT JOIN t_links l USING (source, record_id, request_id, household_id, member_no)""").fetchall()[0]
    namesake = con.execute("""
WITH names AS (SELECT DISTINCT p.name, year(p.birth_date) AS y FROM t_members m JOIN t_persons p USING (person_key)),
others AS (SELECT p.person_key, p.name, year(p.birth_date) AS y FROM t_persons p
           WHERE NOT p.is_applicant AND p.name IN (SELECT name FROM names)),
r AS (SELECT r.source, r.record_id, o.name, o.y IN (SELECT y FROM names n WHERE n.name = o.name) AS same_year
      FROM t_rows r JOIN others o USING (person_key))
SELECT count(*) AS rows, count(l.record_id) AS linked,
       count(*) FILTER (same_year) AS rows_same_year, count(l.record_id) FILTER (same_year) AS linked_same_year,
       count(l.record_id) FILTER (l.decision = 'auto') AS linked_auto
FROM r LEFT JOIN (SELECT DISTINCT source, record_id, decision FROM t_links) l USING (source, record_id)""").fetchall()[0]
    out = {"per_source": per_source, "by_noise": by_noise, "recall_with_id": with_id[0],
           "recall_without_id": with_id[1],
           "namesake": {"rows": namesake[0], "linked": namesake[1], "rate": namesake[1] / max(namesake[0], 1),
                        "rows_same_year": namesake[2], "linked_same_year": namesake[3],
                        "rate_same_year": namesake[3] / max(namesake[2], 1), "linked_auto": namesake[4]}}
    if con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'mt_pairs'").fetchall()[0][0]:
        out["blocking_recall"] = con.execute("""
WITH tr AS (
    SELECT t.source, t.record_id, t.noise, u.uid, i.iid, m.mid FROM t_true t
    JOIN match_source_rows r USING (source, record_id)
    JOIN mt_units u ON u.source = r.source AND u.name = r.name AND u.id_number IS NOT DISTINCT FROM r.id_number
         AND u.organisation IS NOT DISTINCT FROM r.organisation
         AND u.location IS NOT DISTINCT FROM r.location AND u.account_number IS NOT DISTINCT FROM r.account_number
    JOIN mt_identities i ON i.name = r.name AND i.id_number IS NOT DISTINCT FROM r.id_number
    JOIN mt_members m USING (request_id, household_id, member_no)
), found AS (
    SELECT tr.*, (ip.iid IS NOT NULL OR rp.mid IS NOT NULL) AS hit FROM tr
    LEFT JOIN (SELECT iid, mid FROM mt_ipairs WHERE track = 'identity') ip USING (iid, mid)
    LEFT JOIN (SELECT uid, mid FROM mt_pairs) rp USING (uid, mid)
)
SELECT avg(hit::INT) AS recall, avg(hit::INT) FILTER (noise NOT LIKE '%missing%') AS recall_with_id,
       avg(hit::INT) FILTER (noise LIKE '%missing%') AS recall_without_id FROM found""").df().iloc[0].to_dict()
    return out
