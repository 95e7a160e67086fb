"""Match weights of every candidate pair, from the fitted parameters, as SQL.

A pair's total is the prior's log-odds plus one weight per compared field (log2 m/u of its
level; a term-frequency level uses the value's own frequency for u), so

    total = log2(prior / (1 - prior)) + sum of field weights,   probability = 1 / (1 + 2^-total).

The parameters enter the SQL as constants (a CASE per field): no join, no Python per pair.

Example:
    >>> params = {"name": {"exact": (0.9, 0.001), "different": (0.1, 0.999)}}
    >>> "log2(0.9 / greatest(tf_name_u" in weight_case_sql("name", params["name"], (("exact", "tf_name_u"),))
    True
"""

from __future__ import annotations

import math

from matching.comparisons import COMPARISONS, LEVEL_COLUMNS

WEIGHT_COLUMNS = {c.field: f"w_{LEVEL_COLUMNS[c.field][3:]}" for c in COMPARISONS}


def weight_case_sql(field: str, levels: dict[str, tuple[float, float]],
                    tf_columns: tuple[tuple[str, str], ...] = ()) -> str:
    """CASE giving a field's weight (bits) from its level column; 0 for null / uncompared levels.

    A term-frequency level's u is the pair's own value of its column, floored at a thousandth
    of the level's u.
    """
    col = LEVEL_COLUMNS[field]
    tf = dict(tf_columns)
    whens = []
    for level, (m, u) in levels.items():
        # a model that could not say (EM had nothing to fit, a NaN): no evidence, never a `nan` in SQL
        usable = math.isfinite(m) and math.isfinite(u) and m > 0 and u > 0
        w = f"{math.log2(m / u):.6f}" if usable else "0.0"
        if level in tf and usable:
            w = f"CASE WHEN {tf[level]} > 0 THEN log2({m!r} / greatest({tf[level]}, {u * 1e-3!r})) ELSE {w} END"
        whens.append(f"WHEN '{level}' THEN {w}")
    return f"CASE {col} {' '.join(whens)} ELSE 0.0 END"


def scored_sql(params: dict[str, dict[str, tuple[float, float]]], prior: float,
               table: str = "mt_pairs", out: str = "mt_scored") -> str:
    """`out`: `table` plus one `w_<field>` per field, `total` (bits) and `p_raw`."""
    prior_bits = math.log2(prior / (1.0 - prior))
    cols = []
    for c in COMPARISONS:
        cols.append(f"{weight_case_sql(c.field, params[c.field], c.tf_columns)} AS {WEIGHT_COLUMNS[c.field]}")
    total = " + ".join(WEIGHT_COLUMNS[c.field] for c in COMPARISONS)
    return f"""
CREATE OR REPLACE TEMP TABLE {out} AS
SELECT *, 1.0 / (1.0 + pow(2.0, -total)) AS p_raw
FROM (SELECT *, {prior_bits:.6f} + {total} AS total FROM (SELECT *, {', '.join(cols)} FROM {table}))
"""
