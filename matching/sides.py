"""What each side of a pair offers to the comparisons, computed the same way everywhere.

A source row is known by its name and ID (plus, by source, an employer, a bank account or a
property's location); what the ID encodes (birth date, sex, place of first registration) is
read from the ID text itself, even from an invalid one, as the connectors do. A member brings
the application's own fields (birth date, sex, county, address) and how many ID-bearing rows
they have in a source and at an organisation. `pair_values` builds one pair from plain values with the same
functions and SQL expressions the pipeline uses, for tests and examples.

Example:
    >>> v = pair_values({"name": "張偉", "id_number": "14010519900307104X"}, {"name": "张伟"})
    >>> v["s_std"], v["s_birth"], v["s_gender"], v["s_birthplace"]
    ('张伟', datetime.date(1990, 3, 7), '女', '140105')
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from matching.address import parse_address
from matching.pinyin import WILDCARD
from matching.standardise import SHORTENED_PATTERN, account_key, normalise_org, standardise_name

def could_be_one_id_sql(a: str, b: str) -> str:
    """SQL: two valid IDs that could be one person's, one mistyped (a slip, a `…000` form leaves the birth
    date, or the birthplace and sequence; a twin is not told apart either). Read by `account_other`, the
    continued jobs of `rivals` and the sole-name balances of `decide`."""
    return (f"(substr({a}, 7, 8) = substr({b}, 7, 8) "
            f"OR left({a}, 6) || substr({a}, 15, 3) = left({b}, 6) || substr({b}, 15, 3))")


ID_BIRTH_SQL = ("CASE WHEN length({col}) = 18 THEN CAST(try_strptime(substr({col}, 7, 8), '%Y%m%d') AS DATE) "
                "WHEN length({col}) = 15 THEN CAST(try_strptime('19' || substr({col}, 7, 6), '%Y%m%d') AS DATE) END")
_SEX_DIGIT = "CASE length({col}) WHEN 18 THEN substr({col}, 17, 1) WHEN 15 THEN substr({col}, 15, 1) END"
ID_GENDER_SQL = (f"CASE WHEN regexp_full_match({_SEX_DIGIT}, '[0-9]') THEN CASE WHEN CAST({_SEX_DIGIT} AS INTEGER) "
                 "% 2 = 1 THEN '男' ELSE '女' END END")
ID_PLACE_SQL = "CASE WHEN regexp_full_match(left({col}, 6), '[0-9]{{6}}') THEN left({col}, 6) END"
SHORTENED_SQL = f"regexp_full_match({{col}}, '{SHORTENED_PATTERN}')"
"""SQL twin of `standardise.shortened_number(col) is not None`."""
ACCOUNT_KEY_SQL = ("CASE WHEN (contains({col}, 'E') OR contains({col}, 'e')) AND " + SHORTENED_SQL + " THEN NULL "
                   "WHEN length({col}) >= 8 THEN left({col}, 4) || '*' || right({col}, 4) "
                   "ELSE nullif({col}, '') END")
"""SQL twin of `standardise.account_key` for accounts written without spaces or hyphens (the
literal test first: the pattern over every bank row would cost the linker its time)."""
_KEPT_DIGITS = "rtrim(replace(ltrim(split_part(upper({short}), 'E', 1), '-'), '.', ''), '0')"
_KEPT_HEAD = f"CAST(left({{full}}, length({_KEPT_DIGITS}) + 1) AS HUGEINT)"
EXPANDS_SQL = (f"(regexp_full_match({{full}}, '[0-9]+') AND length({{full}}) = "
               f"CAST(regexp_extract({{short}}, '[eE]\\+?([0-9]+)', 1) AS INTEGER) + 1 "
               f"AND length({{full}}) >= length({_KEPT_DIGITS}) "
               f"AND CASE WHEN length({{full}}) = length({_KEPT_DIGITS}) THEN {{full}} = {_KEPT_DIGITS} "
               f"ELSE abs({_KEPT_HEAD} - 10 * CAST({_KEPT_DIGITS} AS HUGEINT)) <= 10 END)")
"""SQL twin of `standardise.expands(short, full)`."""


def id_side_sql(col: str, prefix: str = "s_") -> str:
    """Birth date, sex and birthplace read from an ID column, as `<prefix>birth` etc."""
    return (f"{ID_BIRTH_SQL.format(col=col)} AS {prefix}birth, {ID_GENDER_SQL.format(col=col)} AS {prefix}gender, "
            f"{ID_PLACE_SQL.format(col=col)} AS {prefix}birthplace")


def _name(raw: str | None) -> dict:
    from matching.pinyin import name_pinyin, name_readings

    std = standardise_name(raw)
    return {"std": std, "pinyin": name_pinyin(std) if std else None, "alts": name_readings(std) if std else None,
            "nchars": len(std) if std else 0,
            "wild": bool(std) and WILDCARD in std}


def _org(side: dict) -> str | None:
    if side.get("account_number"):
        key = account_key(side["account_number"])   # as SQL's ||: no key, no organisation
        return f"{normalise_org(side.get('organisation'))}#{key}" if key else None
    return normalise_org(side.get("organisation"))


@lru_cache(maxsize=1)
def scratch():
    """An in-memory DuckDB connection for evaluating single pairs (tests, examples)."""
    import duckdb

    return duckdb.connect()


def pair_values(left: dict, right: dict) -> dict:
    """Pair columns (`comparisons.PAIR_COLUMNS`) for a source row `left` and a member `right`."""
    from matching.idrepair import id_repairs

    s_id, m_id = left.get("id_number"), right.get("id_number")
    shared = bool(s_id and m_id and set(id_repairs([s_id]).column("repair_code").to_pylist())
                  & set(id_repairs([m_id]).column("repair_code").to_pylist()))
    s_birth, s_gender, s_place, m_birth_id, m_gender_id, m_place = scratch().execute(
        f"SELECT {id_side_sql('s_id')}, {id_side_sql('m_id', 'm_')} "
        "FROM (SELECT ?::VARCHAR AS s_id, ?::VARCHAR AS m_id)",
        [s_id, m_id]).fetchall()[0]
    s, m = _name(left.get("name")), _name(right.get("name"))
    m_birth = right.get("birth_date")
    m_birth = date.fromisoformat(m_birth) if isinstance(m_birth, str) else m_birth
    return {
        "s_id": s_id, "s_legacy": left.get("id_status") == "repaired", "ids_share_repair": shared,
        "s_std": s["std"], "s_pinyin": s["pinyin"], "s_alts": s["alts"],
        "s_nchars": s["nchars"], "s_wild": s["wild"], "s_birth": s_birth, "s_gender": s_gender,
        "s_birthplace": s_place, "s_addr": parse_address(left["address"]) if left.get("address") else None,
        "s_org": _org(left), "s_org_ids": left.get("org_ids"), "s_clash": left.get("clash_rows"),
        "s_org_idless": left.get("org_idless"),
        "source": left.get("source", "tax"),
        "m_id": m_id, "m_legacy": right.get("id_status") == "repaired", "m_std": m["std"], "m_pinyin": m["pinyin"],
        "m_alts": m["alts"],
        "m_nchars": m["nchars"], "m_wild": m["wild"], "m_birth": m_birth or m_birth_id,
        "m_gender": right.get("gender") or m_gender_id, "m_county": right.get("county_code"),
        "m_birthplace": m_place, "m_addr": parse_address(right["address"]) if right.get("address") else None,
        "m_kind_rows": right.get("kind_rows"), "m_org_rows": right.get("org_rows"),
        "m_org_id": right.get("own_id") or m_id,
    }
