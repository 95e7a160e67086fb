"""The synthetic province: reproducible, contract-shaped, noisy in known ways, truth kept apart."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from python_calamine import CalamineWorkbook

from connectors.schema import SOURCES, TABLES
from data.generator import NOISE_KINDS, bad, generate, serialise, truth, writers
from data.generator import rows as row_store
from data.generator.names import HOMOPHONES, TRADITIONAL
from data.generator.requests import INBOX_SPECS, ROLLS_SPEC
from data.generator.sources import EXPORTS

AS_OF = dt.date(2026, 11, 28)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _valid(id18: str) -> bool:
    """An independent ISO 7064 MOD 11-2 check (not the generator's own)."""
    if len(id18) != 18 or not id18[:17].isdigit():
        return False
    return "10X98765432"[sum(int(d) * w for d, w in zip(id18, WEIGHTS)) % 11] == id18[17]


def _make(root: Path, households: int, seed: int = 7) -> dict:
    return generate(root, households=households, seed=seed, as_of=AS_OF)


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> tuple[Path, Path, dict]:
    base = tmp_path_factory.mktemp("small")
    summary = _make(base / "data", 30)
    return base / "data", Path(summary["truth_dir"]), summary


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> tuple[Path, Path, dict]:
    base = tmp_path_factory.mktemp("big")
    summary = _make(base / "data", 300, seed=11)
    return base / "data", Path(summary["truth_dir"]), summary


def _truth(truth_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(truth_dir / f"{name}.parquet")


def _spec_for(path: Path):
    export = (AS_OF - dt.timedelta(days=1))
    if path.name == bad.filename(export):          # the unreadable delivery, written like the GBK tax export
        return EXPORTS["tax"][0]
    for specs in EXPORTS.values():
        for spec in specs:
            if spec.filename(export) == path.name:
                return spec
    if path.parent.name == "rolls":
        return ROLLS_SPEC
    for k in range(10):
        spec = INBOX_SPECS[k % len(INBOX_SPECS)]
        if spec.name.replace("{k}", f"{k + 1:02d}").format(d=AS_OF.strftime("%Y%m%d")) == path.name:
            return spec
    raise KeyError(path)


def _read(path: Path) -> pd.DataFrame:
    """Any delivered file as a frame of raw cells (as a loader would see them)."""
    spec = _spec_for(path)
    if spec.fmt == "csv":
        return pd.read_csv(path, sep=spec.sep, encoding=spec.encoding, dtype=str, keep_default_na=False)
    if spec.fmt == "parquet":
        return pd.read_parquet(path)
    if spec.fmt == "jsonl":
        return pd.DataFrame([json.loads(line) for line in path.read_text("utf-8").splitlines()])
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    start = next(i for i, r in enumerate(rows) if sum(1 for c in r if c != "") >= 3)
    return pd.DataFrame(rows[start + 1:], columns=rows[start])


def _canonical_columns(table: str, df: pd.DataFrame) -> pd.DataFrame:
    lookup = {}
    for f in TABLES[table].fields:
        lookup[f.name.lower()] = f.name
        for a in f.aliases:
            lookup[a] = f.name
    return df.rename(columns={c: lookup[c.strip().lower()] for c in df.columns if c.strip().lower() in lookup})


def _money(v) -> float:
    if v is None or v == "" or (isinstance(v, float) and np.isnan(v)):
        return float("nan")
    if isinstance(v, (int, float)):
        return float(v)
    return float(re.sub(r"[¥￥,元]", "", v))


def _date(v) -> dt.date | None:
    if v is None or v == "":
        return None
    if isinstance(v, dt.date):
        return v
    if isinstance(v, (int, float)):
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(v))
    m = re.fullmatch(r"(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?", v) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", v)
    return dt.date(*map(int, m.groups()))


def _period(v) -> dt.date:
    m = re.fullmatch(r"(\d{4})(?:-|年)?(\d{1,2})月?", str(v))
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in _files(root)}


def test_same_seed_writes_identical_files(tmp_path, province):
    root, truth_dir, _ = province
    again = _make(tmp_path / "data", 30)
    assert _digest(tmp_path / "data") == _digest(root)
    assert _digest(Path(again["truth_dir"])) == _digest(truth_dir)


def test_another_seed_writes_another_province(tmp_path, province):
    root, _, _ = province
    _make(tmp_path / "data", 30, seed=8)
    assert _digest(tmp_path / "data") != _digest(root)


def test_truth_is_written_outside_the_data_root(tmp_path, province):
    root, truth_dir, _ = province
    assert truth_dir == root.parent / "data-truth"
    assert not truth_dir.resolve().is_relative_to(root.resolve())
    assert {p.name for p in _files(truth_dir)} == {"persons.parquet", "members.parquet", "source_rows.parquet",
                                                   "households.parquet", "manifest.json"}
    assert not any(p.suffix == ".parquet" and p.stem in ("persons", "members", "source_rows") for p in _files(root))
    with pytest.raises(ValueError):
        generate(tmp_path / "x", households=5, as_of=AS_OF, truth_dir=tmp_path / "x" / "truth")


def test_previous_landing_and_inbox_content_is_removed_and_nothing_else(tmp_path):
    root = tmp_path / "data"
    for stale in (root / "landing" / "tax" / "old.csv", root / "inbox" / "gone_minzheng" / "old.csv"):
        stale.parent.mkdir(parents=True)
        stale.write_text("stale")
    keep = root / "outbox" / "keep.txt"
    keep.parent.mkdir(parents=True)
    keep.write_text("keep")
    _make(root, 6)
    assert not (root / "landing" / "tax" / "old.csv").exists()
    assert not (root / "inbox" / "gone_minzheng").exists()
    assert keep.read_text() == "keep"
    assert not list(root.rglob("*.part"))


def test_every_id_in_truth_has_a_valid_check_character(province):
    persons = _truth(province[1], "persons")
    assert persons.id_number.map(_valid).all()
    assert persons.id_number.is_unique


def test_id_carries_birth_date_and_gender(province):
    p = _truth(province[1], "persons")
    assert (p.id_number.str[6:14] == p.birth_date.map(lambda d: d.strftime("%Y%m%d"))).all()
    odd = p.id_number.str[16].astype(int) % 2 == 1
    assert ((p.gender == "男") == odd).all()


def test_every_source_has_at_least_two_files_and_rolls_and_inbox_exist(province):
    root, _, summary = province
    for source in SOURCES:
        assert len(list((root / "landing" / source).iterdir())) >= 2, source
    assert [p.name for p in (root / "landing" / "rolls").iterdir()] == ["rolls_20261127.csv"]
    agencies = [p for p in (root / "inbox").iterdir()]
    assert 2 <= len(agencies) <= 3 and all(re.fullmatch(r"[a-z0-9_-]+", a.name) for a in agencies)
    assert 3 <= summary["inbox_files"] <= 5


def test_every_format_of_the_contract_is_present(big):
    root = big[0]
    raw = {p: p.read_bytes() for p in _files(root)}
    seen = set()
    for p, b in raw.items():
        if b.startswith(b"PK"):
            seen.add("xlsx")
        elif b.startswith(b"PAR1"):
            seen.add("parquet")
        elif p.suffix == ".jsonl":
            assert all(json.loads(line) for line in b.decode("utf-8").splitlines())
            seen.add("jsonl")
        elif b.startswith(b"\xef\xbb\xbf"):
            seen.add("utf-8-bom csv")
        else:
            try:
                b.decode("utf-8")
                seen.add("utf-8 csv")
            except UnicodeDecodeError:
                try:
                    b.decode("gbk")
                    seen.add("gbk csv")
                except UnicodeDecodeError:
                    b.decode("gb18030")
                    seen.add("gb18030 csv")
    seps = {_spec_for(p).sep for p in raw if p.suffix == ".csv"}
    assert {"xlsx", "parquet", "jsonl", "utf-8-bom csv", "utf-8 csv", "gbk csv"} <= seen
    assert {",", "\t", "|"} <= seps
    gb = (root / "landing" / "vehicle" / "jdc_register_20261127_2.csv").read_bytes()
    assert "¥".encode("gb18030") in gb                  # a character GBK cannot encode


def test_gbk_file_decodes_as_gbk_not_utf8(province):
    b = (province[0] / "landing" / "tax" / "iit_withholding_20261127.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        b.decode("utf-8")
    header = b.decode("gbk").splitlines()[0].split(",")
    assert "所得项目" in header and "序号" in header


def test_vehicle_xlsx_has_a_title_line_then_an_empty_row(province):
    rows = CalamineWorkbook.from_path(str(province[0] / "landing" / "vehicle" / "jdc_register_20261127.xlsx")) \
        .get_sheet_by_index(0).to_python()
    assert rows[0][0] == "机动车登记信息导出 2026-11-27"
    assert all(c == "" for c in rows[1])
    assert "号牌号码" in rows[2]


def _unreadable(root: Path, summary: dict) -> set[Path]:
    return {root / rel for rel in summary["unreadable"]}


def test_headers_cover_every_required_field_except_in_the_one_unreadable_file(big):
    root, _, summary = big
    assert len(summary["unreadable"]) == 1
    for p in _files(root):
        table = "rolls" if p.parent.name == "rolls" else ("applicants" if "inbox" in p.parts else p.parent.name)
        df = _canonical_columns(table, _read(p))
        missing = {f.name for f in TABLES[table].required} - set(df.columns)
        expected = {"income_amount"} if p in _unreadable(root, summary) else set()
        assert missing - {"agency" if table == "applicants" else ""} == expected, (p.name, missing)


def test_written_values_match_the_truth(big):
    root, truth_dir, summary = big
    rows = _truth(truth_dir, "source_rows")
    truth = rows[rows.bad == ""].set_index("record_id")     # bad rows are written wrong on purpose
    for source in SOURCES:
        for p in sorted((root / "landing" / source).iterdir()):
            if p in _unreadable(root, summary):
                continue
            df = _canonical_columns(source, _read(p))
            df = df[df.record_id.isin(truth.index)].set_index("record_id")
            t = truth.loc[df.index]
            assert (t.file == p.name).all()
            assert (df.name.to_numpy() == t.name_as_written.to_numpy()).all(), p.name
            written = df.id_number.map(lambda v: None if v in ("", None) or v != v else v)
            assert (written.fillna("-").to_numpy() == t.id_as_written.fillna("-").to_numpy()).all(), p.name
            money = {"tax": "income_amount", "social_insurance": "amount", "bank": "balance",
                     "vehicle": "purchase_price"}.get(source)
            if money:
                got = df[money].map(_money).to_numpy(dtype=float)
                assert np.allclose(got, t[money].to_numpy(dtype=float), equal_nan=True), p.name
            if source in ("tax", "social_insurance"):
                assert (df.period.map(_period).to_numpy() == t.period.to_numpy()).all(), p.name
            for col in ("registration_date", "as_of_date"):
                if col in df.columns:
                    assert (df[col].map(_date).to_numpy() == t[col].to_numpy()).all(), p.name


def test_record_ids_are_unique_within_each_source_but_for_the_duplicated_bad_rows(big):
    rows = _truth(big[1], "source_rows")
    repeated = rows.duplicated(["source", "record_id"], keep=False)
    copies = rows.duplicated(["source", "record_id"], keep="first")
    assert (copies == (rows.bad == "duplicate_record_id")).all()          # the copy is bad, the original loads
    assert (rows.bad[repeated & ~copies] == "").all()
    twice = rows[repeated].groupby(["source", "record_id"])
    assert (twice.size() == 2).all() and (twice.file.nunique() == 1).all()     # twice in one file
    assert rows.groupby("source").file.nunique().min() >= 2


def test_every_source_has_a_few_bad_rows_of_each_kind_from_outside_the_households(big):
    root, truth_dir, summary = big
    rows = _truth(truth_dir, "source_rows")
    persons = _truth(truth_dir, "persons").set_index("person_key")
    for source in SOURCES:
        kinds = rows.loc[rows.source == source, "bad"].value_counts()
        assert {k: kinds.get(k, 0) for k in bad.KINDS} == summary["bad_rows"][source]
        assert all(1 <= kinds.get(k, 0) <= 2 * bad.MAX_EACH for k in bad.KINDS), (source, kinds)
    share = (rows.bad != "").mean()
    assert 0 < share < 0.01
    assert not persons.is_applicant.reindex(rows.person_key[rows.bad != ""]).any()
    assert not rows.file[rows.bad != ""].str.endswith(".parquet").any()


def test_bad_values_are_written_as_the_truth_says(big):
    root, truth_dir, _ = big
    rows = _truth(truth_dir, "source_rows")
    tax = rows[(rows.source == "tax") & rows.bad.isin(["bad_date", "negative_amount", "bad_category"])]
    for file, mine in tax.groupby("file"):
        df = _canonical_columns("tax", _read(root / "landing" / "tax" / file)).set_index("record_id")
        for r in mine.itertuples():
            written = df.loc[r.record_id]
            if r.bad == "bad_date":
                assert written.period == "2026-13"
            elif r.bad == "negative_amount":
                assert _money(written.income_amount) == -r.income_amount
            else:
                assert written.income_item == "彩票中奖"


def test_the_unreadable_delivery_is_a_tax_file_without_its_income_column(big):
    root, _, summary = big
    (rel, entry), = summary["unreadable"].items()
    path = root / rel
    assert path.parent == root / "landing" / "tax" and entry["rows"] == len(_read(path)) > 0
    header = path.read_bytes().decode("gbk").splitlines()[0].split(",")
    assert "收入额" not in header and "收入" not in header and "所得项目" in header
    assert "income_amount" in entry["reason"]


def test_periods_cover_the_24_months_before_the_request_date(province):
    rows = _truth(province[1], "source_rows")
    periods = rows.loc[rows.source.isin(["tax", "social_insurance"]), "period"]
    assert periods.min() == dt.date(2024, 11, 1) and periods.max() == dt.date(2026, 10, 1)


def test_noise_kinds_all_occur(big):
    rows = _truth(big[1], "source_rows")
    kinds = rows.noise[rows.noise != ""].str.split(",").explode()
    assert set(NOISE_KINDS) - {"gbk_lost"} <= set(kinds)
    rate = kinds.value_counts() / len(rows)
    assert 0.04 < rate["missing"] < 0.06 and 0.01 < rate["wrong_digit"] < 0.03
    persons = _truth(big[1], "persons").set_index("person_key")
    true_id = persons.id_number.reindex(rows.person_key).to_numpy()
    clean = (rows.noise == "").to_numpy()
    assert (rows.id_as_written.to_numpy()[clean] == true_id[clean]).all()
    legacy = (rows.noise == "legacy").to_numpy()
    assert all(w == t[:6] + t[8:17] for w, t in zip(rows.id_as_written[legacy], true_id[legacy]))
    rel = (rows.noise == "relative_id").to_numpy()
    assert (rows.id_as_written.to_numpy()[rel] != true_id[rel]).all()
    assert pd.Series(rows.id_as_written.to_numpy()[rel]).isin(persons.id_number).all()


def test_homophones_share_pinyin_and_traditional_forms_fold_back():
    from pypinyin import Style, pinyin
    import opencc

    for ch, alts in HOMOPHONES.items():
        for alt in alts:
            a = set(pinyin(ch, style=Style.NORMAL, heteronym=True)[0])
            assert a & set(pinyin(alt, style=Style.NORMAL, heteronym=True)[0]), (ch, alt)
    t2s = opencc.OpenCC("t2s")
    assert all(t2s.convert(t) == s for s, t in TRADITIONAL.items())


def test_common_names_recur_even_with_the_same_birth_year(big):
    p = _truth(big[1], "persons")
    year = p.birth_date.map(lambda d: d.year)
    assert p.name.value_counts().iloc[0] >= 10
    assert (p.groupby([p.name, year]).size() >= 2).sum() >= 20
    assert p.name.str.contains("·").any()


def test_members_are_households_with_supporters_after_members(big):
    m = _truth(big[1], "members")
    h = _truth(big[1], "households")
    for _, g in m.groupby("household_id"):
        assert list(g.member_no) == list(range(1, len(g) + 1))
        assert g.relation.iloc[0] == "户主"
        sup = (g.relation == "赡养人").to_numpy()
        assert not sup.any() or sup[sup.argmax():].all()
    tekun = h[h.program == "tekun"]
    assert (tekun.n_members == 1).all() and tekun.n_supporters.between(1, 2).all()
    assert (m.id_noise != "").mean() < 0.05 and (~m.consent).mean() < 0.04


def test_inbox_households_are_new_applicants_not_on_the_rolls(province):
    root, truth_dir, _ = province
    m = _truth(truth_dir, "members")
    rolls = _canonical_columns("rolls", _read(root / "landing" / "rolls" / "rolls_20261127.csv"))
    inbox = m[m.request_id.str.startswith("REQ-")]
    assert not set(inbox.household_id) & set(rolls.household_id)
    assert rolls.request_id.str.fullmatch(r"ROLL-14\d{4}-\d{6}").all() and (rolls.agency != "").all()
    assert inbox.request_id.str.fullmatch(r"REQ-20261128-\d{4}").all()
    assert set(m.household_id) == set(_truth(truth_dir, "households").household_id)


def test_some_applicant_households_are_over_a_limit_and_most_are_not(big):
    h = _truth(big[1], "households")
    share = (h.over_plan != "").mean()
    assert 0.12 < share < 0.28
    clean = h[h.over_plan == ""]
    assert not clean.income_over.any() and (clean.vehicles_normal == 0).all()
    assert (clean.financial_total <= 24 * clean.standard * clean.n_members).all()
    assert h.loc[h.over_plan == "income", "income_over"].all()
    assert (h.loc[h.over_plan == "vehicle", "vehicles_normal"] >= 1).all()


def test_rows_are_written_the_same_whatever_the_slice_size(tmp_path, big, monkeypatch):
    """A big province is rendered, coded and put in the truth a slice at a time; the bytes must
    not depend on where the slices fall (every random draw is made for the whole file)."""
    root, truth_dir, _ = big
    monkeypatch.setattr(writers, "CHUNK", 97)
    monkeypatch.setattr(truth.SourceRows, "CHUNK", 61)
    monkeypatch.setattr(row_store, "BLOCK", 53)
    again = _make(tmp_path / "data", 300, seed=11)
    assert _digest(tmp_path / "data") == _digest(root)
    assert _digest(Path(again["truth_dir"])) == _digest(truth_dir)


def test_parquet_files_are_the_row_groups_of_the_whole_table(tmp_path, monkeypatch):
    """Parquet is written a row group at a time; each file must be what pyarrow writes for the
    whole table (source_rows: as pandas hands it over, text columns in one chunk per source)."""
    size = 5000
    monkeypatch.setattr(serialise, "ROW_GROUP", size)
    monkeypatch.setattr(writers, "CHUNK", 1500)
    monkeypatch.setattr(truth.SourceRows, "CHUNK", 2000)
    summary = _make(tmp_path / "data", 100)

    def whole(table: pa.Table) -> bytes:
        out = tmp_path / "whole.parquet"
        pq.write_table(table, out, row_group_size=size, compression="zstd")
        return out.read_bytes()

    paths = sorted((tmp_path / "data" / "landing").rglob("*.parquet"))
    assert any(pq.ParquetFile(p).metadata.num_row_groups > 1 for p in paths)
    for path in paths:
        assert whole(pq.read_table(path).combine_chunks()) == path.read_bytes(), path.name
    path = Path(summary["truth_dir"]) / "source_rows.parquet"
    t = pq.read_table(path).combine_chunks()
    assert pq.ParquetFile(path).metadata.num_row_groups == -(-t.num_rows // size) > 1
    source = t.column("source").to_numpy(zero_copy_only=False)
    cuts = [0, *np.flatnonzero(source[1:] != source[:-1]) + 1, t.num_rows]
    columns = [pa.chunked_array([c.chunk(0).slice(a, b - a) for a, b in zip(cuts, cuts[1:])])
               if pa.types.is_large_string(c.type) else c for c in t.columns]
    assert whole(pa.Table.from_arrays(columns, schema=t.schema)) == path.read_bytes()


def test_json_lines_are_what_json_dumps_writes(tmp_path):
    cells = ["a\"b", "中文\n\t", "", None, 1.0, 0.1, 1e20, -0.0, float("nan"), float("inf"), 3, True, "\u2028", "\x00"]
    for omit in (False, True):
        spec = writers.FileSpec("x.jsonl", "jsonl", omit_null=omit)
        head = ["k", "键\"2"]
        writers.write(tmp_path / "x.jsonl", head, [cells, cells[::-1]], spec, None)
        want = "".join(json.dumps({k: v for k, v in zip(head, row) if not (omit and (v is None or v == ""))},
                                  ensure_ascii=False) + "\n" for row in zip(cells, cells[::-1]))
        assert (tmp_path / "x.jsonl").read_text("utf-8") == want
