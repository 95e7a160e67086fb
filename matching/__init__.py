"""Record linkage: source rows to the persons of the households being verified.

`link_work_members` is the probabilistic linker (Fellegi-Sunter with Chinese-aware
comparisons, EM-estimated parameters, term-frequency adjustment); `link_by_id_sql` is the
plain ID-equality floor it is measured against.
"""

from matching.address import parse_address
from matching.comparisons import COMPARISONS, FIELD_LABELS, LEVEL_LABELS, level_of
from matching.id_link import link_by_id_sql
from matching.idrepair import id_repairs
from matching.link import link_work_members
from matching.pinyin import name_pinyin
from matching.settings import MatchSettings
from matching.standardise import normalise_org, standardise_name

__all__ = ["COMPARISONS", "FIELD_LABELS", "LEVEL_LABELS", "MatchSettings", "id_repairs", "level_of", "link_by_id_sql",
           "link_work_members", "name_pinyin", "normalise_org", "parse_address", "standardise_name"]
