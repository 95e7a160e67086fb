"""The linkage run: standardise, block, compare, fit, score, decide — as a tuple of steps.

    >>> from matching import link_work_members          # doctest: +SKIP
    >>> link_work_members(con, run_id)                   # doctest: +SKIP
    {'members': 5162, 'identities': 64311, 'candidate_pairs': 83120, 'links_auto': 74012, ...}

Every step takes the run state and sends SQL (built by the `*_sql` functions) through the
warehouse's one runner, `warehouse.sql.run_sql`. Python only touches *distinct* values
(names, invalid IDs, organisations, addresses) and the pattern counts of the EM fit.

The rows are kept folded into units and identities by the match index (`matching.index`,
brought up to date here from the batches loaded since) and read once, to write the links. Identities whose candidates all have an agreeing ID are decided whole;
the rest unit by unit, with the evidence of their organisation, account and location.
Reads `work_members` and the current source rows; writes `links`, `match_parameters` and
`match_runs`. The caller owns the transaction and deletes the links being replaced.

Answers teach the model (issue #8): every caseworker answer in force (`review_decisions_latest`,
the latest per (record, person)) about a row and a member of this run is a label — confirmed a
match, denied a non-match, undetermined nothing. The labelled rows are counted per comparison
pattern (`matching.patterns`: `labels_sql`, `patterns_sql(labels=True)`) and the EM fit takes them with a
fixed responsibility of 1 or 0 instead of its own estimate (semi-supervised EM, `em.fit`); the
unlabelled pairs of an answered pattern — the model cannot tell them from the answered ones —
have their estimate pulled toward the pattern's answers (`label_strength`), so m,
u and the prior — and with them every pair's score, not only the answered ones — move toward
what the caseworkers said, while the unlabelled pairs keep informing the fit. The thresholds
stay as set: they are a policy (how sure before counting income without a person looking), and
the labels reach the decisions through the probabilities. The answered pairs themselves are
still settled by `review.apply` after linking (confirmed stays, denied goes). A pair answered
but not proposed by blocking this time has no comparison levels and is not used. The labels
used are recorded in `match_runs.labels_match` / `labels_nonmatch` (source rows); no answers,
or `learn_from_answers=False`, gives exactly the unsupervised fit (learning is on by default;
`matching.settings` gives the measurements behind that).
"""

from __future__ import annotations

import json
import math
import sys
import time
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa

from matching import background as bg
from matching import blocking, borrowed, index, memo, pairs, rivals
from matching.comparisons import COMPARISONS, LEVEL_COLUMNS
from matching.decide import (UNIQUE_NAME_BALANCE, decisions_sql, insert_links_sql, live_units_sql, sole_names_sql,
                             unit_rivals_sql)
from matching.evidence import NAME_FREQUENCY_MIN_IDS, evidence_table_sql
from matching.idrepair import id_repairs
from matching.model import Model, build_fields, fit_model
from matching.patterns import labels_sql, patterns_sql
from matching.person_key import member_key_sql
from matching.scoring import scored_sql
from matching.settings import MatchSettings
from matching.standardise import SYNTHETIC_KEYS, name_keys_table
from warehouse.sql import WarehouseSQLError, run_sql

NAME_KEY_VERSION = 5   # 2: pinyin_alts, the readings of polyphonic characters; 3: a Latin run is one syllable;
                       # 4: hyphens and dashes between a name's parts dropped, as its dots are;
                       # 5: variant characters folded (`standardise.VARIANTS`: 𠮷 → 吉)
"""Bump when standardisation or pinyin change: cached name keys of older versions are ignored."""
TEMP_VIEWS = ("mt_units", "mt_identities", "mt_row_repairs", "mt_repaired", "mt_addr", "mt_org_keys")
TEMP_TABLES = ("mt_members", "mt_cand_id", "mt_cand", "mt_org_counts", "mt_org_tf",
               "mt_name_tf", "mt_ipairs", "mt_rows", "mt_member_kinds", "mt_sibling_ids", "mt_siblings", "mt_pairs",
               "mt_sample_cand", "mt_sample_pairs", "mt_address_sample_text", "mt_address_sample", "mt_iscored",
               "mt_rscored", "mt_rlive", "mt_ilinks", "mt_rlinks", "mt_decided", "mt_missing_rate", "mt_invalid_ids",
               "mt_label_pairs", "mt_clash", "mt_held_pairs", "mt_row_cand", "mt_id_rivals", "mt_own_ids",
               "mt_borrowed", "mt_id_names", "mt_continued", "mt_unit_rivals", "mt_sole_name")
REGISTERED = ("mt_member_repairs",)


@dataclass
class Run:
    con: duckdb.DuckDBPyConnection
    run_id: str
    settings: MatchSettings
    counts: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    statements: dict = field(default_factory=dict)
    """Seconds per SQL statement label (for the benchmark's profile)."""
    model: Model | None = None

    def sql(self, sql: str, label: str, params: list | None = None):
        started = time.perf_counter()
        out = run_sql(self.con, sql, params, label=f"matching: {label}")
        self.statements[label] = round(self.statements.get(label, 0.0) + time.perf_counter() - started, 3)
        return out

    def scalar(self, sql: str, label: str):
        return self.sql(sql, label).fetchall()[0][0]

    def arrow(self, sql: str, label: str) -> pa.Table:
        """A query's result as Arrow (through a relation: a DB-API result would copy it)."""
        started = time.perf_counter()
        try:
            out = self.con.sql(sql).to_arrow_table()
        except duckdb.Error as exc:
            raise WarehouseSQLError(f"matching: {label}", sql, exc) from exc
        self.statements[label] = round(self.statements.get(label, 0.0) + time.perf_counter() - started, 3)
        return out

    def register(self, name: str, table: pa.Table) -> None:
        self.con.register(name, table)


def standardise(run: Run) -> None:
    """Bring the match index (units, identities, the keys of their organisations) up to date; key every new name
    (simplified form, pinyin) once."""
    run.counts["index"] = index.refresh_match_index(run.con)
    run.sql(index.UNITS_VIEW, "units")
    run.sql(index.IDENTITIES_VIEW, "identities")
    run.sql(f"DELETE FROM match_name_keys WHERE version <> {NAME_KEY_VERSION}", "drop name keys of other versions")
    run.sql(memo.DROP_OTHER_VERSIONS, "drop ID repairs and address parts of other versions")
    names = run.arrow(blocking.names_to_key_sql(NAME_KEY_VERSION), "names to key").column(0).to_pylist()
    if names:
        run.register("mt_new_names", name_keys_table(names))
        run.sql("INSERT INTO match_name_keys (name, name_std, pinyin, n_chars, wildcard, pinyin_alts, version) "
                f"SELECT name, name_std, pinyin, n_chars, wildcard, pinyin_alts, {NAME_KEY_VERSION} FROM mt_new_names",
                "cache name keys")
        run.con.unregister("mt_new_names")
    run.sql(blocking.members_sql(NAME_KEY_VERSION), "members")
    run.sql(f"CREATE OR REPLACE TEMP TABLE mt_org_counts AS {pairs.org_counts_sql()}", "organisations")
    run.sql(index.ORG_KEYS_VIEW, "organisation keys")
    run.counts.update(identities=run.scalar("SELECT count(*) FROM mt_identities", "count identities"),
                      valid_ids=run.scalar("SELECT count(DISTINCT id_number) FROM mt_identities WHERE NOT invalid",
                                           "distinct IDs"),
                      members=run.scalar("SELECT count(*) FROM mt_members", "count members"),
                      new_names=len(names))


def block(run: Run) -> None:
    """Candidate identity pairs (union of rules) and their identity-level comparisons."""
    run.sql(blocking.invalid_ids_sql(), "invalid IDs")
    run.counts["new_invalid_ids"] = memo.repair_ids(run, "SELECT id_number FROM mt_invalid_ids")
    run.sql(memo.REPAIRS_VIEW, "ID repairs")
    mine = run.arrow(blocking.member_invalid_ids_sql(), "member invalid IDs").column(0)
    run.register("mt_member_repairs", id_repairs(mine, text=True, with_id=True))
    run.sql(blocking.candidates_by_id_sql(), "candidates by ID")
    run.sql(pairs.id_names_sql(NAME_KEY_VERSION), "names of valid IDs")
    run.sql(pairs.name_tf_sql(), "name frequencies")
    run.sql(borrowed.borrowed_sql(SYNTHETIC_KEYS), "members' names on another person's ID")
    run.sql(rivals.id_rivals_sql(NAME_KEY_VERSION), "ID slips another person's ID explains")
    run.sql(rivals.continued_sql(NAME_KEY_VERSION, SYNTHETIC_KEYS), "the member's ID on a job another person's ID holds in other months")
    run.sql(blocking.candidates_sql(NAME_KEY_VERSION, SYNTHETIC_KEYS), "candidates")
    run.sql(pairs.org_tf_sql(SYNTHETIC_KEYS), "organisation frequencies")
    run.sql(pairs.identity_pairs_sql(NAME_KEY_VERSION, valid_ids=run.counts["valid_ids"]), "identity pairs")


def compare(run: Run) -> None:
    """Rows of the row track with their own evidence: organisation and address."""
    run.sql(blocking.row_units_sql(NAME_KEY_VERSION), "row-track units")
    run.sql(pairs.member_kinds_sql(), "member rows per source")
    run.sql(pairs.own_ids_sql(), "the IDs members' own rows carry")
    run.sql(pairs.siblings_sql(NAME_KEY_VERSION), "same-name rows at the same organisation")
    run.sql(pairs.held_pairs_sql(), "members with rows at the row's organisation")
    run.sql(pairs.clash_sql(SYNTHETIC_KEYS), "rows in a month the member already has")
    run.counts["new_addresses"] = memo.parse_addresses(run, pairs.address_strings_sql())
    run.sql(memo.ADDRESS_VIEW, "addresses")
    run.sql(pairs.row_candidates_sql(max(pairs.NAME_ONLY_MAX_U, 2.5 / max(run.counts["valid_ids"], 1))),
            "row candidates")
    run.sql(pairs.row_pairs_sql(SYNTHETIC_KEYS), "row pairs")
    run.counts["candidate_pairs"] = int(run.scalar(
        "SELECT (SELECT coalesce(sum(s_rows), 0) FROM mt_ipairs WHERE track = 'identity') + "
        "(SELECT count(*) FROM mt_pairs)", "count pairs"))


def _field_counts(run: Run, sql: str, label: str) -> dict[str, dict[str, tuple[float, float]]]:
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for f, level, w, units in run.sql(sql, label).fetchall():
        out.setdefault(f, {})[level] = (float(w or 0.0), float(units or 0.0))
    return out


def _has_answers(run: Run) -> bool:
    """Whether the warehouse holds any confirmed or denied answer (and the review views)."""
    if not run.scalar("SELECT count(*) FROM duckdb_views() WHERE view_name = 'review_decisions_latest'",
                      "review views"):
        return False
    return bool(run.scalar("SELECT count(*) FROM (SELECT 1 FROM review_decision_log "
                           "WHERE decision IN ('confirmed', 'denied') LIMIT 1)", "any answers"))


SMALL_RUN_MEMBERS = 500
"""A run with fewer members (an inbox drop of a few households, an incremental night) learns m
and the prior from few pairs: it takes them from the latest run with at least this many, or ten
times its own and `EARLIER_FIT_MIN_MEMBERS` (a small province's full nightly) (`_earlier_fit`)."""
EARLIER_FIT_MIN_MEMBERS = 100
EARLIER_FIT_STRENGTH = 2000.0
"""Pseudo-matches the earlier fit's m counts for in a small run's EM (its own pairs: a few hundred)."""


def _earlier_fit(run: Run) -> tuple[str, dict, float | None] | None:
    """(run_id, field -> level -> m, prior) of the latest run with `SMALL_RUN_MEMBERS`+ members,
    for a smaller run.

    m is estimated from the run's own candidate pairs. Three households give a few hundred: the
    same household, on the same data, came out `review` at 0.998 in an inbox drop of 3 and `auto`
    in the nightly of 2,000 (a probe asked why the same request gave different advice). The
    nightly's m, as the prior of the drop's EM, makes the drop agree with it unless its own pairs
    say otherwise; without such a run the level defaults are the prior, as before.

    The prior (the share of row x member pairs that match) is a property of the warehouse, about
    how many rows a person has among all rows, not of which households a run links: it is taken
    as it is. Estimated from ten members, it came out at half the nightly's (1.6e-4 against 3.4e-4
    in a review probe), and an ID-less row the full run asked about (a review link) was not even
    proposed by the incremental nightly that linked that new household."""
    if run.counts["members"] >= SMALL_RUN_MEMBERS:
        return None
    enough = min(SMALL_RUN_MEMBERS, max(EARLIER_FIT_MIN_MEMBERS, 10 * run.counts["members"]))
    latest = run.con.execute("SELECT run_id, prior FROM match_runs WHERE members >= ? ORDER BY linked_at DESC LIMIT 1",
                             [enough]).fetchall()
    if not latest:
        return None
    m: dict = {}
    for f, level, value in run.con.execute("SELECT field, level, m FROM match_parameters WHERE run_id = ?",
                                           [latest[0][0]]).fetchall():
        m.setdefault(f, {})[level] = value
    return (latest[0][0], m, latest[0][1]) if m else None


def estimate(run: Run) -> None:
    """u from the background (samples and exact counts), then m, u and the prior by EM — with
    the caseworkers' answers in force as labels (see the module docstring)."""
    s = run.settings
    run.sql(bg.sample_cand_sql(s.sample_identities, s.seed), "sample pairs")
    run.sql(pairs.identity_pairs_sql(NAME_KEY_VERSION, "mt_sample_cand", "mt_sample_pairs", gated=False,
                                     valid_ids=run.counts["valid_ids"]),
            "sample levels")
    sample = _field_counts(run, bg.sample_rates_sql(), "sample rates")
    sample.update(_field_counts(run, bg.org_rates_sql(), "organisation rates"))
    run.sql(f"CREATE OR REPLACE TEMP TABLE mt_address_sample_text AS "
            f"{bg.address_sample_sql(s.sample_properties, s.seed)}", "address sample")
    memo.parse_addresses(run, "SELECT location FROM mt_address_sample_text UNION ALL "
                              "SELECT m_address FROM mt_address_sample_text")
    run.sql("CREATE OR REPLACE TEMP TABLE mt_address_sample AS SELECT a.parts AS s_addr, b.parts AS m_addr "
            "FROM mt_address_sample_text t JOIN mt_addr a ON a.address = t.location "
            "JOIN mt_addr b ON b.address = t.m_address", "address pairs")
    sample.update(_field_counts(run, bg.address_rates_sql(), "address rates"))
    totals = run.sql(bg.name_totals_sql(NAME_KEY_VERSION), "name totals").fetchall()[0]
    level_cols = [LEVEL_COLUMNS[c.field] for c in COMPARISONS]
    labels = s.learn_from_answers and _has_answers(run)
    if labels:
        run.sql(labels_sql(member_key_sql("w")), "labelled pairs")
    patterns = run.sql(patterns_sql(level_cols, labels=labels), "patterns").df()
    run.counts.update(labels_match=int(patterns["label_match"].sum()) if labels else 0,
                      labels_nonmatch=int(patterns["label_nonmatch"].sum()) if labels else 0)
    cand = {c.field: patterns.groupby(LEVEL_COLUMNS[c.field])["n"].sum().to_dict() for c in COMPARISONS}
    address_total = run.scalar(bg.address_exact_total_sql(), "address totals")
    n_rows = run.scalar("SELECT sum(n) FROM mt_identities", "source rows")
    n_total = float(n_rows) * float(run.counts["members"])
    totals = {"exact": float(totals[0]), "pinyin": float(totals[1]), "address": float(address_total)}
    fields = build_fields(sample, cand, totals, n_total, float(run.counts["candidate_pairs"]))
    prior_strength = s.prior_strength
    earlier = _earlier_fit(run)
    prior_fixed = None
    if earlier:
        run_id, m, prior_fixed = earlier
        for f in fields:
            if all(lv in m.get(f.name, {}) for lv in f.levels):
                f.m0 = np.array([m[f.name][lv] for lv in f.levels])
        prior_strength = EARLIER_FIT_STRENGTH
        run.counts["m_prior_from"] = run_id
    run.model = fit_model(patterns, fields, n_total, prior_strength=prior_strength,
                          max_iterations=s.em_max_iterations, tolerance=s.em_tolerance,
                          label_strength=s.label_strength, prior_fixed=prior_fixed)
    run.counts.update(source_rows=int(n_rows), patterns=len(patterns), prior=run.model.prior,
                      em_iterations=run.model.fit.iterations, em_converged=run.model.fit.converged)


def decide(run: Run) -> None:
    """Score every pair, decide per identity or row and request, write links and parameters."""
    s, model = run.settings, run.model
    prior_bits = math.log2(model.prior / (1 - model.prior))
    run.sql(scored_sql(model.params, model.prior, "(SELECT * FROM mt_ipairs WHERE track = 'identity')",
                       "mt_iscored"), "identity scores")
    run.sql(scored_sql(model.params, model.prior, "mt_pairs", "mt_rscored"), "row scores")
    run.sql(decisions_sql("mt_iscored", ("iid",), "mt_ilinks", s.threshold_auto, s.threshold_review),
            "identity decisions")
    run.sql(sole_names_sql("mt_rscored", NAME_KEY_VERSION, run.counts["valid_ids"]),
            "balances under a name nobody else bears")
    run.sql(live_units_sql("mt_rscored", "mt_rlive", s.threshold_review), "units that could link")
    run.sql(unit_rivals_sql(), "rivals by unit")
    run.sql(decisions_sql("mt_rlive", ("uid",), "mt_rlinks", s.threshold_auto, s.threshold_review, "mt_unit_rivals",
                          UNIQUE_NAME_BALANCE),
            "unit decisions")
    m, u = model.params["id_number"]["legacy_equal"]
    run.sql(evidence_table_sql(prior_bits, math.log2(m / u),
                               name_frequencies=run.counts["valid_ids"] >= NAME_FREQUENCY_MIN_IDS), "evidence")
    run.sql(insert_links_sql(run.run_id), "insert links")
    run.con.executemany("INSERT INTO match_parameters VALUES (?, ?, ?, ?, ?, ?, ?, ?)", model.rows(run.run_id))
    for decision, n in run.sql("SELECT decision, count(*) FROM links WHERE run_id = ? GROUP BY 1", "link counts",
                               [run.run_id]).fetchall():
        run.counts[f"links_{decision}"] = n


STEPS = (standardise, block, compare, estimate, decide)
ORDER_FREE_FROM = block
"""From this step on, no statement's result depends on the order of its input's rows (ties are
broken by explicit keys: `decide._RANK`, the structs of every `arg_max`), so DuckDB may write
the working tables on every thread without keeping their order (`preserve_insertion_order`):
0.2 s of the 20k-household benchmark's 5 s, the links identical run after run. The index
refresh before it keeps the order: it numbers new units and identities by row_number()."""


def link_work_members(con: duckdb.DuckDBPyConnection, run_id: str,
                      settings: MatchSettings | dict | None = None, *, keep_tables: bool = False) -> dict:
    """Link the current source rows to the consenting members of `work_members`.

    Args:
        con: The warehouse connection (a transaction may be open: nothing here commits).
        run_id: Stamped on links, parameters and the run summary.
        settings: `MatchSettings` or a dict of them; defaults otherwise.
        keep_tables: Keep the working tables (`mt_*`) for inspection (the benchmark does).

    Returns:
        Counts: members, identities, candidate_pairs, links_auto, links_review, prior …
    """
    settings = settings if isinstance(settings, MatchSettings) else MatchSettings.from_path_or_dict(settings)
    run = Run(con, run_id, settings, counts={"links_auto": 0, "links_review": 0})
    started = time.perf_counter()
    ordered = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    try:
        if con.execute("SELECT count(*) FROM work_members WHERE consent").fetchall()[0][0] == 0:
            return run.counts
        if con.execute("SELECT count(*) FROM (SELECT 1 FROM match_source_rows LIMIT 1)").fetchall()[0][0] == 0:
            return run.counts
        for step in STEPS:
            t = time.perf_counter()
            if step is ORDER_FREE_FROM:
                con.execute("SET preserve_insertion_order = false")
            step(run)
            run.timings[step.__name__] = round(time.perf_counter() - t, 3)
        blocking_counts = dict(zip(("identity_pairs", "row_pairs", *blocking.RULES.values()),
                                   run.sql(blocking.blocking_counts_sql(), "blocking counts").fetchall()[0]))
        run.counts["seconds"] = round(time.perf_counter() - started, 3)
        run.sql("INSERT INTO match_runs VALUES (?, now(), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "run summary", [
            run_id, run.counts["source_rows"], run.counts["members"], run.counts["identities"],
            run.counts["candidate_pairs"], json.dumps({k: int(v or 0) for k, v in blocking_counts.items()}),
            run.counts["prior"], run.counts["em_iterations"], run.counts["em_converged"], settings.threshold_auto,
            settings.threshold_review, run.counts["links_auto"], run.counts["links_review"], run.counts["seconds"],
            settings.to_json(), run.counts["labels_match"], run.counts["labels_nonmatch"]])
        run.counts["timings"] = run.timings
        run.counts["statements"] = run.statements
        return run.counts
    finally:
        # after a failed statement the transaction is aborted and refuses these: the failure is the
        # error to see (a probe's "INTERNAL Error" in row pairs surfaced as "transaction is aborted")
        failing = sys.exc_info()[0] is not None
        cleanup = [f"SET preserve_insertion_order = {'true' if ordered else 'false'}"]
        if not keep_tables:
            cleanup += [f"DROP TABLE IF EXISTS {name}" for name in TEMP_TABLES]
            cleanup += [f"DROP VIEW IF EXISTS {name}" for name in TEMP_VIEWS]
        for statement in cleanup:
            try:
                con.execute(statement)
            except duckdb.Error:
                if not failing:
                    raise
        for name in REGISTERED:
            try:
                con.unregister(name)
            except Exception:  # noqa: BLE001 - never registered in this run
                pass
