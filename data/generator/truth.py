"""The truth behind the synthetic province, written outside the data root.

persons.parquet, members.parquet, source_rows.parquet (one wide table, nullable columns
per source; `bad` says why a correct pipeline quarantines the row, see `bad.py`), households.parquet (with the figures a perfect pipeline computes from the
clean values) and manifest.json. Income figures use the 12 complete months before the
request date, tax items except 偶然所得/财产转让所得 plus social-insurance benefits (待遇).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd

from .assets import EXEMPT_TYPES
from .profiles import EXCLUDED_ITEMS, standard

WINDOW = 12
SOURCE_COLUMNS = ("period", "income_item", "income_amount", "tax_paid", "withholding_agent", "insurance_type",
                  "record_type", "employer", "contribution_base", "amount", "plate_number", "vehicle_type",
                  "registration_date", "purchase_price", "status", "certificate_number", "location", "usage",
                  "floor_area", "share", "institution", "account_number", "product_type", "balance", "as_of_date")


def person_figures(src: dict[str, pd.DataFrame], n: int, as_of: dt.date) -> pd.DataFrame:
    """Per person: average monthly income over the window and latest financial balances."""
    start = (np.datetime64(as_of, "M") - WINDOW).astype("datetime64[D]")
    t = src["tax"]
    t = t[(t.period.to_numpy() >= start) & ~t.income_item.isin(EXCLUDED_ITEMS)]
    s = src["social_insurance"]
    s = s[(s.period.to_numpy() >= start) & (s.record_type == "待遇")]
    income = (np.bincount(t.person, weights=t.income_amount, minlength=n)
              + np.bincount(s.person, weights=s.amount, minlength=n)) / WINDOW
    b = src["bank"].sort_values(["account", "as_of_date"]).drop_duplicates("account", keep="last")
    fin = np.bincount(b.person, weights=b.balance, minlength=n)
    return pd.DataFrame({"monthly_income": np.round(income, 2), "financial": np.round(fin, 2)})


def households(pop_households: pd.DataFrame, persons: pd.DataFrame, members: pd.DataFrame,
               src: dict[str, pd.DataFrame], figures: pd.DataFrame, over: np.ndarray) -> pd.DataFrame:
    h = pop_households
    n_h = len(h)
    slot = persons.slot.to_numpy()
    mem = slot >= 0
    size = np.bincount(slot[mem], minlength=n_h)
    sup = persons.supporter_slot.to_numpy()
    n_sup = np.bincount(sup[sup >= 0], minlength=n_h)
    income = np.bincount(slot[mem], weights=figures.monthly_income.to_numpy()[mem], minlength=n_h)
    fin = np.bincount(slot[mem], weights=figures.financial.to_numpy()[mem], minlength=n_h)
    sup_income = np.bincount(sup[sup >= 0], weights=figures.monthly_income.to_numpy()[sup >= 0], minlength=n_h)

    def count(df: pd.DataFrame, mask: np.ndarray, key: str | None = None) -> np.ndarray:
        d = df[mask]
        s = slot[d.person.to_numpy()]
        d = d[s >= 0].assign(slot=s[s >= 0])
        if key:
            d = d.drop_duplicates(["slot", key])
        return np.bincount(d.slot, minlength=n_h)

    v, p = src["vehicle"], src["property"]
    normal = (v.status == "正常").to_numpy()
    exempt = v.vehicle_type.isin(EXEMPT_TYPES).to_numpy()
    alive = (p.status != "注销").to_numpy()
    home = (p.usage == "住宅").to_numpy()
    first = members.drop_duplicates("slot").set_index("slot").reindex(range(n_h))
    declared = members[members.relation != "赡养人"].groupby("slot").declared_monthly_income.sum(min_count=1)
    std = h.county_code.map(standard).to_numpy()
    out = pd.DataFrame({
        "request_id": first.request_id.to_numpy(), "agency": first.agency.to_numpy(),
        "household_id": h.household_id.to_numpy(), "program": h.program.to_numpy(),
        "county_code": h.county_code.to_numpy(), "n_members": size, "n_supporters": n_sup,
        "on_rolls": ~h.inbox.to_numpy(), "address": h.address.to_numpy(),
        "related_household_id": np.where(h.related_slot >= 0,
                                         h.household_id.to_numpy()[np.maximum(h.related_slot, 0)], None),
        "over_plan": over, "standard": std,
        "monthly_income": np.round(income, 2), "income_per_capita": np.round(income / np.maximum(size, 1), 2),
        "declared_monthly_total": declared.reindex(range(n_h)).to_numpy(),
        "supporters_monthly_income": np.round(sup_income, 2),
        "vehicles_normal": count(v, normal & ~exempt), "vehicles_exempt": count(v, normal & exempt),
        "vehicles_inactive": count(v, ~normal),
        "homes_count": count(p, alive & home, "certificate_number"),
        "other_properties_count": count(p, alive & ~home, "certificate_number"),
        "financial_total": np.round(fin, 2), "financial_per_capita": np.round(fin / np.maximum(size, 1), 2),
    })
    out["income_over"] = out.income_per_capita > out.standard
    return out


def source_rows(src: dict[str, pd.DataFrame], persons: pd.DataFrame, file_names: dict[str, list[str]]) -> pd.DataFrame:
    keys = persons.person_key.to_numpy()
    frames = []
    for source, df in src.items():
        d = pd.DataFrame({"source": source, "record_id": df.record_id.to_numpy(),
                          "file": np.array(file_names[source], dtype=object)[df.file.to_numpy()],
                          "person_key": keys[df.person.to_numpy()], "noise": df.noise.to_numpy(),
                          "bad": df.bad.to_numpy() if "bad" in df.columns else "",
                          "name_as_written": df.name.to_numpy(), "id_as_written": df.id_number.to_numpy()})
        for c in SOURCE_COLUMNS:
            col = "account_full" if c == "account_number" else c
            if col in df.columns:
                d[c] = df[col].to_numpy()
        frames.append(d)
    out = pd.concat(frames, ignore_index=True)
    for c in ("period", "registration_date", "as_of_date"):
        out[c] = pd.to_datetime(out[c]).dt.date
    return out[["source", "record_id", "file", "person_key", "noise", "bad", "name_as_written", "id_as_written",
                *SOURCE_COLUMNS]]


def write(truth_dir: Path, tables: dict[str, pd.DataFrame], manifest: dict) -> None:
    truth_dir.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        df.to_parquet(truth_dir / f"{name}.parquet", index=False, compression="zstd")
    (truth_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                             encoding="utf-8")
