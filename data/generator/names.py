"""Chinese names as they are really distributed: few surnames, very common given names.

Very common full names (王伟, 张伟, 王芳, 李娜, 王秀英 ...) recur many times in a province,
often with the same birth year; the matcher has to live with that. Given names follow the
fashion of the birth decade. Also the character maps the noise uses: same-pinyin
substitutes (homophones) and traditional forms.

Example:
    >>> import numpy as np
    >>> g = given_names(np.random.default_rng(1), np.array([True, False]), np.array([1975, 2012]))
    >>> len(g)
    2
"""

from __future__ import annotations

import numpy as np

# Surname frequencies (per mille, roughly the national ranking; 郭/武/郝/田 raised for Shanxi).
_SURNAMES = (
    "王 71 李 70 张 68 刘 54 陈 40 杨 32 赵 24 黄 15 周 16 吴 15 徐 12 孙 13 胡 11 朱 10 高 12 "
    "林 6 何 8 郭 18 马 10 罗 5 梁 7 宋 7 郑 7 谢 5 韩 8 唐 5 冯 6 于 6 董 6 萧 2 程 6 曹 6 袁 5 "
    "邓 3 许 5 傅 3 沈 3 曾 2 彭 4 吕 5 苏 5 卢 4 蒋 3 蔡 3 贾 7 丁 4 魏 5 薛 6 叶 3 阎 4 闫 6 "
    "余 2 潘 3 杜 5 戴 2 夏 3 钟 2 汪 2 田 6 任 6 姜 3 范 4 方 3 石 4 姚 4 谭 2 廖 1 邹 2 熊 2 "
    "金 2 陆 2 郝 7 孔 3 白 5 崔 4 康 4 毛 3 邱 2 秦 4 江 2 史 4 顾 2 侯 4 邵 2 孟 4 龙 1 万 2 "
    "段 4 雷 2 钱 2 汤 2 尹 3 易 1 常 5 武 8 乔 4 贺 4 赖 1 龚 1 文 2 牛 4 霍 4 栗 2 申 3 "
    "单 1 解 1 仇 0.5 区 0.2 欧阳 0.4 司马 0.3 上官 0.2 诸葛 0.1"
).split()
SURNAMES = np.array(_SURNAMES[0::2])
SURNAME_P = np.array([float(x) for x in _SURNAMES[1::2]])
SURNAME_P = SURNAME_P / SURNAME_P.sum()

# Popular given names per (era, gender), most frequent first (weights fall off as 1/rank).
POPULAR = {
    ("old", True): "建国 建华 国强 志强 建军 德明 玉林 国华 保国 学文 建平 福贵 存才 全喜 来福",
    ("old", False): "秀英 桂英 秀兰 玉兰 桂兰 秀珍 凤英 玉梅 淑珍 玉英 金花 翠兰 桂花 改兰 润梅",
    ("mid", True): "伟 强 磊 军 勇 杰 涛 明 超 刚 平 辉 鹏 斌 波 峰 亮 伟 建伟 海军 俊 军伟 晓东",
    ("mid", False): "芳 娜 敏 静 丽 艳 娟 霞 燕 玲 红 丹 萍 莉 晶 丽娟 艳红 晓燕 秀丽 雪梅",
    ("young", True): "浩 宇 浩然 子轩 宇轩 俊杰 博文 一鸣 子豪 浩宇 宇航 晨阳 梓睿 皓轩 鑫",
    ("young", False): "欣怡 子涵 梓涵 雨涵 佳怡 思雨 诗涵 婷 雪 悦 可馨 欣悦 语桐 一诺 佳琪",
}
POPULAR = {k: np.array(v.split()) for k, v in POPULAR.items()}
# Characters for composed two-character (or single) given names.
_CHARS = {
    True: ("建国志明文永德学福海金宝长振军俊晓东云鹏宏志新保春红卫兵忠林平", "华强明军伟林平生才成杰涛斌亮峰龙祥勇刚辉民山安宇"),
    False: ("秀玉桂淑丽春美金翠凤晓雪海红彩巧润小艳慧静", "英兰珍花梅芳霞华琴云娟萍红燕丽玲娥凤莲琳洁"),
}
TWIN_PAIRS = {
    True: (("浩然", "浩宇"), ("子轩", "子豪"), ("文博", "文轩"), ("一鸣", "一帆"), ("大伟", "小伟"),
           ("俊杰", "俊豪"), ("明轩", "明哲"), ("晨阳", "晨旭")),
    False: (("欣怡", "欣悦"), ("佳琪", "佳怡"), ("思雨", "思琪"), ("雨婷", "雨欣"), ("大丽", "小丽"),
            ("子涵", "子琪"), ("诗雨", "诗涵"), ("晓雪", "晓月")),
}
MINORITY_GIVEN = {True: ("艾力", "买买提", "阿不都", "努尔艾力", "吐尔逊", "艾合买提", "库尔班"),
                  False: ("阿依古丽", "古丽娜尔", "热依拉", "帕提曼", "米娜瓦尔", "阿依努尔")}
MINORITY_FATHER = ("买买提", "吐尔逊", "艾力", "托合提", "库尔班", "阿不都", "热合曼", "依明")
RARE_GIVEN = ("䶮", "昇䶮", "子䶮")
"""Given names with a character outside GBK (CJK Ext-A): GBK exports lose it."""

HOMOPHONES = {
    "张": "章", "王": "汪", "刘": "留", "陈": "臣", "杨": "阳", "林": "琳", "李": "理", "赵": "照",
    "周": "舟", "吴": "吾", "黄": "皇", "马": "玛", "朱": "珠", "胡": "湖", "梁": "良", "宋": "颂",
    "韩": "涵", "冯": "逢", "彭": "朋", "伟": "玮炜", "丽": "莉俐", "静": "靖婧", "敏": "闵",
    "芳": "方", "娜": "纳", "磊": "垒蕾", "军": "君钧", "华": "骅", "强": "蔷", "明": "铭鸣",
    "红": "宏鸿", "英": "瑛", "秀": "绣", "玲": "龄", "霞": "侠", "平": "萍", "刚": "钢", "勇": "永",
    "杰": "洁捷", "涛": "滔", "斌": "彬", "辉": "晖", "燕": "艳雁", "梅": "玫", "建": "健剑",
    "文": "雯", "鹏": "朋", "娟": "鹃", "兰": "岚", "峰": "锋", "飞": "菲", "东": "冬", "云": "芸",
    "凤": "奉", "桂": "贵", "亮": "量", "成": "诚",
}
"""Same-pinyin substitutes a clerk typing by pinyin picks by mistake."""
TRADITIONAL = dict(zip(
    "张刘陈杨赵黄吴伟丽静华国红军东马孙郑冯邓许韩兰凤杰龙涛辉艳鹏刚胜宝贵兴义莲鸣铭学飞云爱贞万严双晓庆宏苏卫叶罗乔",
    "張劉陳楊趙黃吳偉麗靜華國紅軍東馬孫鄭馮鄧許韓蘭鳳傑龍濤輝艷鵬剛勝寶貴興義蓮鳴銘學飛雲愛貞萬嚴雙曉慶宏蘇衛葉羅喬"))
TRADITIONAL = {k: v for k, v in TRADITIONAL.items() if k != v}


def era(birth_year: np.ndarray) -> np.ndarray:
    return np.where(birth_year < 1965, "old", np.where(birth_year < 1995, "mid", "young"))


def surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(SURNAMES, size=n, p=SURNAME_P)


def given_names(rng: np.random.Generator, male: np.ndarray, birth_year: np.ndarray) -> np.ndarray:
    """Given names: ~55% from the era's popular list, the rest composed from name characters."""
    n = len(male)
    out = np.empty(n, dtype=object)
    eras = era(birth_year)
    kind = rng.random(n)
    for (e, g), pool in POPULAR.items():
        idx = np.flatnonzero((eras == e) & (male == g))
        if not len(idx):
            continue
        w = 1.0 / np.arange(1, len(pool) + 1) ** 0.9
        out[idx] = rng.choice(pool, size=len(idx), p=w / w.sum())
        first, second = (np.array(list(s)) for s in _CHARS[g])
        composed = idx[kind[idx] >= 0.55]
        two = np.char.add(rng.choice(first, size=len(composed)), rng.choice(second, size=len(composed)))
        single = rng.random(len(composed)) < 0.2
        out[composed] = np.where(single, rng.choice(second, size=len(composed)), two)
    return out


def minority_name(rng: np.random.Generator, male: bool) -> str:
    given = MINORITY_GIVEN[male]
    return f"{given[rng.integers(len(given))]}·{MINORITY_FATHER[rng.integers(len(MINORITY_FATHER))]}"
