"""Chinese addresses split into their administrative and building parts.

An address is read left to right, largest unit first: province (省/自治区), prefecture
city (市/地区/州/盟), county (区/县/旗/县级市), street or township (街道/镇/乡), community or
village (社区/村/居委会/小区), road and number (路/街/巷 + 号), building (号楼/栋/幢/座),
unit (单元) and room (室/户, or the house number of a village address). Parts a writer
left out stay None and are simply not compared: `万柏林区侯村乡红旗村247号` and
`太原市万柏林区侯村乡红旗村247号` are the same dwelling.

Example:
    >>> a = parse_address("太原市小店区坞城街道南内环社区3号楼2单元501室")
    >>> a["city"], a["county"], a["street"], a["community"], a["building"], a["unit"], a["room"]
    ('太原', '小店', '坞城', '南内环', '3', '2', '501')
    >>> parse_address("清徐县徐沟镇西楚王村12号")["room"]
    '12'
"""

from __future__ import annotations

import re
import unicodedata

import pyarrow as pa

PARTS = ("province", "city", "county", "street", "community", "road", "building", "unit", "room")

_CN_DIGITS = str.maketrans("零〇一二三四五六七八九", "00123456789")
_PATTERN = re.compile(
    r"^(?:(?P<province>[\u4e00-\u9fff]{2,7}?)(?:省|自治区))?"
    r"(?:(?P<city>[\u4e00-\u9fff]{2,8}?)(?:市|地区|自治州|盟)(?=.))?"
    r"(?:(?P<county>[\u4e00-\u9fff]{1,8}?)(?:区|县|旗|市)(?=.))?"
    r"(?:(?P<street>[\u4e00-\u9fff]{1,8}?)(?:街道办事处|街道|镇|乡))?"
    r"(?:(?P<community>[\u4e00-\u9fff]{1,12})(?:社区居委会|居委会|社区|村委会|村|小区|花园|家园|苑|园))?"
    r"(?:(?P<road>[\u4e00-\u9fff]{1,12}?(?:路|大街|街|巷|胡同|弄))(?P<number>\d+)号(?!楼))?"
    r"(?:(?P<building>\d+)(?:号楼|栋|幢|座|号院|楼))?"
    r"(?:(?P<unit>\d+)单元)?"
    r"(?:(?P<room>\d+)(?:室|户|号)?)?"
)
"""Lazy admin names (the first 区 after 小店 ends the county), greedy community names
(铁路新村 + 社区, not 铁路 + 新村)."""


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_CN_DIGITS)
    return re.sub(r"[\s,，、\-—()（）]", "", text)


def parse_address(text: str | None) -> dict[str, str | None]:
    """The parts of an address (see `PARTS`); unknown parts are None.

    Whatever the pattern cannot place (a shop unit, a parking space) leaves `room` empty: the
    address still compares on its upper parts, never as the same dwelling.
    """
    out: dict[str, str | None] = dict.fromkeys(PARTS)
    if not text:
        return out
    clean = _clean(text)
    m = _PATTERN.match(clean)
    if not m:
        return out
    for part in PARTS:
        if part == "road":
            continue
        out[part] = m.group(part) or None
    if m.group("road"):
        out["road"] = f"{m.group('road')}{m.group('number')}"
    if clean[m.end():]:   # something the pattern could not read (商铺3, 地下车位B12): not a dwelling
        out["room"] = None
    if out["county"] is None and out["city"] is not None and out["street"] is not None:
        out["county"] = out["city"]   # a county-level city written alone (古交市河口镇…)
    return out


ADDRESS_TYPE = pa.struct([(p, pa.string()) for p in PARTS])


def address_table(addresses: list[str]) -> pa.Table:
    """One row per distinct address: address, parts (a struct of `PARTS`)."""
    return pa.table({"address": pa.array(addresses, pa.string()),
                     "parts": pa.array([parse_address(a) for a in addresses], ADDRESS_TYPE)})
