"""Which account a bank statement is of, however it writes the number and names the bank, in
Python and in SQL (`account_ident`, `account_ident_sql`): the reading the figures
(`evidence.accounts_sql`), the newer-statement search, what confirming would give
(`financial_if_confirmed`) and the refused-row check (`refused_could_be_newer`) share."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pyarrow as pa

from connectors.values.institution import institution_key
from assessment.facts import refused_cells
from assessment.figures import _counted, exact
from connectors.columns import account_number_column
from connectors.values.dates import parse_date
from matching.sides import ACCOUNT_KEY_SQL
from matching.standardise import account_key, expands, shortened_number

FULL_ACCOUNT_SQL = "regexp_full_match({col}, '[0-9]{{16,}}')"
"""SQL: an account number written in full (`FULL_ACCOUNT`)."""


def account_ident_sql(number: str, bank_key: str, member_full: str) -> str:
    """SQL: the account a number (not shortened, not NULL) names, given the full numbers of the
    member's rows with their banks (`member_full`: a list of {'n': number, 'b': bank key}): a
    full number itself; a shorter number of digits (a passbook's) at its bank; a masked one the
    member's single full number at its bank it could be a copy of, else its masked form at its
    bank (see `accounts_sql`)."""
    key = ACCOUNT_KEY_SQL.format(col=number)
    copies = (f"list_filter({member_full}, lambda x: x.b = {bank_key} "
              f"AND {ACCOUNT_KEY_SQL.format(col='x.n')} = {key})")
    return (f"CASE WHEN {FULL_ACCOUNT_SQL.format(col=number)} THEN {number} "
            f"WHEN regexp_full_match({number}, '[0-9]+') THEN {bank_key} || '#' || {number} "
            f"WHEN len({copies}) = 1 THEN {copies}[1].n ELSE {bank_key} || '#' || {key} END")


FULL_ACCOUNT = re.compile(r"[0-9]{16,}")
"""A card number written in full: a number this long names one account of one bank by itself
(`evidence.accounts_sql`; SQL twin `FULL_ACCOUNT_SQL`); shorter passbook numbers repeat across
banks (an adversarial probe's 12-digit 农业银行 and 邮储 passbooks were one account)."""


def account_ident(number: str | None, bank: str, member_full: set[tuple[str, str]]) -> str | None:
    """The account a number (not shortened) names, given the full numbers of the member's rows and
    their banks (`account_ident_sql`, its SQL twin). None: no number."""
    if number is None:
        return None
    if FULL_ACCOUNT.fullmatch(number):
        return number
    if number.isdigit():
        return f"{bank}#{number}"
    copies = [n for n, b in member_full if b == bank and account_key(n) == account_key(number)]
    return copies[0] if len(copies) == 1 else f"{bank}#{account_key(number)}"


def refused_balance_date(refused: dict) -> date | None:
    """The date a refused bank row's own balance-date cell gives, or None when it gives none."""
    try:
        return parse_date(refused_cells(refused).get("as_of_date"))
    except (ValueError, TypeError):
        return None


def refused_could_be_newer(refused: dict, accounts: list[dict], request_date: date | None = None) -> bool:
    """Whether a member's bank row refused at load (`evidence.refused_sql`) could be a newer
    statement of an account the figures count for them: unless its number names another account
    or its date is not after the counted balance's, it could (an unreadable number or date could
    be anything). A row of another account only adds to a total already over the limit: a bank
    probe's refused 约5000 on another card held a certain fail at review, saying it might be the
    newer balance."""
    cells = refused_cells(refused)
    if not cells:
        return True
    number = account_number_column(pa.array([cells.get("account_number")], pa.string()))[0].as_py()
    day = refused_balance_date(refused)
    if day is not None and request_date is not None and day > request_date:
        return False      # dated after the request: no balance the figures read could it replace
    mine = [a for a in accounts if a["member_no"] == refused["member_no"]]
    full = {(a["account_number"], institution_key(a["institution"])) for a in mine
            if FULL_ACCOUNT.fullmatch(a.get("account_number") or "")}
    bank = institution_key(str(cells.get("institution") or ""))
    ident = None if number is None or shortened_number(number) else account_ident(number, bank, full)
    for a in mine:
        if not _counted(a):
            continue
        own = a.get("account_number") or None
        same = ident is None or own is None or ident == account_ident(own, institution_key(a["institution"]), full)
        if same and (day is None or day > a["as_of_date"]):
            return True
    return False


def financial_if_confirmed(accounts: list[dict], member_nos: set[int]) -> Decimal:
    """The members' financial total were every pending (review) balance confirmed: each numbered
    account's (`account_ident`) latest row per product (the smaller of two on one date), each
    unnumbered product's rows on its latest date — the selection `evidence.accounts_sql` makes
    before any link is waited on."""
    mine = [a for a in accounts if a["member_no"] in member_nos]
    full: dict = {}
    member_full: dict = {}
    for a in mine:
        number = (a.get("account_number") or "").strip()
        if FULL_ACCOUNT.fullmatch(number):
            bank = institution_key(a["institution"])
            full.setdefault((a["member_no"], bank, a["product_type"]), set()).add(number)
            member_full.setdefault(a["member_no"], set()).add((number, bank))
    latest: dict = {}
    for a in mine:
        bank = institution_key(a["institution"])
        owner = (a["member_no"], bank, a["product_type"])
        number = (a.get("account_number") or "").strip() or None
        if shortened_number(number):   # the full number it begins with, when exactly one does
            matches = [f for f in full.get(owner, ()) if expands(number, f)]
            ident = matches[0] if len(matches) == 1 else None
        else:
            ident = account_ident(number, bank, member_full.get(a["member_no"], set()))
        # a card number is one account however many members' statements carry it (`accounts_sql`)
        holder = None if ident is not None and FULL_ACCOUNT.fullmatch(ident) else a["member_no"]
        latest.setdefault((holder, bank if ident is None else None, ident, a["product_type"]), []).append(a)
    total = Decimal(0)
    for (_, _, ident, _), rows in latest.items():
        newest = max(r["as_of_date"] for r in rows)
        on_date = [r for r in rows if r["as_of_date"] == newest]
        if ident is not None:
            on_date = [min(on_date, key=lambda r: (exact(r["balance"]), [-ord(c) for c in r["record_id"]]))]
        total += sum((exact(r["balance"]) for r in on_date), Decimal(0))
    return total
