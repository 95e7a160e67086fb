"""The canonical input tables of the data contract (docs/contract.md §3), as code.

Every connector turns a department's file into one of these tables; the warehouse
migrations, the quality gates and the synthetic province all read the same specs, so
a field or alias is added in exactly one place.

Example:
    >>> TABLES["tax"].field("income_amount").aliases
    ('收入额', '收入')
    >>> [f.name for f in TABLES["bank"].required]
    ['record_id', 'name', 'institution', 'product_type', 'balance', 'as_of_date']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["text", "id_number", "name", "date", "period", "money", "number", "share", "category"]


@dataclass(frozen=True)
class Field:
    name: str
    """English field name, also the canonical column name."""
    aliases: tuple[str, ...] = ()
    """Chinese header spellings accepted for this field (contract §3)."""
    required: bool = False
    kind: Kind = "text"
    """How raw text is parsed into the canonical value."""
    allowed: tuple[str, ...] = ()
    """For `category` fields: the accepted values (after label folding)."""
    labels: dict[str, str] = field(default_factory=dict)
    """For `category` fields: other accepted spellings mapped to the canonical value."""
    negative_ok: bool = False
    """Money fields: whether a negative amount is acceptable."""


@dataclass(frozen=True)
class Table:
    name: str
    fields: tuple[Field, ...]
    is_source: bool = True
    """Department sources land under landing/<name>/; applicants come from inbox/ and rolls/."""

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")

    @property
    def required(self) -> list[Field]:
        return [f for f in self.fields if f.required]

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]


ID_NUMBER_ALSO = ("身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "证件号码")
"""Header spellings of the ID column accepted in every table, beyond the contract's per-table list.

身份证号码 is what most exports and templates actually write (公民身份证号码 a common slip for
公民身份号码), and each department's own spelling turns up in the others' exports. Unlisted, it
named no field: a probe's tax file kept its IDs as an extra column and was linked by name alone,
without a word to the clerk. Added after a table's own (`_id_aliases`), so its first alias (the
one its messages show first) stays the contract's."""


def _id_aliases(*own: str) -> tuple[str, ...]:
    return own + tuple(a for a in ID_NUMBER_ALSO if a not in own)

PROGRAM_LABELS = {
    "最低生活保障": "dibao", "低保": "dibao", "城市低保": "dibao", "农村低保": "dibao",
    "城市最低生活保障": "dibao", "农村最低生活保障": "dibao",
    "特困人员供养": "tekun", "特困": "tekun", "特困供养": "tekun", "特困人员救助供养": "tekun", "特困人员": "tekun",
    "城市特困": "tekun", "农村特困": "tekun", "城市特困人员": "tekun", "农村特困人员": "tekun",
    "城市特困人员供养": "tekun", "农村特困人员供养": "tekun", "农村五保": "tekun", "五保供养": "tekun", "五保": "tekun",
    "城镇低保": "dibao", "城镇最低生活保障": "dibao", "城市居民最低生活保障": "dibao", "农村居民最低生活保障": "dibao",
    # the programme's name for both areas: the address then decides which standard applies
    "城乡低保": "dibao", "城乡最低生活保障": "dibao", "城乡居民最低生活保障": "dibao",
    "医疗救助": "medical", "教育救助": "education", "住房救助": "housing",
    "就业救助": "employment", "临时救助": "temporary",
    # the short names clerks type (a programmes probe's 医疗 was refused); 低保边缘 is no programme here
    "医疗": "medical", "教育": "education", "住房": "housing", "就业": "employment", "临时": "temporary",
}
PROGRAM_AREA = {"城市": "urban", "城镇": "urban", "农村": "rural", "五保": "rural"}
"""The area a programme label begins with (城市低保, 农村特困人员; 五保 is rural 特困): the
applicant rows' `program_area`, which decides the household's standard (`policy.area_and_basis`)."""
PROGRAMS = ("dibao", "tekun", "medical", "education", "housing", "employment", "temporary")
MEMBER_RELATIONS = ("户主", "配偶", "子女", "父母", "兄弟姐妹", "孙子女", "祖父母", "其他")
RELATION_LABELS = {
    "本人": "户主", "妻": "配偶", "夫": "配偶", "妻子": "配偶", "丈夫": "配偶", "爱人": "配偶",
    "子": "子女", "女": "子女", "儿子": "子女", "女儿": "子女", "长子": "子女", "次子": "子女", "三子": "子女",
    "长女": "子女", "次女": "子女", "三女": "子女", "独生子": "子女", "独生女": "子女", "养子": "子女", "养女": "子女",
    "继子": "子女", "继女": "子女",
    "父亲": "父母", "母亲": "父母", "父": "父母", "母": "父母",
    "孙子": "孙子女", "孙女": "孙子女", "外孙子": "孙子女", "外孙女": "孙子女", "外孙": "孙子女",
    "祖父": "祖父母", "祖母": "祖父母", "外祖父": "祖父母", "外祖母": "祖父母",
    "兄": "兄弟姐妹", "弟": "兄弟姐妹", "姐": "兄弟姐妹", "妹": "兄弟姐妹",
    "哥哥": "兄弟姐妹", "弟弟": "兄弟姐妹", "姐姐": "兄弟姐妹", "妹妹": "兄弟姐妹",
    "儿媳": "其他", "女婿": "其他", "孙媳妇": "其他", "孙女婿": "其他",
    # the groups of GB/T 4761 (家庭关系代码) as registers write them, and their codes (01 本人, 02 户主,
    # 1x 配偶, 2x 子 with 28 女婿, 3x 女 with 38 儿媳, 4x 孙子女, 5x 父母 with in-laws, 6x 祖父母, 7x 兄弟姐妹
    # with theirs, 8x–97 其他亲属, 99 非亲属): an inbox probe's 岳母, 婆婆 and 其他亲属 were row errors that
    # held their households back (and an adversarial probe found the codes first read a group out of step)
    "户主本人": "户主", "老伴": "配偶", "配偶": "配偶",
    **dict.fromkeys(("四子", "五子", "其他儿子", "养子或继子", "四女", "五女", "其他女儿", "养女或继女"), "子女"),
    **dict.fromkeys(("公公", "婆婆", "岳父", "岳母", "继父", "继母", "养父", "养母", "继父或养父", "继母或养母"), "父母"),
    **dict.fromkeys(("重孙子", "重孙女", "曾孙", "曾孙子", "曾孙女", "外曾孙子", "外曾孙女"), "孙子女"),
    **dict.fromkeys(("曾祖父", "曾祖母", "外曾祖父", "外曾祖母"), "祖父母"),
    **dict.fromkeys(("嫂", "嫂子", "弟媳", "弟妹", "姐夫", "妹夫", "兄弟", "姐妹"), "兄弟姐妹"),
    **dict.fromkeys(("伯父", "伯母", "叔父", "叔叔", "婶母", "婶婶", "舅父", "舅舅", "舅母", "姨父", "姨母", "姑父",
                     "姑母", "姑姑", "侄子", "侄女", "外甥", "外甥女", "堂兄弟", "堂姐妹", "表兄弟", "表姐妹",
                     "其他亲属", "亲属", "非亲属"), "其他"),
    "01": "户主", "02": "户主",
    **{f"{d}{k}": group for d, group in (("1", "配偶"), ("2", "子女"), ("3", "子女"), ("4", "孙子女"),
                                         ("5", "父母"), ("6", "祖父母"), ("7", "兄弟姐妹"), ("8", "其他"),
                                         ("9", "其他")) for k in range(10)},
    "28": "其他", "38": "其他", "45": "其他", "46": "其他",   # 女婿, 儿媳, 孙媳妇, 孙女婿 (in their spouses' groups)
    "孙": "孙子女", "孙媳": "其他", "其它": "其他", "其它亲属": "其他",
}
# Relative to the head, as 户口簿 and office forms write it: 之子, 之妻, 户主之女, 户主的儿子 (an inbox
# probe's 之子 alone held five of 25 households back).
RELATION_LABELS.update({f"{pre}{word}": group
                        for word, group in [*RELATION_LABELS.items(), *((r, r) for r in MEMBER_RELATIONS)]
                        if not word.isdigit() and group != "户主"
                        for pre in ("之", "户主之", "户主的")})
"""Relations as household registers and offices write them (户口簿: 妻, 长子, 次女, 儿媳 …), onto
the contract's. An agency-request probe's 妻子, 儿子, 女儿, 孙女 were row errors that held nearly
every household an office would send. A 儿媳 or 女婿 living in the household is a member: 其他."""
SUPPORTER_RELATIONS = ("赡养人", "抚养人", "扶养人")
SUPPORTER_LABELS = {
    **{f"{pre}{s[:2]}{mid}人": s for s in SUPPORTER_RELATIONS for pre in ("", "法定") for mid in ("", "义务")},
    # a supporter's kinship beside the role, either way round (子女（赡养人）, 赡养人(儿子))
    **{f"{kin}({s})": s for s in SUPPORTER_RELATIONS for kin in (*MEMBER_RELATIONS, *RELATION_LABELS)},
    **{f"{s}({kin})": s for s in SUPPORTER_RELATIONS for kin in (*MEMBER_RELATIONS, *RELATION_LABELS)},
}
"""The legal supporter as offices write the role: 赡养义务人, 法定扶养人, 子女（赡养人）. A rules probe's
four such rows were row errors that held their 特困 households unanswered."""

_GRADES = {"一级": "一1壹Ⅰ", "二级": "二2贰Ⅱ", "三级": "三3叁Ⅲ", "四级": "四4肆Ⅳ"}
_DISABILITY_KINDS = ("", "视力", "听力", "言语", "肢体", "智力", "精神", "多重")
DISABILITY_LABELS = {
    **{spelling: grade for grade, numerals in _GRADES.items() for n in numerals for kind in _DISABILITY_KINDS
       for spelling in (f"{kind}{n}级", f"{kind}残疾{n}级", f"{n}级{kind}残疾", f"{kind}{n}级残疾",
                        f"{n}级({kind})" if kind else f"{n}级")},
    **{n: grade for grade, numerals in _GRADES.items() for n in numerals if n.isdigit()},
    **dict.fromkeys(("无", "无残疾", "非残疾", "非残疾人", "否"), ""),
}
"""Disability grades as a 残疾人证 and offices write them: the grade with or without 级, in Chinese,
Arabic, financial or Roman numerals, with the kind of disability before or after it (肢体一级,
精神残疾二级, 一级残疾, 2级); `无` and its like for none. A rules probe's 1级, 一级残疾, 肢体一级 and
贰级 were row errors that held a 特困 applicant's household unanswered."""

INCOME_ITEMS = ("工资薪金", "劳务报酬", "稿酬所得", "特许权使用费", "经营所得", "利息股息红利",
                "财产租赁所得", "财产转让所得", "偶然所得")
VEHICLE_STATUSES = ("正常", "注销", "报废", "被盗抢", "查封")
PROPERTY_USAGES = ("住宅", "商业", "办公", "工业", "车位", "其他")
PROPERTY_STATUSES = ("现势", "注销", "查封", "抵押")
INSURANCE_TYPES = ("企业职工基本养老保险", "机关事业单位养老保险", "城乡居民基本养老保险", "失业保险",
                   "职工基本医疗保险", "城乡居民基本医疗保险", "工伤保险")
RECORD_TYPES = ("缴费", "待遇")
PRODUCT_TYPES = ("活期存款", "定期存款", "理财产品", "基金", "股票", "债券", "保险")

# Categories as the registers and schemes export them, onto the contract's (a register probe's rows
# were refused and held their households for review). Left out on purpose, so that a clerk is asked:
# a vehicle 转出 or 达到报废标准 (sold, or still held?), a tax item that is a one-off lump sum, a bare
# 基本养老保险 (the employees' scheme, whose base stands in for a wage, or the residents'?).
VEHICLE_STATUS_LABELS = {
    # still registered to the owner: a mortgage, an unpaid fine, a lapsed inspection, a lock
    **dict.fromkeys(("抵押", "质押", "违法未处理", "事故未处理", "锁定", "逾期未检验", "逾期未年检", "停驶", "暂扣",
                     "A", "D", "G", "I", "O", "Q"), "正常"),
    **dict.fromkeys(("已注销", "强制注销", "注销（已回收）", "注销(已回收)", "E", "M"), "注销"),
    **dict.fromkeys(("已报废",), "报废"), **dict.fromkeys(("C",), "被盗抢"), **dict.fromkeys(("K",), "查封")}
"""The traffic police's status letters (GA 24.x: A 正常, C 被盗抢, E 注销, K 查封, M 强制注销 …) too."""
PROPERTY_USAGE_LABELS = {
    **dict.fromkeys(("成套住宅", "普通住宅", "非成套住宅", "住宅用房", "别墅", "公寓", "城镇住宅用地/住宅",
                     "住宅用地/住宅", "城镇住宅用地/成套住宅", "农村宅基地/住宅", "宅基地/住宅"), "住宅"),
    **dict.fromkeys(("商服", "商业服务", "商业用房", "商铺", "商服用地/商业", "批发零售用地/商业"), "商业"),
    **dict.fromkeys(("办公用房",), "办公"), **dict.fromkeys(("厂房", "工业用房", "仓储"), "工业"),
    **dict.fromkeys(("车库", "地下车位", "停车位", "车位/车库"), "车位"),
    **dict.fromkeys(("储藏室", "储藏间", "杂物间", "附属用房"), "其他")}
PROPERTY_STATUS_LABELS = {
    **dict.fromkeys(("有效", "正常", "现状", "现势状态", "已登记", "异议登记", "预告登记"), "现势"),
    **dict.fromkeys(("已注销", "注销登记"), "注销"),
    **dict.fromkeys(("查封,抵押", "抵押,查封", "查封、抵押", "抵押、查封", "现势（查封）", "现势(查封)", "已查封"), "查封"),
    **dict.fromkeys(("现势（抵押）", "现势(抵押)", "抵押登记", "已抵押"), "抵押")}
INSURANCE_TYPE_LABELS = {
    **dict.fromkeys(("城镇企业职工基本养老保险", "城镇职工基本养老保险", "企业职工养老保险", "企业养老", "企业养老保险",
                     "职工基本养老保险"), "企业职工基本养老保险"),
    **dict.fromkeys(("机关事业单位基本养老保险", "机关事业养老保险", "机关养老"), "机关事业单位养老保险"),
    **dict.fromkeys(("城乡居民养老保险", "城乡居民社会养老保险", "居民养老保险", "新农保", "城居保"), "城乡居民基本养老保险"),
    **dict.fromkeys(("城镇职工基本医疗保险", "职工医保", "职工医疗保险"), "职工基本医疗保险"),
    **dict.fromkeys(("城乡居民医疗保险", "居民医保", "城乡居民医保", "新农合"), "城乡居民基本医疗保险"),
    "失业": "失业保险", "工伤": "工伤保险"}

APPLICANTS = Table("applicants", (
    Field("request_id", ("申请编号", "核对编号"), required=True),
    Field("agency", ("申请机构", "经办机构")),
    Field("program", ("救助类别", "救助项目"), required=True, kind="category",
          allowed=PROGRAMS, labels=PROGRAM_LABELS),
    Field("household_id", ("家庭编号", "户编号"), required=True),
    Field("county_code", ("区县代码", "行政区划代码"), required=True),
    Field("member_no", ("成员序号",), required=True, kind="number"),
    Field("name", ("姓名",), required=True, kind="name"),
    Field("id_number", _id_aliases("身份证号", "公民身份号码", "证件号码"), required=True, kind="id_number"),
    Field("relation", ("与户主关系", "关系"), required=True, kind="category",
          allowed=MEMBER_RELATIONS + SUPPORTER_RELATIONS, labels={**RELATION_LABELS, **SUPPORTER_LABELS}),
    Field("consent_ref", ("授权书编号", "授权编号"), required=True),
    Field("birth_date", ("出生日期",), kind="date"),
    Field("gender", ("性别",), kind="category", allowed=("男", "女"), labels={"M": "男", "F": "女"}),
    Field("address", ("住址", "家庭住址")),
    Field("labor_capacity", ("劳动能力",), kind="category", allowed=("有", "部分", "无"),
          labels={"有劳动能力": "有", "部分劳动能力": "部分", "丧失劳动能力": "无", "无劳动能力": "无",
                  # the wording of 特困 and disability paperwork (a request probe's household held for them)
                  "部分丧失劳动能力": "部分", "部分丧失": "部分", "完全丧失劳动能力": "无", "完全丧失": "无",
                  "丧失": "无"}),
    Field("disability_grade", ("残疾等级",), kind="category", allowed=("一级", "二级", "三级", "四级"),
          labels=DISABILITY_LABELS),
    Field("declared_monthly_income", ("申报月收入",), kind="money"),
    Field("declared_financial_assets", ("申报金融资产",), kind="money"),
), is_source=False)

ROLLS = Table("rolls", tuple(
    Field(f.name, f.aliases, required=True, kind=f.kind) if f.name == "agency" else f
    for f in APPLICANTS.fields
), is_source=False)

TAX = Table("tax", (
    Field("record_id", ("记录编号", "流水号"), required=True),
    Field("name", ("纳税人姓名", "姓名"), required=True, kind="name"),
    Field("id_number", _id_aliases("证件号码", "身份证号"), kind="id_number"),
    Field("period", ("所属期", "税款所属期"), required=True, kind="period"),
    Field("income_item", ("所得项目",), required=True, kind="category", allowed=INCOME_ITEMS,
          # the tax bureau writes each item with or without 所得 and with or without its 、 (an income
          # probe's 利息股息红利所得 was refused while 利息、股息、红利所得 loaded)
          labels={**{item.removesuffix("所得") + "所得": item for item in INCOME_ITEMS},
                  **{item.removesuffix("所得"): item for item in INCOME_ITEMS},
                  "工资、薪金所得": "工资薪金", "工资、薪金": "工资薪金", "利息、股息、红利所得": "利息股息红利",
                  "利息、股息、红利": "利息股息红利",
                  # the sub-items (所得项目小类) of the withholding system's exports, onto their items:
                  # an annual bonus is pay for work of the month it is paid (an income probe's
                  # 全年一次性奖金收入 was refused); the pre-2019 name of business income
                  **dict.fromkeys(("正常工资薪金", "全年一次性奖金收入", "全年一次性奖金"), "工资薪金"),
                  **dict.fromkeys(("一般劳务报酬所得", "其他连续劳务报酬", "其他非连续劳务报酬", "保险营销员佣金收入",
                                   "证券经纪人佣金收入"), "劳务报酬"),
                  **dict.fromkeys(("个体工商户的生产、经营所得", "个体工商户生产经营所得", "生产、经营所得",
                                   "生产经营所得"), "经营所得")}),
    Field("income_amount", ("收入额", "收入"), required=True, kind="money"),
    Field("tax_paid", ("已缴税额", "实缴税额"), kind="money"),
    Field("withholding_agent", ("扣缴义务人",)),
))

VEHICLE = Table("vehicle", (
    Field("record_id", ("记录编号",), required=True),
    Field("name", ("机动车所有人", "所有人"), required=True, kind="name"),
    Field("id_number", _id_aliases("证件号码", "身份证明号码"), kind="id_number"),
    Field("plate_number", ("号牌号码", "车牌号"), required=True),
    Field("vehicle_type", ("车辆类型",), required=True),
    Field("registration_date", ("初次登记日期", "登记日期"), required=True, kind="date"),
    Field("purchase_price", ("购置价格", "发票价格"), kind="money"),
    Field("status", ("机动车状态", "状态"), required=True, kind="category", allowed=VEHICLE_STATUSES,
          labels=VEHICLE_STATUS_LABELS),
))

PROPERTY = Table("property", (
    Field("record_id", ("记录编号",), required=True),
    Field("name", ("权利人",), required=True, kind="name"),
    Field("id_number", _id_aliases("证件号码"), kind="id_number"),
    Field("certificate_number", ("不动产权证号", "产权证号"), required=True),
    Field("location", ("坐落",), required=True),
    Field("usage", ("用途",), required=True, kind="category", allowed=PROPERTY_USAGES, labels=PROPERTY_USAGE_LABELS),
    Field("floor_area", ("建筑面积",), required=True, kind="number"),
    Field("share", ("共有份额", "份额"), kind="share"),
    Field("registration_date", ("登记日期",), required=True, kind="date"),
    Field("status", ("权属状态", "状态"), required=True, kind="category", allowed=PROPERTY_STATUSES,
          labels=PROPERTY_STATUS_LABELS),
))

SOCIAL_INSURANCE = Table("social_insurance", (
    Field("record_id", ("记录编号",), required=True),
    Field("name", ("姓名",), required=True, kind="name"),
    Field("id_number", _id_aliases("公民身份号码", "身份证号"), kind="id_number"),
    Field("insurance_type", ("险种",), required=True, kind="category", allowed=INSURANCE_TYPES,
          labels=INSURANCE_TYPE_LABELS),
    Field("record_type", ("记录类型",), required=True, kind="category", allowed=RECORD_TYPES,
          # as the schemes' exports word them: a pension 领取 or 发放 is a benefit paid (an income
          # probe's pension receipts were refused)
          labels={**dict.fromkeys(("缴纳", "征缴", "缴款", "缴费记录", "正常缴费", "实缴"), "缴费"),
                  **dict.fromkeys(("领取", "发放", "支付", "待遇领取", "待遇发放", "待遇支付", "养老金发放",
                                   "养老金领取", "报销"), "待遇")}),
    Field("period", ("所属期", "费款所属期"), required=True, kind="period"),
    Field("employer", ("参保单位", "单位名称")),
    Field("contribution_base", ("缴费基数",), kind="money"),
    Field("amount", ("金额",), required=True, kind="money"),
))

BANK = Table("bank", (
    Field("record_id", ("记录编号",), required=True),
    Field("name", ("户名", "客户姓名"), required=True, kind="name"),
    Field("id_number", _id_aliases("证件号码"), kind="id_number"),
    Field("institution", ("金融机构", "开户行"), required=True),
    Field("account_number", ("账号",)),
    Field("product_type", ("产品类型",), required=True, kind="category", allowed=PRODUCT_TYPES,
          # as banks' statements name their products (a bank probe's 活期, 理财, 整存整取 and
          # 大额存单 rows were refused and held their households)
          labels={**dict.fromkeys(("活期", "活期储蓄", "活期存款账户", "个人活期"), "活期存款"),
                  **dict.fromkeys(("定期", "定期储蓄", "整存整取", "零存整取", "存本取息", "整存零取", "定活两便",
                                   "通知存款", "大额存单", "个人定期"), "定期存款"),
                  **dict.fromkeys(("理财", "银行理财", "理财计划", "结构性存款"), "理财产品"),
                  **dict.fromkeys(("证券投资基金", "基金产品", "公募基金"), "基金"),
                  **dict.fromkeys(("国债", "储蓄国债", "凭证式国债", "电子式国债"), "债券")}),
    Field("balance", ("余额", "金额"), required=True, kind="money"),
    Field("as_of_date", ("余额日期", "查询日期"), required=True, kind="date"),
    # not in the contract: banks' statements carry it, and a balance in dollars read as yuan
    # understates the assets (an assets probe's 5,000 美元 counted as ¥5,000); only yuan is accepted
    Field("currency", ("币种", "币别", "货币", "货币种类"), kind="category", allowed=("人民币",),
          labels=dict.fromkeys(("CNY", "RMB", "156", "元", "人民币元", "本币"), "人民币")),
))

TABLES: dict[str, Table] = {t.name: t for t in (APPLICANTS, ROLLS, TAX, VEHICLE, PROPERTY, SOCIAL_INSURANCE, BANK)}
SOURCES: tuple[str, ...] = ("tax", "vehicle", "property", "social_insurance", "bank")
"""Department sources, in the order a pass loads them."""
