"""The analyst copy: a consistent, read-only, pseudonymised copy of the last completed pass.

DuckDB lets one process hold a database file, and a reader blocks the writer too
(stack-notes), so analysts never open `warehouse.duckdb`. After every completed pass:

1. `stage_copy` — with the pass lock still held and the pass's connection closed (its last act
   was CHECKPOINT): copy the file to `<root>/.analyst.<run>.duckdb.part`. ~1 s per GB.
2. `publish` — under the snapshot lock only (the next pass may already be running): build a NEW
   database from the copy (attached read-only), every ID number replaced by a pseudonymous
   person key and ID-like text in free-text columns (names included) masked, views recreated,
   `snapshot_info` recorded; CHECKPOINT, close, then `os.replace` it onto `<root>/analyst.duckdb`
   (owner-only).
   A fresh file, because DuckDB keeps replaced data in free blocks: a copy edited in place still
   holds every ID in its bytes. The rename is atomic; a reader that has the old file open keeps
   reading the old copy, the next reader opens the new one.

Analysts read it through `query_copy` (`hhverify sql`), which opens the copy read-only with
DuckDB's external access off and its configuration locked: a query sees the copy's tables and no
other file (not the live warehouse, not `.secrets/`).

The person key is `P` + the first 16 hex digits of HMAC-SHA256(secret, normalised ID): the same
person has the same key in every table and every snapshot, and nobody without the secret can
go from a key back to an ID by hashing candidate IDs. Bank account numbers get keys the same way
(`A…`), so accounts stay distinct without being readable. The secret is created once per data root
in `<root>/.secrets/analyst-key` (directory 0700, file 0600). Columns keep their names
(`id_number` holds the key) so every view and the README's queries work unchanged.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import shutil
import unicodedata
from pathlib import Path

import duckdb
import pyarrow as pa

from reports.masking import FULL_ID_RE
from warehouse.connection import TIME_ZONE, memory_limit

ANALYST_DB = "analyst.duckdb"
SECRET_FILE = Path(".secrets") / "analyst-key"
# A run of 15+ digits (ASCII or full-width), with the spaces or hyphens clerks type, ending in
# a digit or X: an ID number, or a bank account, written into free text. Both are masked.
ID_LIKE = r"[0-9０-９][0-9０-９ \-]{13,21}[0-9０-９XxＸｘ]"
MASKED_LIKE = r"[0-9０-９]{0,6}[*＊]{4,}[0-9０-９]{3}[0-9０-９XxＸｘ]"
"""An ID (or account) as a human-facing output masks it (`mask_id`: 140105********1233). In the copy
it is no mask: the birthplace and birth date columns hold the 14 characters the mask does not show
(a privacy probe glued audit.id_masked to applicant_members.id_birth_date and read 784 full IDs).
The copy has person keys to join on; a masked ID in it becomes `[ID]`, as a full one does."""
_NOT_A_RUN = "(^|^T|[^0-9０-９T]|[^0-9０-９]T)"
"""What may stand before ID-like text to be masked: not a run id's 20261201T103408-61856984 (a crash
hunt's runs.message read quality/20261201T[ID]/index.html, the steward's link broken)."""
KEYED = {"id_number": "P", "id_raw": "P", "account_number": "A"}
"""Columns whose values become keys: ID numbers (person keys) and bank account numbers."""
# Free-text columns that can quote an ID: raw rows, parser reasons, matcher evidence, messages.
# Names count as free text: a department that typed the ID into the name column loads it there
# (and into the name caches), and reviewers' notes and quarantine reasons quote what they saw.
# So does whatever a clerk types by hand: a consent reference written 授权<the person's ID> came
# out in full in applicant_members and audit (a privacy probe), as could a payer or bank name
# and the figures and sources written from them.
FREE_TEXT = ("id_reason", "extra", "raw_value", "raw_row", "evidence", "message", "before", "after",
             "reason", "note", "name", "name_raw", "name_std", "pinyin", "member_name", "m_name",
             "address", "location", "employer", "withholding_agent", "consent_ref", "institution",
             "organisation", "last_note", "summary", "income_sources", "vehicles", "properties", "unverified",
             "outputs", "sources_consulted", "id_masked")


KEY_TEXT = ("record_id", "household_id", "request_id", "file", "path", "report_path", "certificate_number")
"""Columns that are keys (joined on) and may hold an ID number inside them: a record_id built as
<ID>-<month>, a household or request numbered by a person's ID, a file named after one. Each ID
inside them becomes its person key, the same in every table, so joins still hold (a privacy probe
read full IDs in tax.record_id, links, files.path and requests.request_id of the copy)."""


def _keyed_text(secret: bytes, text: str) -> str:
    """`text` with every ID number in it (`reports.masking.FULL_ID_RE`: 18 or 15 characters, not part
    of a longer run of digits, whose birth date is a date) replaced by the person key of its digits
    (separators dropped, full width folded, x upper case), as the ID columns are keyed; the rest as
    it is (a month-of-life probe's bank record_id B0001-2025-10-31 was keyed whole, and no report's
    record_id could be found in the copy)."""
    def key(m: re.Match) -> str:
        digits = re.sub(r"[^0-9Xx]", "", m.group(0)).upper()
        born = digits[6:14] if len(digits) == 18 else "19" + digits[6:12]
        dated = born.isdigit() and 1 <= int(born[4:6]) <= 12 and 1 <= int(born[6:8]) <= 31
        return person_key(secret, digits) if dated else m.group(0)
    return FULL_ID_RE.sub(key, unicodedata.normalize("NFKC", text))


def secret_key(root: Path) -> bytes:
    """The root's pseudonymisation secret, created on first use (owner-only)."""
    path = Path(root) / SECRET_FILE
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    return secret_key(root)


def person_key(secret: bytes, id_text: str, prefix: str = "P") -> str:
    """Pseudonymous key of one ID number (or, prefix "A", of a bank account number).

    Example:
        >>> person_key(b"k", "140105199003071045")
        'P8d906258c12b72a2'
    """
    return prefix + hmac.new(secret, id_text.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def stage_copy(root: Path, run_id: str) -> Path:
    """Copy the closed, checkpointed warehouse beside it; call with the pass lock held."""
    root = Path(root)
    live = root / "warehouse.duckdb"
    tmp = root / f".analyst.{run_id}.duckdb.part"
    wal = live.with_name(live.name + ".wal")
    try:
        shutil.copyfile(live, tmp)
        os.chmod(tmp, 0o600)
        if wal.exists():  # not after a clean close; if it is there, it belongs to the copy
            shutil.copyfile(wal, tmp.with_name(tmp.name + ".wal"))
    except BaseException:
        for part in (tmp, tmp.with_name(tmp.name + ".wal")):   # half a copy is no copy: give the space back
            part.unlink(missing_ok=True)
        raise
    return tmp


NOT_COPIED = ("match_units", "match_identities", "match_rows", "match_index_batches", "match_org_keys",
              "match_id_repairs", "match_id_repaired", "match_address_parts", "review_secret")
"""The linker's index (`matching.index`): derived from the source tables, rebuilt from them at will,
of no use to an analyst, and as many rows again as the sources to key and mask; and what the
linker keeps of distinct values (`matching.memo`), whose repair codes are ID numbers as integers; and the
secret of the review keys (`review.keys.review_secret`)."""


def _tables(con, catalog: str) -> dict[str, list[tuple[str, str]]]:
    """Base tables of `catalog` with their (column, type), in column order (but `NOT_COPIED`)."""
    rows = con.execute("SELECT table_name, column_name, data_type FROM information_schema.columns "
                       "WHERE table_catalog = ? AND table_schema = 'main' AND table_name IN (SELECT table_name FROM "
                       "information_schema.tables WHERE table_catalog = ? AND table_schema = 'main' "
                       "AND table_type = 'BASE TABLE') ORDER BY table_name, ordinal_position", [catalog, catalog]).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        if table not in NOT_COPIED:
            out.setdefault(table, []).append((column, kind))
    return out


def copy_table_sql(table: str, columns: list[tuple[str, str]], source: str = "live") -> str:
    """CREATE the analyst table from `<source>.<table>`: keys for ID and account columns, masks in free text."""
    names = {c for c, _ in columns}
    select, joins = [], ""
    if "account_number" in names:
        joins += " LEFT JOIN id_keys a ON a.v = t.account_number"
    if "id_number" in names:
        joins += " LEFT JOIN id_keys n ON n.v = t.id_number"
        if "id_raw" in names:  # a raw ID that normalised takes its number's key; an invalid one its own
            joins += " LEFT JOIN id_keys r ON r.v = t.id_raw"
    for c, kind in columns:
        if c in KEY_TEXT and kind == "VARCHAR":
            joins += f" LEFT JOIN text_keys x_{c} ON x_{c}.v = t.{c}"
            select.append(f"coalesce(x_{c}.k, t.{c}) AS {c}")
        elif c == "id_number":
            select.append("n.k AS id_number")
        elif c == "id_raw":
            select.append("coalesce(n.k, r.k) AS id_raw")
        elif c == "account_number":
            select.append("a.k AS account_number")
        elif c in FREE_TEXT and kind == "VARCHAR":
            select.append(f"regexp_replace(t.{c}, '{_NOT_A_RUN}({MASKED_LIKE}|{ID_LIKE})', '\\1[ID]', 'g') AS {c}")
        else:
            select.append(f"t.{c}")
    return f"CREATE OR REPLACE TABLE main.{table} AS SELECT {', '.join(select)} FROM {source}.{table} t{joins}"


def _make_keys(con, tables: dict, catalog: str, secret: bytes) -> int:
    """TEMP table `id_keys` (value → key) for every ID and account value in `catalog`; returns the person keys.

    The distinct values of every keyed column are gathered in one query (at 100,000 households,
    3.7 M of them, repeated across tables: fetched table by table into a dict this took 32 s).
    A value written both as an ID number and as an account number is keyed as a person.
    """
    parts = [f"SELECT {c} AS v, '{prefix}' AS p FROM {catalog}.{t} WHERE {c} IS NOT NULL"
             for t, cols in tables.items() for c, prefix in KEYED.items() if c in {name for name, _ in cols}]
    values = (con.sql(f"SELECT v, max(p) AS p FROM ({' UNION ALL '.join(parts)}) GROUP BY v").fetchnumpy()
              if parts else {"v": [], "p": []})
    keys = [p + hmac.digest(secret, v.encode("utf-8"), "sha256")[:8].hex()   # = person_key(secret, v, p)
            for v, p in zip(values["v"], values["p"])]
    con.register("id_keys_src", pa.table({"v": pa.array(values["v"], pa.string()), "k": pa.array(keys, pa.string())}))
    con.execute("CREATE OR REPLACE TEMP TABLE id_keys AS SELECT * FROM id_keys_src")
    con.unregister("id_keys_src")
    texts = [f"SELECT {c} AS v FROM {catalog}.{t} WHERE length({c}) >= 15 AND regexp_matches({c}, '{ID_LIKE}')"
             for t, cols in tables.items() for c, kind in cols if c in KEY_TEXT and kind == "VARCHAR"]
    found = [v for (v,) in con.execute(f"SELECT DISTINCT v FROM ({' UNION ALL '.join(texts)})").fetchall()] if texts else []
    con.register("text_keys_src", pa.table({"v": pa.array(found, pa.string()),
                                            "k": pa.array([_keyed_text(secret, v) for v in found], pa.string())}))
    con.execute("CREATE OR REPLACE TEMP TABLE text_keys AS SELECT * FROM text_keys_src")
    con.unregister("text_keys_src")
    return sum(1 for p in values["p"] if p == "P")


def pseudonymise(con: duckdb.DuckDBPyConnection, secret: bytes) -> int:
    """Replace ID and account numbers with keys and mask ID-like free text in `con`'s own tables.

    In place, so for scratch databases and tests only: the file still holds the old values in
    its free blocks. What leaves the pipeline is built by `build` into a fresh file.
    """
    catalog = con.execute("SELECT current_database()").fetchall()[0][0]
    tables = _tables(con, catalog)
    n = _make_keys(con, tables, catalog, secret)
    for t, cols in tables.items():
        con.execute(copy_table_sql(t, cols, source=catalog))
    return n


def build(con: duckdb.DuckDBPyConnection, staged: Path, secret: bytes) -> int:
    """Fill the empty database `con` from the staged copy: tables pseudonymised, views recreated.

    Written into a fresh file, never edited in place: a DuckDB file keeps the bytes of replaced
    or dropped data in its free blocks, so a copy edited in place would still hold every ID.
    Returns the number of person keys made.
    """
    con.execute(f"ATTACH '{staged}' AS live (READ_ONLY)")
    tables = _tables(con, "live")
    n = _make_keys(con, tables, "live", secret)
    for t, cols in tables.items():
        con.execute(copy_table_sql(t, cols))
    views = con.execute("SELECT sql FROM duckdb_views() WHERE database_name = 'live' AND NOT internal").fetchall()
    con.execute("DETACH live")
    pending = [sql for (sql,) in views]
    while pending:  # a view may read another view: create in whatever order binds
        failed = []
        for sql in pending:
            try:
                con.execute(sql)
            except duckdb.CatalogException:
                failed.append(sql)
        if len(failed) == len(pending):
            raise RuntimeError(f"analyst copy: views that cannot be created: {failed}")
        pending = failed
    return n


def publish(root: Path, staged: Path, run_id: str) -> Path:
    """Build the analyst copy from the staged one and move it onto `<root>/analyst.duckdb`;
    call under the snapshot lock."""
    root = Path(root)
    target = root / ANALYST_DB
    out = staged.with_name(staged.name.replace(".duckdb.part", ".analyst.part"))
    for stale in root.glob(".analyst.*.part*"):  # left by a publisher that died; we hold the lock
        if not stale.name.startswith(staged.name):
            stale.unlink(missing_ok=True)
    try:
        con = duckdb.connect(str(out))
        try:
            os.chmod(out, 0o600)
            con.execute("SET enable_progress_bar = false")
            # DuckDB's own default is 80 % of the machine; this copy is built while the next pass
            # may already hold its share, so it gets the same limit as the warehouse
            con.execute(f"SET memory_limit = '{memory_limit()}'")
            n = build(con, staged, secret_key(root))
            # every time in the warehouse is Asia/Shanghai wall-clock time, without a zone
            # (warehouse.connection): the copy's own time too, or an analyst comparing it with
            # runs.finished_at in a UTC session finds the copy published before its pass ended
            con.execute(f"SET TimeZone = '{TIME_ZONE}'")
            con.execute("CREATE TABLE snapshot_info AS SELECT ? AS run_id, CAST(now() AS TIMESTAMP) AS published_at, "
                        "? AS person_keys, 'id_number and id_raw hold pseudonymous person keys (HMAC-SHA256), "
                        "not ID numbers; ID-like text in free-text and name columns is masked as [ID]' AS note",
                        [run_id, n])
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(out, target)
    finally:
        for leftover in (staged, staged.with_name(staged.name + ".wal"), out, out.with_name(out.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return target


class QueryError(ValueError):
    """An analyst's query that cannot run: empty, unparsable, or failing in DuckDB."""


class QueryRefused(QueryError):
    """An analyst's query that reaches past the copy's tables: other files, ATTACH, settings, writes."""


ANALYST_ONLY = ("analysts can only query the tables of the analyst copy ({name}, the last completed pass): "
                "SELECT statements, and temporary tables to feed them, are accepted; reading or writing any "
                "other file, ATTACH, INSTALL/LOAD, SET and changes to the copy are not")


def open_copy(path: Path) -> duckdb.DuckDBPyConnection:
    """The analyst copy, opened so that a query can read its tables and touch no other file.

    `enable_external_access=false` shuts out COPY TO, ATTACH, read_csv/read_blob/glob, EXPORT and
    extension loading, so a query can neither overwrite nor attach the live warehouse (which would
    hand out real ID numbers and lock the next pass out of it) nor read `.secrets/`.
    `lock_configuration`, set before any query runs, keeps a query from SETting anything back. The
    copy is read-only too. The session's zone is the warehouse's (Asia/Shanghai): `now()` and the
    stored times agree.
    """
    con = duckdb.connect(str(path), read_only=True,
                         config={"enable_external_access": False, "memory_limit": memory_limit()})
    con.execute(f"SET TimeZone = '{TIME_ZONE}'")   # (ICU, which TimeZone needs, loads only once connected)
    con.execute("SET lock_configuration = true")
    return con


def _refusal(exc: duckdb.Error) -> bool:
    text = str(exc)
    return (isinstance(exc, duckdb.PermissionException) or "configuration has been locked" in text
            or "read-only mode" in text)


def one_line(exc: duckdb.Error) -> str:
    """DuckDB's message on one line, as the README promises a failed query: its first line (the
    kind, `Binder Error: …`), its hints (`Candidate bindings: …`, `Did you mean …?`) after it, and
    the `LINE 1: …` and `^^^` under it as where the query went wrong.

    Example:
        >>> one_line(duckdb.ParserException('Parser Error: syntax error at or near "SELEC"\\n\\n'
        ...                                  'LINE 1: SELEC 1\\n        ^^^^^'))
        'Parser Error: syntax error at or near "SELEC" (line 1, at "SELEC")'
    """
    lines = str(exc).splitlines()
    said, where = [], ""
    for line, below in zip(lines, lines[1:] + [""]):
        shown = re.match(r"LINE (\d+): ", line)
        if shown and below.lstrip().startswith("^"):
            start = below.index("^")
            near = line[start:start + below.count("^")].strip()
            named = re.findall(r'"([^"]+)"', lines[0])
            # DuckDB places the caret in the whole query's text for a later statement: a caret not on
            # the name the error quotes is left out (an adversarial probe read 'at "tax"' for "nope")
            if named and near and not any(n in near or near in n for n in named):
                near = None
            where = (f' (line {shown[1]}, at "{near}")' if near else f" (line {shown[1]}, at the end)"
                     if near == "" else "")
        elif line.strip() and not shown and not line.lstrip().startswith("^"):
            said.append(line.strip())
    return " ".join(said) + where


def query_copy(path: Path, query: str) -> list[tuple[str, list[str], list[tuple]]]:
    """Run every statement of `query` on the analyst copy at `path`, in order.

    Returns (statement, columns, rows) per statement; a statement without a result (CREATE TEMP
    TABLE …) has no columns. Raises QueryRefused for a statement reaching past the copy's tables,
    and QueryError for an empty query or one DuckDB cannot run.
    """
    path = Path(path)
    con = open_copy(path)
    try:
        try:
            statements = con.extract_statements(query)
        except duckdb.Error as exc:
            raise QueryError(one_line(exc)) from exc
        if not statements:
            raise QueryError("the query holds no SQL statement (it is empty, or only ';', blanks or comments); "
                             "give one, e.g. \"SELECT outcome, count(*) FROM household_assessment GROUP BY 1\"")
        results = []
        for i, statement in enumerate(statements, 1):
            try:
                res = con.execute(statement)
                columns = [c[0] for c in res.description] if res.description else []
                rows = res.fetchall() if res.description else []
            except duckdb.Error as exc:
                which = f"statement {i} of {len(statements)}: " if len(statements) > 1 else ""
                if _refusal(exc):
                    raise QueryRefused(f"query refused: {which}{ANALYST_ONLY.format(name=path.name)}. DuckDB said: "
                                       f"{str(exc).splitlines()[0]}") from exc
                raise QueryError(which + one_line(exc)) from exc
            results.append((statement.query.strip(), columns, rows))
        return results
    finally:
        con.close()
