"""Every comparison level, as records: left (a source row), right (a member), expected level.

The levels go through the production SQL (`matching.comparisons`) and standardisation, so a
case here is what the linker sees. See `matching.sides.pair_values` for the keys understood.
"""

import pytest

from connectors.values.idnumber import check_char
from matching import level_of

ID = "14010519900307104X"                 # valid: 1990-03-07, female, 140105
ID_SUB = "14010519900307184X"             # one wrong digit (invalid)
ID_SWAP = "14010519900307014X"            # 0 and 1 swapped (invalid)
ID_SAME_BIRTH = "14020219900307205X"      # another person born the same day
ID_OTHER = "140105198811230016"           # another person
ID_SLIP_VALID = "14010519900307184" + check_char("14010519900307184")   # one wrong digit, check computed afresh
ID_SWAP_VALID = "14010519900307014" + check_char("14010519900307014")   # 0 and 1 swapped, check computed afresh
ID_TWIN = "14010519900307205" + check_char("14010519900307205")       # born the same day in the same county
ID_LOST = "140105199003071000"            # stored as a number in a spreadsheet: 15 digits kept, then zeros

CASES = [
    # --- id_number ---------------------------------------------------------------------------
    {"field": "id_number", "left": {"id_number": ID}, "right": {"id_number": ID}, "expected": "exact"},
    {"field": "id_number", "left": {"id_number": ID, "id_status": "repaired"}, "right": {"id_number": ID},
     "expected": "legacy_equal"},
    {"field": "id_number", "left": {"id_number": ID}, "right": {"id_number": ID, "id_status": "repaired"},
     "expected": "legacy_equal"},
    {"field": "id_number", "left": {"id_number": ID_SUB}, "right": {"id_number": ID}, "expected": "one_substitution"},
    {"field": "id_number", "left": {"id_number": ID}, "right": {"id_number": ID_SWAP}, "expected": "adjacent_swap"},
    {"field": "id_number", "left": {"id_number": ID_SUB}, "right": {"id_number": ID_SWAP},
     "expected": "one_slip_each"},
    {"field": "id_number", "left": {"id_number": ID_SLIP_VALID}, "right": {"id_number": ID},
     "expected": "body_slip"},
    {"field": "id_number", "left": {"id_number": ID}, "right": {"id_number": ID_SWAP_VALID},
     "expected": "body_slip"},
    {"field": "id_number", "left": {"id_number": ID_LOST}, "right": {"id_number": ID}, "expected": "digits_lost"},
    {"field": "id_number", "left": {"id_number": ID}, "right": {"id_number": ID_LOST}, "expected": "digits_lost"},
    {"field": "id_number", "left": {"id_number": "140105199003072000"}, "right": {"id_number": ID},
     "expected": "digits_lost"},          # the 15th digit one up: rounded there when written as 1.4…E+17
    {"field": "id_number", "left": {"id_number": "140105199003073000"}, "right": {"id_number": ID},
     "expected": "same_birth_date"},      # two up: another sequence number
    {"field": "id_number", "left": {"id_number": ID_SAME_BIRTH}, "right": {"id_number": ID},
     "expected": "same_birth_date"},
    {"field": "id_number", "left": {"id_number": ID_OTHER}, "right": {"id_number": ID}, "expected": "different"},
    {"field": "id_number", "left": {"id_number": None}, "right": {"id_number": ID}, "expected": "missing"},
    {"field": "id_number", "left": {"id_number": ID}, "right": {"id_number": None}, "expected": "missing"},
    # --- name --------------------------------------------------------------------------------
    {"field": "name", "left": {"name": "张伟"}, "right": {"name": "张伟"}, "expected": "exact"},
    {"field": "name", "left": {"name": "張偉"}, "right": {"name": "张伟"}, "expected": "exact"},
    {"field": "name", "left": {"name": "张\u3000伟"}, "right": {"name": "张伟"}, "expected": "exact"},
    {"field": "name", "left": {"name": "阿依古丽·买买提"}, "right": {"name": "阿依古丽买买提"}, "expected": "exact"},
    {"field": "name", "left": {"name": "古丽娜尔-库尔班"}, "right": {"name": "古丽娜尔·库尔班"}, "expected": "exact"},
    {"field": "name", "left": {"name": "古丽娜尔－库尔班"}, "right": {"name": "古丽娜尔—库尔班"}, "expected": "exact"},
    {"field": "name", "left": {"name": "李子?"}, "right": {"name": "李子䶮"}, "expected": "wildcard"},
    {"field": "name", "left": {"name": "张伟"}, "right": {"name": "章伟"}, "expected": "same_pinyin"},
    {"field": "name", "left": {"name": "王丽"}, "right": {"name": "汪莉"}, "expected": "same_pinyin"},
    {"field": "name", "left": {"name": "单伟"}, "right": {"name": "善伟"}, "expected": "same_pinyin"},   # 单 shàn
    {"field": "name", "left": {"name": "刘玲"}, "right": {"name": "刘琳"}, "expected": "similar_sound"},  # ling/lin
    {"field": "name", "left": {"name": "陈敏"}, "right": {"name": "陈明"}, "expected": "similar_sound"},
    {"field": "name", "left": {"name": "李妮"}, "right": {"name": "李丽"}, "expected": "similar_sound"},  # n/l
    {"field": "name", "left": {"name": "周芳"}, "right": {"name": "周帆"}, "expected": "similar_sound"},  # fang/fan
    {"field": "name", "left": {"name": "张伟"}, "right": {"name": "张军"}, "expected": "one_char_different"},
    {"field": "name", "left": {"name": "曾伟"}, "right": {"name": "增伟"}, "expected": "same_pinyin"},   # 曾 zēng
    {"field": "name", "left": {"name": "区伟"}, "right": {"name": "欧伟"}, "expected": "same_pinyin"},   # 区 ōu
    # a polyphonic character typed by its other reading (a generator or a clerk reading pypinyin's default)
    {"field": "name", "left": {"name": "郑朝"}, "right": {"name": "郑超"}, "expected": "same_pinyin"},   # 朝 zhāo/cháo
    {"field": "name", "left": {"name": "单伟"}, "right": {"name": "丹伟"}, "expected": "same_pinyin"},   # 单 dān
    {"field": "name", "left": {"name": "曾伟"}, "right": {"name": "层伟"}, "expected": "same_pinyin"},   # 曾 céng
    {"field": "name", "left": {"name": "李乐"}, "right": {"name": "李月"}, "expected": "same_pinyin"},   # 乐 yuè
    {"field": "name", "left": {"name": "王平"}, "right": {"name": "于平"}, "expected": "one_char_different"},  # no 王 yù
    {"field": "name", "left": {"name": "郑朝阳"}, "right": {"name": "郑超"}, "expected": "different"},
    # a rare character typed as its reading in Latin letters, or a whole name in Latin letters
    {"field": "name", "left": {"name": "唐sheng"}, "right": {"name": "唐昇"}, "expected": "same_pinyin"},
    {"field": "name", "left": {"name": "郭Yue"}, "right": {"name": "郭悦"}, "expected": "same_pinyin"},
    {"field": "name", "left": {"name": "ZHANG San"}, "right": {"name": "张三"}, "expected": "same_pinyin"},
    {"field": "name", "left": {"name": "唐sheng"}, "right": {"name": "唐胜利"}, "expected": "different"},
    # given name first, surname last (an export joining 名 and 姓 the wrong way round)
    {"field": "name", "left": {"name": "明文马"}, "right": {"name": "马明文"}, "expected": "surname_last"},
    {"field": "name", "left": {"name": "欧阳锋"}, "right": {"name": "锋欧阳"}, "expected": "surname_last"},
    {"field": "name", "left": {"name": "张明文"}, "right": {"name": "张文明"}, "expected": "different"},
    {"field": "name", "left": {"name": "王建国"}, "right": {"name": "王建华"}, "expected": "one_char_different"},
    # a minority name written two ways, one character apart (an independent probe's 吐逊 / 吐尔逊)
    {"field": "name", "left": {"name": "古丽娜尔·吐逊"}, "right": {"name": "古丽娜尔·吐尔逊"}, "expected": "transliteration"},
    {"field": "name", "left": {"name": "欧阳娜仁"}, "right": {"name": "欧阳娜"}, "expected": "one_char_different"},
    {"field": "name", "left": {"name": "王建国"}, "right": {"name": "李秀英"}, "expected": "different"},
    # --- birth date, sex, birthplace: compared when the member has no ID of their own ---------
    {"field": "birth_date", "left": {"id_number": ID}, "right": {"birth_date": "1990-03-07"}, "expected": "exact"},
    {"field": "birth_date", "left": {"id_number": ID}, "right": {"birth_date": "1990-03-21"},
     "expected": "same_year_month"},
    {"field": "birth_date", "left": {"id_number": ID}, "right": {"birth_date": "1990-11-07"}, "expected": "same_year"},
    {"field": "birth_date", "left": {"id_number": ID}, "right": {"birth_date": "1961-03-07"}, "expected": "different"},
    {"field": "birth_date", "left": {"id_number": ID}, "right": {}, "expected": "missing"},
    {"field": "birth_date", "left": {"id_number": ID}, "right": {"id_number": ID, "birth_date": "1990-03-07"},
     "expected": "not_compared"},
    {"field": "gender", "left": {"id_number": ID}, "right": {"gender": "女"}, "expected": "same"},
    {"field": "gender", "left": {"id_number": ID}, "right": {"gender": "男"}, "expected": "different"},
    {"field": "gender", "left": {"id_number": ID}, "right": {}, "expected": "missing"},
    {"field": "county_code", "left": {"id_number": ID}, "right": {}, "expected": "missing"},
    {"field": "county_code", "left": {"id_number": ID}, "right": {"county_code": "140105"}, "expected": "same_county"},
    {"field": "county_code", "left": {"id_number": ID}, "right": {"county_code": "140107"}, "expected": "same_city"},
    {"field": "county_code", "left": {"id_number": ID}, "right": {"county_code": "140702"},
     "expected": "same_province"},
    {"field": "county_code", "left": {"id_number": ID}, "right": {"county_code": "410102"}, "expected": "different"},
    # --- address: a property row without an agreeing ID --------------------------------------
    {"field": "address", "left": {"source": "property", "address": "太原市小店区坞城街道南内环社区3号楼2单元501室"},
     "right": {"address": "小店区坞城街道南内环社区3号楼2单元501室"}, "expected": "same_dwelling"},
    {"field": "address", "left": {"source": "property", "address": "太原市小店区坞城街道南内环社区3号楼2单元501室"},
     "right": {"address": "太原市小店区坞城街道南内环社区3号楼1单元302室"}, "expected": "same_building"},
    {"field": "address", "left": {"source": "property", "address": "太原市小店区坞城街道南内环社区3号楼2单元501室"},
     "right": {"address": "太原市小店区坞城街道南内环社区9号楼2单元501室"}, "expected": "same_community"},
    {"field": "address", "left": {"source": "property", "address": "太原市小店区坞城街道南内环社区3号楼2单元501室"},
     "right": {"address": "太原市小店区坞城街道幸福里社区1号楼1单元101室"}, "expected": "same_street"},
    {"field": "address", "left": {"source": "property", "address": "太原市小店区坞城街道南内环社区3号楼2单元501室"},
     "right": {"address": "太原市小店区亲贤街道锦绣苑社区1号楼1单元101室"}, "expected": "same_county"},
    {"field": "address", "left": {"source": "property", "address": "清徐县徐沟镇西楚王村12号"},
     "right": {"address": "太原市小店区坞城街道南内环社区3号楼2单元501室"}, "expected": "different"},
    {"field": "address", "left": {"source": "property", "address": "清徐县徐沟镇西楚王村12号"}, "right": {},
     "expected": "missing"},
    {"field": "address", "left": {"source": "property", "id_number": ID, "address": "清徐县徐沟镇西楚王村12号"},
     "right": {"id_number": ID, "address": "清徐县徐沟镇西楚王村12号"}, "expected": "not_compared"},
    # --- organisation: what the rest of the source says about a row without an ID ---------------
    {"field": "organisation", "left": {"id_number": ID, "organisation": "山西宏达煤业有限公司", "org_ids": [ID]},
     "right": {"id_number": ID, "kind_rows": 24, "org_rows": 12}, "expected": "not_compared"},
    {"field": "organisation", "left": {"organisation": "山西宏达煤业有限公司", "org_ids": [ID]},
     "right": {"id_number": ID_OTHER, "kind_rows": 24, "org_rows": 12}, "expected": "other"},
    {"field": "organisation", "left": {"organisation": None}, "right": {}, "expected": "unknown"},
    {"field": "organisation", "left": {"source": "bank", "organisation": "晋商银行", "account_number": "6222****3986",
                                       "org_ids": None}, "right": {"id_number": ID, "kind_rows": 2},
     "expected": "account_unseen", "no_row_id": True},
]
# rows without an ID (the organisation is only compared when the ID does not settle it)
CASES += [
    {"field": "organisation", "left": {"organisation": "山西宏达煤业有限公司", "org_ids": [ID]},
     "right": {"id_number": ID, "kind_rows": 24, "org_rows": 12}, "expected": "known_unique", "no_row_id": True},
    {"field": "organisation", "left": {"organisation": "山西宏达煤业有限公司", "org_ids": [ID], "clash_rows": 12},
     "right": {"id_number": ID, "kind_rows": 24, "org_rows": 12}, "expected": "clash", "no_row_id": True},
    {"field": "organisation", "left": {"organisation": "山西宏达煤业有限公司", "org_ids": [ID]},
     "right": {"id_number": ID, "kind_rows": 2, "org_rows": 2}, "expected": "known", "no_row_id": True},
    {"field": "organisation", "left": {"organisation": "山西宏达煤业有限公司", "org_ids": [ID, ID_OTHER]},
     "right": {"id_number": ID, "kind_rows": 24, "org_rows": 12}, "expected": "known", "no_row_id": True},
    {"field": "organisation", "left": {"organisation": "山西宏达煤业有限公司", "org_ids": [ID_OTHER]},
     "right": {"id_number": ID, "kind_rows": 24, "org_rows": 0}, "expected": "other", "no_row_id": True},
    {"field": "organisation", "left": {"organisation": "山西宏达煤业有限公司", "org_ids": [ID_OTHER]},
     "right": {"id_number": ID, "kind_rows": 0}, "expected": "unseen", "no_row_id": True},
    {"field": "organisation", "left": {"organisation": "临汾市食品厂", "org_ids": None},
     "right": {"id_number": ID, "kind_rows": 0}, "expected": "unseen_alone", "no_row_id": True},
    {"field": "organisation", "left": {"organisation": "鑫源建筑劳务队", "org_ids": None, "org_idless": True},
     "right": {"id_number": ID, "kind_rows": 24, "org_rows": 0}, "expected": "idless_payer", "no_row_id": True},
    {"field": "organisation", "left": {"organisation": "鑫源建筑劳务队", "org_ids": None, "org_idless": False},
     "right": {"id_number": ID, "kind_rows": 24, "org_rows": 0}, "expected": "other", "no_row_id": True},
    {"field": "organisation", "left": {"organisation": "中国银行", "account_number": "6217****0775", "org_ids": [ID]},
     "right": {"id_number": ID, "kind_rows": 8, "org_rows": 8}, "expected": "known_unique", "no_row_id": True},
    # a masked number a namesake's statements share at that bank tells them apart no more than the name
    {"field": "organisation", "left": {"source": "bank", "organisation": "中国农业银行迎泽支行",
                                       "account_number": "6228****5678", "org_ids": [ID_OTHER, ID]},
     "right": {"id_number": ID, "kind_rows": 2, "org_rows": 1}, "expected": "account_shared", "no_row_id": True},
    # an account whose ID-bearing statements are another person's (of the name) is theirs: one holder
    {"field": "organisation", "left": {"source": "bank", "organisation": "中国建设银行", "account_number": "6217****5678",
                                       "org_ids": [ID_OTHER]},
     "right": {"id_number": ID, "kind_rows": 0}, "expected": "account_other", "no_row_id": True},
    {"field": "organisation", "left": {"source": "bank", "organisation": "中国建设银行", "account_number": "6217****5678",
                                       "org_ids": [ID_OTHER]},
     "right": {"id_number": ID, "kind_rows": 3, "org_rows": 0}, "expected": "account_other", "no_row_id": True},
    # ... unless that ID could be the member's (born the same day in the same county: a slip, a twin)
    {"field": "organisation", "left": {"source": "bank", "organisation": "中国建设银行", "account_number": "6217****5678",
                                       "org_ids": [ID_TWIN]},
     "right": {"id_number": ID, "kind_rows": 3, "org_rows": 0}, "expected": "other", "no_row_id": True},
    # the application mistyped her ID: the ID her own rows carry there is hers (`pairs.own_ids_sql`)
    {"field": "organisation", "left": {"organisation": "太原市某装修工作室", "org_ids": [ID_OTHER]},
     "right": {"id_number": ID, "own_id": ID_OTHER, "kind_rows": 10, "org_rows": 10}, "expected": "known_unique",
     "no_row_id": True},
]


def _id(case: dict) -> str:
    return f"{case['field']}-{case['expected']}-{case['left'].get('name') or case['left'].get('id_number') or ''}"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_comparison_level(case):
    left = dict(case["left"])
    if case.get("no_row_id"):
        left["id_number"] = None
    assert level_of(case["field"], left, case["right"]) == case["expected"]


def test_every_level_has_a_case():
    from matching import COMPARISONS

    covered = {(c["field"], c["expected"]) for c in CASES}
    missing = [(c.field, lv.name) for c in COMPARISONS for lv in c.levels if (c.field, lv.name) not in covered]
    assert not missing
