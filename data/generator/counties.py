"""Shanxi counties of the synthetic province, their relief agencies and addresses.

The 18 residence counties are the ones `assessment/policies/shanxi.yaml` carries standards
for; a district (区) is urban (mostly street addresses), a county (县) or county-level city
(市) is rural (mostly village addresses). Birthplaces may also be other Shanxi counties or
other provinces: an ID's first six digits are where the person was first registered.

Example:
    >>> COUNTY_BY_CODE["140121"].agency
    'qingxu_minzheng'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class County:
    code: str
    name: str
    city: str
    pinyin: str
    weight: float
    """Relative population (households are drawn in proportion)."""

    @property
    def urban(self) -> bool:
        return self.name.endswith("区")

    @property
    def agency(self) -> str:
        return f"{self.pinyin}_minzheng"

    @property
    def plate(self) -> str:
        return CITY_PLATES[self.city]


COUNTIES: tuple[County, ...] = (
    County("140105", "小店区", "太原市", "xiaodian", 9),
    County("140106", "迎泽区", "太原市", "yingze", 6),
    County("140107", "杏花岭区", "太原市", "xinghualing", 6),
    County("140108", "尖草坪区", "太原市", "jiancaoping", 4),
    County("140109", "万柏林区", "太原市", "wanbailin", 7),
    County("140110", "晋源区", "太原市", "jinyuan", 2),
    County("140121", "清徐县", "太原市", "qingxu", 3),
    County("140122", "阳曲县", "太原市", "yangqu", 1.5),
    County("140123", "娄烦县", "太原市", "loufan", 1),
    County("140181", "古交市", "太原市", "gujiao", 2),
    County("140213", "平城区", "大同市", "pingcheng", 6),
    County("140214", "云冈区", "大同市", "yungang", 3),
    County("140702", "榆次区", "晋中市", "yuci", 5),
    County("140802", "盐湖区", "运城市", "yanhu", 5),
    County("140902", "忻府区", "忻州市", "xinfu", 4),
    County("141002", "尧都区", "临汾市", "yaodu", 5),
    County("141102", "离石区", "吕梁市", "lishi", 2.5),
    County("140525", "泽州县", "晋城市", "zezhou", 4),
)
COUNTY_BY_CODE = {c.code: c for c in COUNTIES}
CODES = np.array([c.code for c in COUNTIES])
WEIGHTS = np.array([c.weight for c in COUNTIES], dtype=float) / sum(c.weight for c in COUNTIES)

CITY_PLATES = {"太原市": "晋A", "大同市": "晋B", "阳泉市": "晋C", "长治市": "晋D", "晋城市": "晋E",
               "朔州市": "晋F", "晋中市": "晋K", "运城市": "晋M", "忻州市": "晋H", "临汾市": "晋L",
               "吕梁市": "晋J"}

BIRTHPLACE_SHANXI_OTHER = ("140302", "140311", "140403", "140404", "140602", "140621", "140727",
                           "140728", "140781", "140821", "140881", "140921", "140981", "141023",
                           "141081", "141121", "141181", "141182")
"""Shanxi counties people were born in but that are not residence counties here."""
BIRTHPLACE_OTHER_PROVINCE = ("410102", "130102", "610102", "150102", "370102", "110105", "410305")
BIRTHPLACE_XINJIANG = ("650102", "653101", "652801")

_STREETS = ("坞城", "北营", "黄陵", "龙城", "亲贤", "学府", "滨河", "府西", "柳巷", "桃园", "杏花",
            "涧河", "兴华", "千峰", "和平", "长风", "南寒", "新建", "东风", "迎春", "建设", "文化",
            "胜利", "朝阳", "新华", "北关", "南关", "西关", "东关", "解放")
_COMMUNITIES = ("南内环", "幸福里", "锦绣苑", "康乐", "丽华苑", "阳光", "怡园", "东方红", "迎宾",
                "龙湾", "平安", "和谐", "铁路新村", "电力", "煤机", "矿务局", "纺织厂", "化肥厂",
                "钢厂", "书香", "青年路", "文苑", "富康", "永乐", "园丁")
_TOWNS = ("城关镇", "东关镇", "徐沟镇", "清源镇", "集义乡", "孟封镇", "东于镇", "西谷乡", "马峪乡",
          "王答乡", "北格镇", "岔口乡", "黄寨镇", "泥屯镇", "侯村乡", "高村乡", "东阳镇", "龙泉镇",
          "北社乡", "西河乡", "大盂镇", "杜家庄乡", "南庄镇", "下冶镇")
_VILLAGES = ("西楚王", "东楚王", "南庄", "北庄", "王家庄", "李家庄", "张家湾", "刘家峪", "后沟",
             "前沟", "石门", "红旗", "新村", "上庄", "下庄", "河西", "河东", "杨家坡", "赵家堡",
             "东堡", "西堡", "南堡", "郭家寨", "梁家河", "高家岭", "马家窑", "常家沟", "白家庄",
             "武家岭", "田家湾", "韩家庄", "薛家营")


def _local(pool: tuple[str, ...], code: str, k: int) -> list[str]:
    """A fixed per-county subset of a name pool (seeded by the county code, not by hash())."""
    r = np.random.default_rng(int(code))
    return [pool[i] for i in r.choice(len(pool), size=min(k, len(pool)), replace=False)]


_LOCAL = {c.code: (_local(_STREETS, c.code, 6), _local(_COMMUNITIES, c.code, 10),
                   _local(_TOWNS, c.code, 5), _local(_VILLAGES, c.code, 14)) for c in COUNTIES}


def urban_address(rng: np.random.Generator, code: str) -> str:
    """e.g. 太原市小店区坞城街道南内环社区3号楼2单元501室"""
    c = COUNTY_BY_CODE[code]
    streets, communities, _, _ = _LOCAL[code]
    floor, room = int(rng.integers(1, 19)), int(rng.integers(1, 5))
    return (f"{c.city}{c.name}{streets[rng.integers(len(streets))]}街道"
            f"{communities[rng.integers(len(communities))]}社区{rng.integers(1, 31)}号楼"
            f"{rng.integers(1, 7)}单元{floor}{room:02d}室")


def rural_address(rng: np.random.Generator, code: str) -> str:
    """e.g. 清徐县徐沟镇西楚王村12号"""
    c = COUNTY_BY_CODE[code]
    _, _, towns, villages = _LOCAL[code]
    return f"{c.name}{towns[rng.integers(len(towns))]}{villages[rng.integers(len(villages))]}村{rng.integers(1, 260)}号"


def home_address(rng: np.random.Generator, code: str) -> tuple[str, bool]:
    """An address in the county: districts are ~85% urban, counties ~80% rural."""
    urban_share = 0.85 if COUNTY_BY_CODE[code].urban else 0.2
    urban = bool(rng.random() < urban_share)
    return (urban_address(rng, code) if urban else rural_address(rng, code)), urban


def shop_address(rng: np.random.Generator, code: str) -> str:
    """A commercial unit: 太原市小店区坞城路58号1层商铺3"""
    c = COUNTY_BY_CODE[code]
    streets = _LOCAL[code][0]
    return f"{c.city}{c.name}{streets[rng.integers(len(streets))]}路{rng.integers(1, 300)}号1层商铺{rng.integers(1, 20)}"
