"""The Excel layout of the registry (台账): one sheet per record kind, Chinese
headers as communities use them. The template, the import and the exports all
come from these definitions."""
from grid.registry.xlsx import Column, Sheet

HOUSEHOLDS = Sheet("户", (
    Column("key", "户编号", required=True, width=10, example="示例H001", note="本文件内唯一，居民表用它关联到户"),
    Column("community", "社区编码", required=True, width=16, example="330199001001"),
    Column("address", "门牌地址", required=True, width=28, example="朝晖路8号3幢2单元401"),
    Column("lon", "经度", "float", required=True, width=12, example="120.1612", note="WGS84 经度，如 120.1612"),
    Column("lat", "纬度", "float", required=True, width=12, example="30.2846", note="WGS84 纬度，如 30.2846"),
    Column("housing_type", "住房类型", width=12, example="自有住房"),
    Column("tags", "户标签", width=18, example="低保户、残疾人家庭", note="多个用顿号、逗号或分号分隔"),
    Column("phone", "联系电话", width=14, example="13812345678"),
    Column("notes", "备注", width=20),
))
RESIDENTS = Sheet("居民", (
    Column("key", "户编号", required=True, width=10, example="示例H001"),
    Column("name", "姓名", required=True, width=10, example="张伟"),
    Column("id_number", "身份证号", width=22, example="11010519491231002X", note="请设为文本格式，否则 Excel 会截断后三位"),
    Column("gender", "性别", width=6, example="男"),
    Column("birth_date", "出生日期", "date", width=12, example="1949-12-31"),
    Column("ethnicity", "民族", width=8, example="汉族"),
    Column("phone", "联系电话", width=14),
    Column("relation", "与户主关系", required=True, width=10, example="户主"),
    Column("hukou", "户籍状态", width=12, example="人户一致"),
    Column("tags", "标签", width=14, example="党员"),
))
SELF_CARE_HEADERS = (("eating", "吃饭"), ("dressing", "穿衣"), ("transfer", "上下床"), ("toilet", "如厕"),
                     ("walking", "室内走动"), ("bathing", "洗澡"))
ELDERLY = Sheet("老年人", (
    Column("id_number", "身份证号", required=True, width=22, example="11010519491231002X"),
    Column("categories", "类别", required=True, width=14, example="独居、高龄"),
    Column("risk_tier", "风险等级", required=True, width=10, example="重点"),
    Column("living_arrangement", "居住情况", width=12, example="独居"),
    Column("children_count", "子女数", "int", width=8, example="2"),
    Column("children_whereabouts", "子女去向", width=16, example="均在外地工作"),
    *(Column(f"self_care_{item}", header, required=True, width=8, example="能", note="能 / 需帮助 / 不能")
      for item, header in SELF_CARE_HEADERS),
    Column("chronic_illness", "慢性病", width=14),
    Column("allowances", "补贴", width=14, example="高龄津贴"),
    Column("emergency_contact_name", "紧急联系人", width=10),
    Column("emergency_contact_phone", "紧急联系电话", width=14),
    Column("care_arrangements", "照护安排", width=16),
    Column("needs", "需求", width=16),
))
CHILDREN = Sheet("困境儿童", (
    Column("id_number", "身份证号", required=True, width=22),
    Column("category", "类别", required=True, width=16, example="留守儿童"),
    Column("risk_tier", "风险等级", required=True, width=10, example="一般"),
    Column("guardian_name", "监护人", required=True, width=10, example="王秀英"),
    Column("guardian_relation", "监护人关系", required=True, width=10, example="祖母"),
    Column("guardian_phone", "监护人电话", width=14),
    Column("entrusted_guardianship_confirmed", "委托监护确认", "bool", width=10, example="是"),
    Column("father_situation", "父亲情况", width=12, example="外出务工"),
    Column("mother_situation", "母亲情况", width=12, example="外出务工"),
    Column("school", "学校", width=16),
    Column("grade", "年级", width=8),
    Column("boarding", "寄宿", "bool", width=6, example="否"),
    Column("dropped_out", "辍学", "bool", width=6, example="否"),
    Column("health", "健康状况", width=12),
    Column("disability", "残疾情况", width=12),
    Column("living_allowance", "基本生活费", "decimal", width=10, example="1200"),
    Column("receives_dibao", "享受低保", "bool", width=8, example="否"),
    Column("guardianship_quality", "监护状况", width=10, example="一般"),
))
IMPORT_SHEETS = [HOUSEHOLDS, RESIDENTS, ELDERLY, CHILDREN]
OPTIONAL_SHEETS = {ELDERLY.name, CHILDREN.name}
TEMPLATE_NOTE = (
    "住户台账导入模板",
    "1. 标 * 的列必须填写；灰色斜体的示例行（以“示例”开头）不会导入，可以删除。",
    "2. 户编号只在本文件内使用：居民表用它把人关联到户；老年人、困境儿童表用身份证号关联到居民。",
    "3. 经纬度为 WGS84（手机 GPS、天地图）坐标；点必须落在“社区编码”所指社区内。",
    "4. 身份证号请设为文本格式。整个文件没有错误才会导入；可先点“仅检查”。",
)


def split_terms(value) -> list[str]:
    """Cells listing several terms: 独居、高龄 / 独居,高龄 / 独居；高龄."""
    text = str(value or "")
    for separator in "，,；;/ ":
        text = text.replace(separator, "、")
    return [part.strip() for part in text.split("、") if part.strip()]
