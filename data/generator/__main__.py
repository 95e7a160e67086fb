"""`python -m data.generator --root data --households 2000 --seed 7 [--as-of 2026-11-28]`"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

from . import generate

if __name__ == "__main__":
    ap = argparse.ArgumentParser(prog="python -m data.generator", description=__doc__)
    ap.add_argument("--root", type=Path, default=Path("data"))
    ap.add_argument("--households", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
    ap.add_argument("--truth-dir", type=Path, default=None)
    a = ap.parse_args()
    started = time.perf_counter()
    summary = generate(a.root, a.households, a.seed, a.as_of, a.truth_dir)
    summary["seconds"] = round(time.perf_counter() - started, 2)
    print(json.dumps(summary, ensure_ascii=False, indent=2))
