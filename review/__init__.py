"""Clerical review (issue #8): uncertain links answered by people, and remembered.

    rows = review_rows(con, request_id)                      # report stage: the questions
    write_review_sheet(out_dir, rows, agency, request_id)    # -> review.xlsx + review.html
    is_review_sheet(path)                                    # inbox discovery: an answer sheet?
    decisions, errors = parse_review_sheet(con, path, agency, file_hash)
    store_decisions(con, decisions, run_id)                  # append-only review_decision_log
    write_error_report(rejected_dir, path.name, errors)      # <file>.error.txt
    run_sql(con, apply_decisions_sql(run_id))                # right after linking
    read_queue(root, agency)                                 # the open queue (hhverify review)

Modules: ``keys`` (复核编号, evidence hash, the pair, decision words), ``evidence`` (display
text), ``export`` (rows + files), ``workbook`` (xlsx), ``page`` (HTML), ``intake`` (answers
in), ``messages`` (problems + error note), ``apply`` (SQL), ``queue`` (open questions).
"""

from review.apply import ANSWERS, affected_households_sql, apply_decisions_sql
from review.export import link_rows, review_rows, review_rows_for, write_review_sheet
from review.intake import is_review_sheet, parse_review_sheet, store_decisions
from review.keys import ACCEPTED_DECISIONS, decode_key, encode_key, parse_decision
from review.messages import ReviewError, write_error_report
from review.queue import QueueUnavailable, open_queue, read_queue

__all__ = [
    "ACCEPTED_DECISIONS",
    "ANSWERS",
    "QueueUnavailable",
    "ReviewError",
    "affected_households_sql",
    "apply_decisions_sql",
    "decode_key",
    "encode_key",
    "is_review_sheet",
    "link_rows",
    "open_queue",
    "parse_decision",
    "parse_review_sheet",
    "read_queue",
    "review_rows",
    "review_rows_for",
    "store_decisions",
    "write_error_report",
    "write_review_sheet",
]
