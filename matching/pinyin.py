"""Toneless pinyin of Chinese personal names, with surnames read as surnames.

A clerk who types by pinyin and picks the wrong character writes a homophone (张伟 → 章伟),
so names that *sound* the same are a comparison level of their own. Dictionary readings
are wrong for surnames: 单 is *dān* as a word but *Shàn* as a surname, likewise 曾 zēng,
解 xiè, 仇 qiú, 区 ōu … (see the table below, after 《百家姓》 readings in GB/T 28039-2011
and the Ministry of Public Security's guidance on surname romanisation). Readings are per
character, so the same character always gives the same syllable: the key is stable,
symmetric and cheap (one dictionary look-up per distinct character, cached).

Example:
    >>> name_pinyin("单雄信"), name_pinyin("曾国藩"), name_pinyin("欧阳锋")
    ('shan xiong xin', 'zeng guo fan', 'ou yang feng')
    >>> name_pinyin("张伟") == name_pinyin("章伟")
    True
    >>> name_readings("郑朝"), name_readings("郑超")
    ('zheng zhao|chao|zhu', None)

A polyphonic character is read one way in the key, but a clerk (or a system) may have read it
another way and typed a character of *that* sound: 郑朝 (zhāo) typed as 郑超 (chāo), 单 (Shàn)
as 丹 (dān). `name_readings` lists every reading of each such character, so two names whose
readings overlap at every position can count as sounding the same.
"""

from __future__ import annotations

import re
from functools import lru_cache

COMPOUND_SURNAMES = {
    "欧阳": "ou yang", "司马": "si ma", "上官": "shang guan", "诸葛": "zhu ge", "皇甫": "huang fu",
    "尉迟": "yu chi", "令狐": "ling hu", "万俟": "mo qi", "长孙": "zhang sun", "单于": "chan yu",
    "澹台": "tan tai", "公孙": "gong sun", "慕容": "mu rong", "东方": "dong fang", "夏侯": "xia hou",
    "宇文": "yu wen", "端木": "duan mu", "轩辕": "xuan yuan", "司徒": "si tu", "独孤": "du gu",
    "呼延": "hu yan", "南宫": "nan gong", "西门": "xi men", "百里": "bai li", "闻人": "wen ren",
    "赫连": "he lian", "钟离": "zhong li", "宗政": "zong zheng", "濮阳": "pu yang", "申屠": "shen tu",
    "太史": "tai shi", "拓跋": "tuo ba", "公冶": "gong ye", "司空": "si kong", "第五": "di wu",
}
"""Two-character surnames and their readings."""

SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "区": "ou", "查": "zha", "盖": "ge",
    "覃": "qin", "朴": "piao", "尉": "wei", "缪": "miao", "翟": "zhai", "长": "chang", "乐": "yue",
    "繁": "po", "员": "yun", "召": "shao", "种": "chong", "折": "she", "祭": "zhai", "牟": "mou",
    "秘": "bi", "冼": "xian", "句": "gou", "柏": "bai", "宿": "su", "贲": "ben", "蕃": "pi",
    "隗": "wei", "眭": "sui", "厍": "she", "谌": "chen", "相": "xiang", "应": "ying", "车": "che",
    "沈": "shen", "石": "shi", "薄": "bo", "曲": "qu", "卜": "bu", "都": "du", "臧": "zang",
    "藏": "zang", "华": "hua", "任": "ren", "纪": "ji", "燕": "yan", "过": "guo", "宁": "ning",
    "和": "he", "重": "chong", "郇": "huan", "粘": "nian", "黑": "he", "哈": "ha", "万": "wan",
    "朝": "chao", "缴": "jiao", "佴": "nai", "逄": "pang", "訾": "zi", "阚": "kan",
}
"""Single-character surnames whose surname reading is not the dictionary default."""

GIVEN_READINGS = {"长": "chang", "乐": "le", "朝": "zhao", "重": "chong", "还": "huan", "行": "xing",
                  "觉": "jue", "茜": "qian", "调": "tiao", "曾": "zeng"}
"""Given-name characters whose usual reading in names differs from the dictionary default."""

WILDCARD = "?"
"""Stands for a character a system could not store (a GBK export writes `?`)."""
MAX_HAN_NAME = 4
"""Longer names are transliterations (minority names): no surname reading applies."""


@lru_cache(maxsize=None)
def char_pinyin(char: str) -> str:
    """The toneless reading of one character: pypinyin's default, lowercase ASCII (ü as v).

    Non-Han characters are returned lowercased (Latin letters, digits, the wildcard).
    """
    if char == WILDCARD or not ("\u3400" <= char <= "\u9fff" or "\U00020000" <= char <= "\U0003ffff"):
        return char.lower()
    if char in GIVEN_READINGS:
        return GIVEN_READINGS[char]
    from pypinyin import Style, lazy_pinyin  # imported lazily: loading the dictionaries takes ~0.3 s

    reading = lazy_pinyin(char, style=Style.NORMAL, errors="default", v_to_u=False)
    return (reading[0] if reading else char).lower()


POLYPHONES = {
    "朝": ("zhao", "chao"), "单": ("shan", "dan", "chan"), "曾": ("zeng", "ceng"), "解": ("xie", "jie"),
    "区": ("ou", "qu"), "仇": ("qiu", "chou"), "乐": ("le", "yue"), "长": ("chang", "zhang"),
    "重": ("chong", "zhong"), "行": ("xing", "hang"), "强": ("qiang", "jiang"), "传": ("chuan", "zhuan"),
    "查": ("zha", "cha"), "翟": ("zhai", "di"), "朴": ("piao", "pu"), "盖": ("ge", "gai"), "覃": ("qin", "tan"),
    "缪": ("miao", "mou"), "都": ("du", "dou"), "柏": ("bai", "bo"), "薄": ("bo", "bao"), "员": ("yun", "yuan"),
    "尉": ("wei", "yu"), "秘": ("bi", "mi"), "种": ("chong", "zhong"), "觉": ("jue", "jiao"), "茜": ("qian", "xi"),
    "调": ("tiao", "diao"), "还": ("huan", "hai"), "降": ("jiang", "xiang"), "省": ("sheng", "xing"),
    "藏": ("zang", "cang"), "参": ("can", "shen"), "会": ("hui", "kuai"), "卜": ("bu", "bo"), "车": ("che", "ju"),
    "贾": ("jia", "gu"), "弹": ("tan", "dan"), "沈": ("shen", "chen"), "叶": ("ye", "xie"), "蔚": ("wei", "yu"),
    "殷": ("yin", "yan"), "莎": ("sha", "suo"), "娜": ("na", "nuo"), "俞": ("yu", "shu"), "伯": ("bo", "bai"),
    "颉": ("xie", "jie"), "宿": ("su", "xiu"), "召": ("shao", "zhao"), "折": ("she", "zhe"), "句": ("gou", "ju"),
    "祭": ("zhai", "ji"), "繁": ("po", "fan"), "隗": ("wei", "kui"), "厦": ("xia", "sha"), "广": ("guang", "an"),
}
"""Characters read more than one way in names, with the readings people actually use (not every
dictionary reading: pypinyin lists 王 as yù and 平 as bìng, and 王平/于平 — a wife and the
husband whose ID she wrote — must not sound alike)."""


@lru_cache(maxsize=None)
def char_readings(char: str) -> tuple[str, ...]:
    """The readings of one character, `char_pinyin`'s first (its own alone unless in `POLYPHONES`)."""
    first = char_pinyin(char)
    return tuple(dict.fromkeys([first, *POLYPHONES.get(char, ())]))


_LATIN_RUN = re.compile(r"(?<![a-z])[a-z](?: [a-z](?![a-z]))+")
"""Single Latin letters one space apart (as `translate` spells a Latin run): joined into one syllable."""
_HAN_NAME = re.compile(r"[\u3400-\u9fff?]{2,%d}" % MAX_HAN_NAME)


class _SyllableMap(dict):
    """`str.translate` table: character -> ' ' + its reading, filled on first sight."""

    def __missing__(self, code: int) -> str:
        out = self[code] = " " + char_pinyin(chr(code))
        return out


_SYLLABLES = _SyllableMap()


def split_surname(name: str) -> tuple[str, str]:
    """(surname, given name) of a standardised Han name; ('', name) when it is not one.

    Example:
        >>> split_surname("欧阳锋"), split_surname("张伟")
        (('欧阳', '锋'), ('张', '伟'))
    """
    if not _HAN_NAME.fullmatch(name):
        return "", name
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[0], name[1:]


def name_pinyin(name: str) -> str:
    """Space-separated toneless pinyin of a standardised name, surname read as a surname.

    Args:
        name: A name as returned by `matching.standardise.standardise_name`.

    Returns:
        One syllable per character (a compound surname gives two), e.g. `'shan xiong xin'`.
    """
    surname, given = split_surname(name)
    if not surname:
        # A run of Latin letters is one syllable: 唐SHENG (a rare 昇 typed as its reading) reads
        # `tang sheng`, like 唐昇, not `tang s h e n g` (a probe's exact IDs went to review)
        return _LATIN_RUN.sub(lambda m: m.group(0).replace(" ", ""), name.translate(_SYLLABLES)[1:])
    head = COMPOUND_SURNAMES.get(surname) or SURNAME_READINGS.get(surname) or char_pinyin(surname)
    return head + given.translate(_SYLLABLES)


def name_readings(name: str) -> str | None:
    """`name_pinyin` with every reading of each polyphonic character (`a|b`), or None when the
    name has none (the usual case: then its readings are `name_pinyin`).

    Example:
        >>> name_readings("单雄信")
        'shan|dan|chan xiong xin'
    """
    surname, given = split_surname(name)
    if surname and surname in COMPOUND_SURNAMES:
        head = COMPOUND_SURNAMES[surname].split()
    elif surname:
        reading = SURNAME_READINGS.get(surname)
        head = ["|".join(dict.fromkeys([reading, *char_readings(surname)])) if reading
                else "|".join(char_readings(surname))]
    else:
        head, given = [], name
    positions = head + ["|".join(char_readings(c)) for c in given]
    return " ".join(positions) if any("|" in p for p in positions) else None
