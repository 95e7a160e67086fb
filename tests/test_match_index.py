"""The match index (`matching.index`) is always the fold of the current source rows, however
the batches that built it arrived: loaded one by one, re-delivered, superseded, or all at once."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.idrepair import id_code
from matching.index import INDEX_VERSION, pending_batches, rebuild_match_index, refresh_match_index
from connectors.values.institution import institution_key
from matching.standardise import SYNTHETIC_KEYS, normalise_org
from warehouse import open_warehouse, transaction
from warehouse.load import Delivery, load_delivery

UNIT_COLUMNS = "source, name, id_number, organisation, account_number, location, n, n_legacy, n_invalid"
IDENTITY_COLUMNS = "name, id_number, n, n_legacy, n_invalid, n_tax, n_social_insurance, n_bank, n_vehicle, n_property"

# A fold of the current rows, written independently of the index's delta arithmetic.
FOLD_UNITS = """
SELECT source, name, id_number, organisation, account_number, location, count(*) AS n,
       count(*) FILTER (WHERE id_status = 'repaired') AS n_legacy,
       count(*) FILTER (WHERE id_status = 'invalid' AND id_number IS NOT NULL) AS n_invalid
FROM match_source_rows GROUP BY ALL
"""
FOLD_IDENTITIES = """
SELECT name, id_number, count(*) AS n, count(*) FILTER (WHERE id_status = 'repaired') AS n_legacy,
       count(*) FILTER (WHERE id_status = 'invalid' AND id_number IS NOT NULL) AS n_invalid,
       count(*) FILTER (WHERE source = 'tax') AS n_tax, count(*) FILTER (WHERE source = 'social_insurance'),
       count(*) FILTER (WHERE source = 'bank'), count(*) FILTER (WHERE source = 'vehicle'),
       count(*) FILTER (WHERE source = 'property')
FROM match_source_rows GROUP BY ALL
"""

# Every current row and the unit it folded into, written as a join on the unit's key.
INDEX_ROWS = """
SELECT r.source, r.record_id, u.name, u.id_number, u.organisation, u.account_number, u.location, r.legacy, r.slot,
       r.period
FROM match_rows r JOIN match_units u USING (uid)
"""
FOLD_ROWS = """
SELECT source, record_id, name, id_number, organisation, account_number, location, id_status = 'repaired', slot, period
FROM match_source_rows
"""

# A unit whose iid is not the identity of its own name and ID text (or names none).
UNITS_NOT_IN_THEIR_IDENTITY = """
SELECT u.uid, u.name, u.id_number, u.iid FROM match_units u LEFT JOIN match_identities i ON i.iid = u.iid
WHERE i.iid IS NULL OR i.name <> u.name OR i.id_number IS DISTINCT FROM u.id_number
"""

IDS = [("110101199003070011", "valid"), ("110101900307001", "repaired"), ("11010119900307001X", "invalid"),
       ("1.10101E+17", "invalid"), (None, "missing")]
NAMES = ["张伟", "章伟", "李娜"]


def _deliver(con, source: str, rows: list[dict], tag: str) -> None:
    file_hash = hashlib.sha256(f"{source}/{tag}".encode()).hexdigest()
    d = Delivery(Path(f"/x/{tag}.csv"), f"landing/{source}/{tag}.csv", source, None, file_hash, 1)
    table = pa.Table.from_pylist([{**r, "row_number": i + 1} for i, r in enumerate(rows)])
    load_delivery(con, d, table, pa.table({}), "run-test")     # its own transaction


def _tax(record_id: str, name: str, ident: int, agent: str | None) -> dict:
    id_number, status = IDS[ident]
    return {"record_id": record_id, "name": name, "id_number": id_number, "id_status": status,
            "period": date(2026, 10, 1), "income_item": "工资薪金", "income_amount": Decimal("3000.00"),
            "withholding_agent": agent}


def _bank(record_id: str, name: str, ident: int, account: str | None) -> dict:
    id_number, status = IDS[ident]
    return {"record_id": record_id, "name": name, "id_number": id_number, "id_status": status,
            "institution": "中国工商银行", "account_number": account, "product_type": "活期存款",
            "balance": Decimal("100.00"), "as_of_date": date(2026, 10, 31)}


def _index(con) -> tuple[list, list, list]:
    units = con.execute(f"SELECT {UNIT_COLUMNS} FROM match_units ORDER BY ALL").fetchall()
    identities = con.execute(f"SELECT {IDENTITY_COLUMNS} FROM match_identities ORDER BY ALL").fetchall()
    return units, identities, con.execute(f"SELECT * FROM ({INDEX_ROWS}) ORDER BY ALL").fetchall()


def _fold(con) -> tuple[list, list, list]:
    return (con.execute(f"SELECT * FROM ({FOLD_UNITS}) ORDER BY ALL").fetchall(),
            con.execute(f"SELECT * FROM ({FOLD_IDENTITIES}) ORDER BY ALL").fetchall(),
            con.execute(f"SELECT * FROM ({FOLD_ROWS}) ORDER BY ALL").fetchall())


def _places(con) -> list:
    return sorted(con.execute("SELECT source, organisation, account_number, s_org, place FROM match_units").fetchall(),
                  key=repr)


def _places_expected(con) -> list:
    """Where each unit's rows are, worked out here from its organisation and account (not by the
    index's SQL): an employer or payer by its normalised name, an account by its bank and its
    masked number (first four, last four digits)."""
    out = []
    for source, org, account in con.execute("SELECT source, organisation, account_number FROM match_units").fetchall():
        norm = None if org is None else org if org.startswith(SYNTHETIC_KEYS) else normalise_org(org)
        if source == "bank":
            key = None if account is None else f"{account[:4]}*{account[-4:]}" if len(account) >= 8 else account
            bank = None if org is None else institution_key(org)
            s_org = None if bank is None or key is None else f"{bank}#{key}"
            place = None if s_org is None else f"bank#{s_org}"
        else:
            s_org = norm
            place = f"employer#{norm}" if norm is not None and source in ("tax", "social_insurance") else None
        out.append((source, org, account, s_org, place))
    return sorted(out, key=repr)


@pytest.fixture()
def con(tmp_path):
    c = open_warehouse(tmp_path / "w.duckdb")
    yield c
    c.close()


row = st.tuples(st.sampled_from(["T1", "T2", "T3", "T4"]), st.sampled_from(NAMES), st.integers(0, len(IDS) - 1),
                st.sampled_from([None, "太原钢铁", "山西焦煤", "6222021234567890123"]))
deliveries = st.lists(st.tuples(st.sampled_from(["tax", "bank"]), st.lists(row, min_size=1, max_size=4,
                                                                             unique_by=lambda r: r[0])),
                      min_size=1, max_size=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(deliveries=deliveries, refresh_every=st.integers(1, 3))
def test_the_index_equals_a_fold_of_the_current_rows_after_any_loads_and_re_deliveries(tmp_path_factory, deliveries,
                                                                                         refresh_every):
    con = open_warehouse(tmp_path_factory.mktemp("w") / "w.duckdb")
    try:
        for i, (source, rows) in enumerate(deliveries):
            make = _tax if source == "tax" else _bank
            _deliver(con, source, [make(*r) for r in rows], f"d{i}")
            if (i + 1) % refresh_every == 0:
                with transaction(con):
                    refresh_match_index(con)
        with transaction(con):
            refresh_match_index(con)
        assert _index(con) == _fold(con)
        assert pending_batches(con) == []
        uids = con.execute("SELECT count(*), count(DISTINCT uid) FROM match_units").fetchall()[0]
        iids = con.execute("SELECT count(*), count(DISTINCT iid) FROM match_identities").fetchall()[0]
        assert uids[0] == uids[1] and iids[0] == iids[1]
        assert con.execute(UNITS_NOT_IN_THEIR_IDENTITY).fetchall() == []
        assert _places(con) == _places_expected(con)
        for id_number, body, code in con.execute("SELECT id_number, body, code FROM match_identities").fetchall():
            assert code == (id_code(id_number) if id_number else None)
            assert body == (int(id_number[:17]) if id_number and len(id_number) == 18 and id_number[:17].isdigit()
                            else None)
    finally:
        con.close()


def test_a_corrected_re_delivery_moves_its_row_to_the_corrected_unit(con):
    _deliver(con, "tax", [_tax("T1", "张伟", 0, "太原钢铁"), _tax("T2", "张伟", 0, "太原钢铁")], "first")
    with transaction(con):
        refresh_match_index(con)
    _deliver(con, "tax", [_tax("T2", "章伟", 0, "太原钢铁")], "correction")
    with transaction(con):
        assert refresh_match_index(con)["batches"] == 1
    assert con.execute("SELECT name, n FROM match_units ORDER BY name").fetchall() == [("张伟", 1), ("章伟", 1)]


def test_a_unit_whose_rows_were_all_superseded_leaves_the_index(con):
    _deliver(con, "tax", [_tax("T1", "张伟", 0, None)], "first")
    with transaction(con):
        refresh_match_index(con)
    _deliver(con, "tax", [_tax("T1", "李娜", 0, None)], "correction")
    with transaction(con):
        refresh_match_index(con)
    assert con.execute("SELECT name FROM match_units").fetchall() == [("李娜",)]
    assert con.execute("SELECT name FROM match_identities").fetchall() == [("李娜",)]


def test_a_refresh_with_nothing_new_changes_nothing(con):
    _deliver(con, "bank", [_bank("B1", "张伟", 0, "6222****1234")], "first")
    with transaction(con):
        refresh_match_index(con)
    before = con.execute("SELECT * FROM match_units").fetchall()
    with transaction(con):
        assert refresh_match_index(con)["batches"] == 0
    assert con.execute("SELECT * FROM match_units").fetchall() == before


def test_an_index_folded_by_an_older_version_is_rebuilt_from_every_row(con):
    _deliver(con, "tax", [_tax("T1", "张伟", 0, None)], "first")
    with transaction(con):
        refresh_match_index(con)
    con.execute("UPDATE match_index_batches SET version = ?", [INDEX_VERSION - 1])
    con.execute("UPDATE match_units SET n = 99")            # what an older fold may have counted
    con.execute("DELETE FROM match_rows")                   # version 1 kept no rows
    con.execute("UPDATE match_units SET iid = NULL")        # versions before 3 named no identity
    con.execute("UPDATE match_units SET s_org = NULL, place = NULL")   # versions before 5 kept no place
    with transaction(con):
        assert refresh_match_index(con)["batches"] == 1
    assert _index(con) == _fold(con)
    assert _places(con) == _places_expected(con) and _places(con)[0][4] is not None
    assert con.execute(UNITS_NOT_IN_THEIR_IDENTITY).fetchall() == []
    with transaction(con):
        rebuild_match_index(con)
    assert _index(con) == _fold(con)


def test_two_units_whose_hashes_collide_stay_two_units(con):
    """These two social-insurance rows (a 20k-household province) share DuckDB's hash of their
    unit columns; a unit keyed by that hash merged them and their decisions."""
    rows = [{"record_id": f"S{i}", "name": "常兵强", "id_number": idn, "id_status": "invalid",
             "insurance_type": "企业职工基本养老保险", "record_type": "缴费", "period": date(2026, 10, 1),
             "employer": "离石区瑞丰物流有限公司", "amount": Decimal("500.00")}
            for i, idn in enumerate(("141102177703140977", "141102197703140777"))]
    _deliver(con, "social_insurance", rows, "si")
    assert con.execute("SELECT count(DISTINCT hash(source, name, id_number, organisation, account_number, location)) "
                       "FROM match_source_rows").fetchall() == [(1,)]
    with transaction(con):
        refresh_match_index(con)
    assert con.execute("SELECT count(DISTINCT uid), count(*) FROM match_units").fetchall() == [(2, 2)]
