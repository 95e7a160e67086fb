"""Value parsers: one raw cell in, one canonical value out, `ValueError` for bad input.

Every error message says what was received and what would have been accepted, because it is
shown to the data clerk who has to fix the file.
"""

from connectors.values.categories import parse_category
from connectors.values.dates import from_excel_serial, parse_date, parse_period, to_excel_serial
from connectors.values.idnumber import IdInfo, check_char, normalise_id_text, parse_id, upgrade_15
from connectors.values.money import parse_money, parse_number, parse_share
from connectors.values.names import normalise_name, to_simplified

__all__ = [
    "IdInfo", "check_char", "from_excel_serial", "normalise_id_text", "normalise_name",
    "parse_category", "parse_date", "parse_id", "parse_money", "parse_number", "parse_period",
    "parse_share", "to_excel_serial", "to_simplified", "upgrade_15",
]
