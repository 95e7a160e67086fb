"""Fuzz the readers with whole files built at random, and run the corpus of hostile files.

    .venv/bin/python bench/fuzz.py                       # 2,000 random CSV and 2,000 JSONL files
    .venv/bin/python bench/fuzz.py --examples 20000 --formats csv --seed 3
    .venv/bin/python bench/fuzz.py --corpus              # tests/test_hostile_files.py's cases, measured
    .venv/bin/python bench/fuzz.py --corpus --big-mb 200 # ... with 200 MB "enormous lines"

Random files (the strategies `csv_files` and `jsonl_files`, shared with the property tests in
tests/test_hostile_files.py): headers drawn from the contract's real aliases (decorated the way
departments write them) mixed with junk, cells drawn from realistic values, control characters,
quotes and delimiters, written in UTF-8 (with or without BOM), GBK/GB18030, UTF-16 or Latin-1,
then sometimes cut short, sprinkled with random bytes or followed by junk. Every file is read
with `read_source` in this process; the outcome is one of

- clean: loaded, no row errors;
- row errors: loaded, some rows reported, every one with a reason;
- rejected: `FileRejected` with a reason;
- crash: any other exception, or a row error without a reason (the file is saved with
  --save-failures, and the run exits 1).

Prints the count of each outcome, the commonest rejection and row-error reasons, and the slowest
files. The corpus mode reads each hostile case in a child process, like the test, and prints its
outcome, time and peak RSS. Nothing here runs in `make test`; the test runs the same strategies
with 30 examples each.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import importlib.util
import io
import json
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from connectors import FileRejected, read_source  # noqa: E402
from connectors.schema import TABLES  # noqa: E402
from connectors.values import check_char  # noqa: E402

SOURCES = sorted(TABLES)


@dataclass(frozen=True)
class Delivery:
    """A file to read: which table it should hold, its suffix and its bytes."""

    source: str
    suffix: str
    data: bytes

    def __repr__(self) -> str:  # hypothesis prints failing examples: keep them readable
        return f"Delivery({self.source!r}, {self.suffix!r}, {self.data[:400]!r}{'...' if len(self.data) > 400 else ''})"


@dataclass(frozen=True)
class Outcome:
    kind: str            # clean, row errors, rejected, crash
    detail: str = ""     # the rejection reason, the commonest row error, or the traceback
    rows: int = 0
    errors: int = 0
    seconds: float = 0.0


def read_delivery(delivery: Delivery, read: Callable = read_source) -> Outcome:
    """Write the delivery to a temporary file, read it, and say what happened."""
    with tempfile.TemporaryDirectory(prefix="hhfuzz-") as folder:
        path = Path(folder) / f"delivery{delivery.suffix}"
        path.write_bytes(delivery.data)
        start = time.perf_counter()
        try:
            result = read(delivery.source, path, agency_default="agency")
        except FileRejected as exc:
            seconds = time.perf_counter() - start
            if not isinstance(exc.reason, str) or not exc.reason.strip():
                return Outcome("crash", f"a rejection without a reason: {exc!r}", seconds=seconds)
            return Outcome("rejected", exc.reason, seconds=seconds)
        except Exception:  # noqa: BLE001 - anything else is what we are looking for
            return Outcome("crash", traceback.format_exc(limit=8), seconds=time.perf_counter() - start)
        seconds = time.perf_counter() - start
    reasons = result.errors.column("reason").to_pylist()
    numbers = result.errors.column("row_number").to_pylist()
    if any(not isinstance(r, str) or not r.strip() for r in reasons) or None in numbers:
        return Outcome("crash", "a row error without a reason or row number", result.rows.num_rows,
                       len(reasons), seconds)
    if not reasons:
        return Outcome("clean", "", result.rows.num_rows, 0, seconds)
    return Outcome("row errors", Counter(reasons).most_common(1)[0][0], result.rows.num_rows, len(reasons), seconds)


# --- strategies -------------------------------------------------------------------------------

def _spellings(source: str) -> dict[str, list[str]]:
    return {f.name: [f.name, *f.aliases] for f in TABLES[source].fields}


def _decorate(spelling: str, how: str) -> str:
    """A header as departments write it: `*收入额（元）`, ` 姓名 `, full-width letters."""
    if how == "star":
        return "*" + spelling
    if how == "unit":
        return spelling + "（元）"
    if how == "spaces":
        return f" {spelling} "
    if how == "fullwidth":
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in spelling)
    if how == "upper":
        return spelling.upper()
    return spelling


DECORATIONS = ("plain", "plain", "plain", "star", "unit", "spaces", "fullwidth", "upper")
CONTROL = "".join(chr(c) for c in range(1, 32)) + "\x7f\x85\u2028\u2029\ufeff\u200b"  # NUL: see _mutate
REALISTIC = (
    "140105198503071234", "14010519850307123X", "14010519850307123x", "140105850307123",
    "1401 0519 8503 0712 34", "１４０１０５１９８５０３０７１２３４", "110101190001011234", "",
    "2024-03-05", "2024/3/5", "20240305", "2024年3月5日", "45356", "2024-02-30", "2024-03", "202403",
    "2024年3月", "1,234.50", "￥1234.5", "1234.5元", "-5", "1.5万", "1e400", "NaN", "0.5", "单独所有",
    "张三", "欧阳 娜娜", "阿卜杜拉·买买提", "Zhang San", "张三3", "晋A12345", "工资薪金", "小型轿车",
    "正常", "住宅", "缴费", "活期存款", "dibao", "低保", "户主", "男", "有", "一级", "T1", "0012",
)


def _cells() -> st.SearchStrategy[str]:
    realistic = [*REALISTIC]
    for table in TABLES.values():
        for field in table.fields:
            realistic.extend(field.allowed)
            realistic.extend(field.labels)
    return st.one_of(
        st.sampled_from(sorted(set(realistic))),
        st.sampled_from(sorted(set(realistic))),
        st.text(max_size=24),
        st.text(alphabet=CONTROL, max_size=4),
        st.text(alphabet='",\t|;\n\r\\ \'　', max_size=6),
        st.from_regex(r"[0-9]{1,20}(\.[0-9]{0,4})?", fullmatch=True),
    )


def _valid_values(field) -> st.SearchStrategy[str]:
    """Values a department would write for the field, in the spellings the contract accepts."""
    kind = field.kind
    if kind == "id_number":
        return st.from_regex(r"14[0-9]{4}(19[5-9][0-9]|20[01][0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}",
                             fullmatch=True).map(lambda first17: first17 + check_char(first17))
    if kind in ("date", "period"):
        return st.dates(min_value=date(1950, 1, 1), max_value=date(2026, 1, 1)).flatmap(
            lambda d: st.sampled_from([d.isoformat(), f"{d.year}/{d.month}/{d.day}", d.strftime("%Y%m%d"),
                                       f"{d.year}年{d.month}月{d.day}日", d.strftime("%Y-%m")]))
    if kind == "money":
        return st.decimals(min_value=0, max_value=10 ** 9, places=2).flatmap(
            lambda v: st.sampled_from([str(v), f"{v:,}", f"￥{v}", f"{v}元"]))
    if kind in ("number", "share"):
        return st.sampled_from(["1", "2", "3", "0.5", "1.0", "100", "单独所有"])
    if kind == "name":
        return st.sampled_from(["张三", "李四", "王小明", "欧阳娜娜", "阿卜杜拉·买买提", "Zhang San"])
    if kind == "category" and (field.allowed or field.labels):
        return st.sampled_from(sorted({*field.allowed, *field.labels}))
    return st.text(alphabet="ABCT0123456789晋太原市区", min_size=1, max_size=12)


def _header(draw, source: str) -> tuple[list[str], list]:
    """(header names, the field each names or None): mostly the table's fields, decorated."""
    spellings = _spellings(source)
    junk = st.one_of(st.text(max_size=12), st.sampled_from(["", "row_number", "备注", "序号", "column_3"]))
    if draw(st.integers(0, 9)) < 7:  # mostly a header that names the table's fields
        fields = [f for f in TABLES[source].fields if f.required or draw(st.booleans())]
        columns = [(_decorate(draw(st.sampled_from(spellings[f.name])), draw(st.sampled_from(DECORATIONS))), f)
                   for f in fields]
        columns += [(draw(junk), None) for _ in range(draw(st.integers(0, 3)))]
        columns = draw(st.permutations(columns))
        return [name for name, _ in columns], [f for _, f in columns]
    pool = [s for names in spellings.values() for s in names]
    names = draw(st.lists(st.one_of(st.sampled_from(pool), junk), min_size=1, max_size=12))
    return names, [None] * len(names)


def _row(draw, fields: list) -> list[str]:
    """A row: mostly values valid for each column's field, some junk; sometimes short or long."""
    row = [draw(_valid_values(f)) if f is not None and draw(st.integers(0, 9)) < 8 else draw(_cells())
           for f in fields]
    change = draw(st.sampled_from(["none", "none", "none", "none", "drop", "add"]))
    if change == "drop" and row:
        row.pop()
    elif change == "add":
        row.append(draw(_cells()))
    return row


def _mutate(draw, data: bytes) -> bytes:
    how = draw(st.sampled_from(["none", "none", "none", "truncate", "insert", "append", "bom", "nul"]))
    if not data or how == "none":
        return data
    at = draw(st.integers(0, len(data)))
    if how == "truncate":
        return data[:at]
    if how == "insert":
        return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    if how == "append":
        return data + draw(st.binary(max_size=64))
    if how == "bom":
        return draw(st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])) + data
    return data[:at] + b"\x00" + data[at:]


def _encode(draw, text: str) -> bytes:
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "latin-1"]))
    return text.encode(encoding, errors="replace")


@st.composite
def csv_files(draw, max_rows: int = 25) -> Delivery:
    """A delimited text file for a random table: see the module docstring."""
    source = draw(st.sampled_from(SOURCES))
    header, fields = _header(draw, source)
    rows = [_row(draw, fields) for _ in range(draw(st.integers(0, max_rows)))]
    delimiter = draw(st.sampled_from([",", ",", "\t", "|", ";"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    if draw(st.booleans()):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows([header, *rows])
        text = buffer.getvalue()
    else:  # written without quoting, as some exports do: delimiters in values make ragged rows
        text = newline.join(delimiter.join(row) for row in [header, *rows]) + draw(st.sampled_from([newline, ""]))
    if draw(st.integers(0, 9)) == 0:
        text = draw(st.sampled_from(["2024年3月个人所得税明细\n", "单位：元\n\n", "\n\n"])) + text
    return Delivery(source, draw(st.sampled_from([".csv", ".txt", ".tsv"])), _mutate(draw, _encode(draw, text)))


def _json_values(max_leaves: int = 6) -> st.SearchStrategy:
    scalars = st.one_of(_cells(), st.integers(), st.floats(), st.booleans(), st.none(),
                        st.integers(min_value=10 ** 17, max_value=10 ** 19))
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                          st.dictionaries(st.text(max_size=5), inner, max_size=3)),
                        max_leaves=max_leaves)


@st.composite
def jsonl_files(draw, max_lines: int = 25) -> Delivery:
    """A JSON Lines file for a random table: objects, junk lines, non-objects; see the module docstring."""
    source = draw(st.sampled_from(SOURCES))
    keys, fields = _header(draw, source)
    ascii_only = draw(st.booleans())
    lines = []
    only_objects = draw(st.booleans())  # every line an object: the file takes Arrow's fast path
    for _ in range(draw(st.integers(0, max_lines))):
        kind = "object" if only_objects else draw(st.sampled_from(["object"] * 6 + ["junk", "not an object", "blank"]))
        if kind == "object":
            record = {}
            for key, field in zip(keys, fields):
                if draw(st.integers(0, 29)) == 0:
                    continue  # a key left out of this record
                valid = field is not None and draw(st.integers(0, 9)) < 8
                record[key] = draw(_valid_values(field)) if valid else draw(_json_values())
            lines.append(json.dumps(record, ensure_ascii=ascii_only))
        elif kind == "junk":
            lines.append(draw(st.text(max_size=30)))
        elif kind == "not an object":
            lines.append(json.dumps(draw(_json_values()), ensure_ascii=ascii_only))
        else:
            lines.append("")
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines) + draw(st.sampled_from([newline, ""]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "gb18030"]))
    return Delivery(source, ".jsonl", _mutate(draw, text.encode(encoding, errors="replace")))


STRATEGIES = {"csv": csv_files, "jsonl": jsonl_files}


# --- the command line -------------------------------------------------------------------------

_NUMBERS = re.compile(r"\d[\d,.]*")


def _shape(text: str, width: int = 90) -> str:
    """A reason with its numbers and quoted values blanked, so that alike reasons count together."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", text)
    return _NUMBERS.sub("N", text)[:width]


def fuzz(fmt: str, examples: int, seed_value: int, save: Path | None) -> int:
    outcomes: Counter = Counter()
    reasons: dict[str, Counter] = {"rejected": Counter(), "row errors": Counter()}
    slowest: list[tuple[float, str, int]] = []
    crashes: list[tuple[Delivery, Outcome]] = []

    @seed(seed_value)
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(delivery=STRATEGIES[fmt]())
    def run(delivery: Delivery) -> None:
        outcome = read_delivery(delivery)
        outcomes[outcome.kind] += 1
        if outcome.kind in reasons:
            reasons[outcome.kind][_shape(outcome.detail)] += 1
        if outcome.kind == "crash":
            crashes.append((delivery, outcome))
        slowest.append((outcome.seconds, outcome.kind, len(delivery.data)))

    start = time.perf_counter()
    run()
    elapsed = time.perf_counter() - start
    total = sum(outcomes.values())
    print(f"\n== {fmt}: {total} random files in {elapsed:.1f} s (seed {seed_value})")
    for kind in ("clean", "row errors", "rejected", "crash"):
        print(f"  {kind:<11} {outcomes[kind]:>6}  ({100 * outcomes[kind] / max(total, 1):.0f} %)")
    for kind, counter in reasons.items():
        print(f"  commonest {'rejections' if kind == 'rejected' else 'row errors'}:")
        for text, count in counter.most_common(8):
            print(f"    {count:>5}  {text}")
    print("  slowest reads:")
    for seconds, kind, size in sorted(slowest, reverse=True)[:3]:
        print(f"    {seconds:6.3f} s  {kind:<11} {size:>7} bytes")
    for number, (delivery, outcome) in enumerate(crashes[:5], start=1):
        print(f"  CRASH {number}: {delivery!r}\n{outcome.detail}")
        if save:
            save.mkdir(parents=True, exist_ok=True)
            target = save / f"{fmt}-crash-{number}-{delivery.source}{delivery.suffix}"
            target.write_bytes(delivery.data)
            print(f"    saved as {target}")
    return len(crashes)


def corpus(big_mb: int | None) -> int:
    """Read every hostile case of the test in a child process; print outcome, time and peak RSS."""
    spec = importlib.util.spec_from_file_location("test_hostile_files", REPO / "tests" / "test_hostile_files.py")
    cases = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = cases  # dataclasses look their module up
    spec.loader.exec_module(cases)
    if big_mb:
        cases.BIG = big_mb << 20
    failed = 0
    print(f"{'case':<44} {'outcome':<9} {'s':>6} {'MiB':>5}  reason / row errors")
    with tempfile.TemporaryDirectory(prefix="hhhostile-") as folder:
        for case in cases.CASES:
            path = Path(folder) / f"delivery{case.suffix}"
            case.build(path)
            size = path.stat().st_size
            try:
                result = cases.read_in_child(case.source, path)
            except Exception as exc:  # noqa: BLE001 - a hang or a dead child: report and go on
                print(f"{case.id:<44} FAILED    {type(exc).__name__}: {str(exc)[:200]}")
                failed += 1
                continue
            finally:
                path.unlink(missing_ok=True)
            ok = result["outcome"] == case.expect
            if result["outcome"] == "rejected":
                said = result["reason"]
            elif result["outcome"] == "loaded":
                said = f"{result['rows']} rows loaded, {result['errors']} row errors: " + "; ".join(result["reasons"][:2])
            else:
                said = result.get("error", "")
            failed += not ok
            print(f"{case.id:<44} {result['outcome']:<9} {result['seconds']:>6.2f} {result['peak_mib']:>5}  "
                  f"{'' if ok else '(expected ' + case.expect + ') '}[{size:,} bytes] {said[:160]}")
    return failed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=2000, help="random files per format")
    ap.add_argument("--formats", default="csv,jsonl", help="comma-separated: csv, jsonl")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--save-failures", type=Path, help="write files that crashed the reader here")
    ap.add_argument("--corpus", action="store_true", help="run the hostile-file corpus instead")
    ap.add_argument("--big-mb", type=int, help="with --corpus: size of the 'enormous line' cases (default 64)")
    args = ap.parse_args()
    if args.corpus:
        sys.exit(1 if corpus(args.big_mb) else 0)
    crashes = sum(fuzz(fmt, args.examples, args.seed, args.save_failures) for fmt in args.formats.split(","))
    sys.exit(1 if crashes else 0)


if __name__ == "__main__":
    main()
