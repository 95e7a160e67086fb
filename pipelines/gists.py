"""Chinese gists of the readers' and gates' reasons (which are English), for the clerks who read the
notes: a row's (`row_gist`, leading each rejected row's reason in `pipelines.row_errors`) and a whole
file's (`file_gist`, leading a rejected file's note in `pipelines.ingest`). The first entry whose
text the reason holds gives the gist; more specific entries come first."""

from __future__ import annotations

TAKEN_MARK = "is already a request of agency"
"""What a row under another agency's request_id says (`pipelines.row_errors.request_taken_reason`)."""
CUT_MARK = "looks cut off in transfer"
"""What a truncated file's broken last row says (`connectors.csv_tail.TRUNCATED`)."""

REASON_GIST = (   # (what the reason says, its gist in Chinese): the parsers' and gates' reasons are English
    ("nothing needs resending", "无需处理"), ("exact copy of data row", "无需处理"),
    (CUT_MARK, "文件疑似传输中断，此行不完整"), (TAKEN_MARK, "申请编号已属其他机构"),
    ("is not an amount of money", "金额无法识别"), ("is negative", "不能为负数"),
    ("has more than 2 decimals", "金额最多两位小数（到分）"), ("too large", "数值过大"),
    ("outside the plausible range", "数值超出合理范围"), ("is not a plausible", "日期不在合理范围内"),
    ("is not a real date", "日期不存在"), ("is not a date", "日期无法识别"),
    ("is not a real month", "月份不存在"), ("is not a month", "所属期（月份）无法识别"),
    ("covers more than one month", "一行只能是一个月"), ("could be January or October", "月份有歧义"),
    ("is before 1900", "年份有误"), ("is not an Excel date serial", "日期无法识别"),
    ("is not an accepted", "不是可接受的取值"), ("is not a member number", "成员序号应为正整数"),
    ("member_no must be", "成员序号应为1到99的整数"), ("appears twice in one household", "同一家庭成员序号重复"),
    ("request_id/household_id/member_no", "同一申请同一家庭中成员序号重复（若是两人，请分别编号）"),
    ("appears more than once in this file", "记录编号在本文件中重复"),
    ("fields but the header has", "本行列数与表头不符（值中可能含有未加引号的分隔符）"),
    ("opens a value that runs", "引号未闭合，下面的行被并入此行"), ("on sheet", "数据不在第一个工作表，未读取"),
    ("is not valid JSON", "不是有效的JSON"), ("is not a JSON object", "不是JSON对象"),
    ("the JSON object is not closed", "JSON对象未闭合"), ("appears twice in this line", "同一行中字段重复"),
    ("with different values", "同一字段给出了不同的值"), ("not valid UTF-8", "含有无法识别的字节（乱码）"),
    ("ends in the middle of this row", "文件疑似传输中断，此行不完整"),
    ("is not a name", "不是姓名"), ("is not a number", "数值无法识别"),
    ("is not an ownership share", "产权份额无法识别"), ("share must be", "产权份额应大于0且不超过1"),
    ("floor_area must be", "面积应大于0且小于100,000平方米"), ("must be a 6-digit", "区县代码应为6位行政区划代码"),
    ("may use letters, digits", "编号含不允许的字符"), ("agency must be", "机构名含不允许的字符"),
    ("an empty value", "不能为空"), ("is required", "必填项为空"),
)


def row_gist(reason: str | None) -> str:
    """A Chinese gist of a reason, put before it in the notes (empty when none is known)."""
    text = reason or ""
    return next((zh for mark, zh in REASON_GIST if mark in text), "")


FILE_GIST = (   # (what a rejection says, its gist in Chinese): the readers' reasons are English (a messages probe)
    ("before the roll in force", "名册比正在使用的名册旧，未被采用，仍沿用较新的名册"),
    ("rolls snapshot looks truncated", "名册文件不完整（被截断），未被采用，仍沿用上一版名册"),
    ("the file is empty", "文件为空，请连同表头和数据行重新发送"), ("no header row", "文件没有表头行"),
    ("missing required column", "缺少必需的列（见下文列出的可用列名）"),
    ("do not have the", "多数行的列数与表头不符：请检查分隔符，含分隔符的值须加引号"),
    ("cannot be decoded", "文件编码无法识别：请另存为 UTF-8 或 GBK 编码"), ("GBK/GB18030 text, but", "文件中部分内容编码损坏"),
    ("ZIP archive", "文件是压缩包，请解压后发送其中的表格"), ("binary data", "文件不是文本表格"),
    ("not a table", "文件不是表格（可接受 CSV、XLSX、JSON Lines、Parquet）"), ("NUL byte", "文件含有二进制零字节，可能传输损坏"),
    ("workbook is damaged", "Excel 工作簿已损坏"), ("is empty", "工作表为空"), ("one JSON array", "应为 JSON Lines（每行一个对象）"),
    ("JSON object", "文件中没有有效的 JSON 对象"), ("save it from Excel as .xlsx", "请在 Excel 中另存为 .xlsx"),
    ("cannot be parsed", "CSV 无法解析：请检查引号和分隔符"), ("is longer than", "某行过长：通常是引号未闭合"),
    ("columns; at most", "列数过多"), ("first sheet", "表格须放在工作簿的第一个工作表"),
)
"""A rejected file's note leads its reason with one of these (the first whose text the reason holds)."""


def file_gist(reason: str) -> str:
    """A Chinese gist of why a whole file was rejected (empty when none is known)."""
    return next((zh for mark, zh in FILE_GIST if mark in reason), "")
