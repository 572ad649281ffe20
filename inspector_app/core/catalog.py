"""Fixed vocabularies of the domain, each cited to the seed it comes from.

Codes are stored in the database; the Chinese labels are what forms, documents and the UI show.
"""

# 000 表3 / 002 一(三): the ten product categories of the license catalogue, in the report's order.
PRODUCT_CATEGORIES: tuple[str, ...] = (
    "建筑用钢筋",
    "水泥",
    "广播电视传输设备",
    "人民币鉴别仪",
    "预应力混凝土铁路桥简支梁",
    "电线电缆",
    "危险化学品",
    "危险化学品包装物及容器",
    "化肥",
    "直接接触食品的材料等相关产品",
)
FOOD_CATEGORY = "直接接触食品的材料等相关产品"

# Short names a ledger may use for the same category (roster import accepts them).
CATEGORY_SYNONYMS: dict[str, str] = {
    "食品相关产品": FOOD_CATEGORY,
    "食品相关": FOOD_CATEGORY,
    "钢筋": "建筑用钢筋",
    "危化品": "危险化学品",
    "危险化学品包装物": "危险化学品包装物及容器",
    "危化品包装物及容器": "危险化学品包装物及容器",
}


def product_kind(category: str) -> str:
    """'food' for food-related products, 'industrial' otherwise (002 附件2 产品类别)."""
    return "food" if category == FOOD_CATEGORY else "industrial"


PRODUCT_KINDS: dict[str, str] = {"industrial": "工业产品", "food": "食品相关产品"}

# 000 表1: Shanghai's sixteen districts in the report's order.
DISTRICTS: tuple[str, ...] = (
    "奉贤区",
    "松江区",
    "金山区",
    "浦东新区",
    "嘉定区",
    "青浦区",
    "闵行区",
    "宝山区",
    "崇明区",
    "普陀区",
    "徐汇区",
    "杨浦区",
    "虹口区",
    "静安区",
    "黄浦区",
    "长宁区",
)

# 000 一(一): 中心城区 in the report's own figures — the seven districts inside the city centre; every other district
# is 郊区 (11 of 646 enterprises = 1.7 %, 635 = 98.3 %). The default of the setting statistics.central_districts.
CENTRAL_DISTRICTS: tuple[str, ...] = ("黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区")

# 000 二(二): problem categories used in the bureau's statistics, in the report's order.
PROBLEM_CATEGORIES: tuple[str, ...] = (
    "生产条件",
    "检验情况",
    "检验手段",
    "技术、工艺文件",
    "许可证标志和编号",
    "生产资质",
    "其他",
)

# 001 §25: the six check points of Shanghai's routine inspection.
CHECKPOINTS: dict[int, str] = {
    1: "生产许可证编号和标志标注",
    2: "生产条件、检验手段、生产技术或工艺变化",
    3: "原辅材料进货验收",
    4: "产品出厂检验",
    5: "产品包装标识标注",
    6: "执行产业政策",
}

# 001 §8: enterprise classes; §30: the supervision mode of each.
CLASSES: dict[str, str] = {"AA": "优秀自律", "A": "良好自律", "B": "基本", "C": "较差"}
SUPERVISION_MODES: dict[str, str] = {"AA": "信用监管", "A": "责任监管", "B": "常态监管", "C": "加严监管"}

# 001 §12: product risk levels.
RISK_LEVELS: dict[str, str] = {"I": "Ⅰ级（高风险）", "II": "Ⅱ级（较高风险）", "III": "Ⅲ级（一般风险）"}

# 001 §21–§22, §29; 002; 000 四: kinds of inspection.
INSPECTION_KINDS: dict[str, str] = {
    "scheduled": "定期",
    "unscheduled": "不定期",
    "special": "专项",
    "followup": "回访",
    "double_random": "双随机",
    "flight": "飞行",
    # 000 二(一), 五: the full-coverage routine inspection of a license issued under 告知承诺
    "routine": "全覆盖例行",
}

# 000 一: how a license was issued — under 告知承诺 (notification and commitment) or the ordinary procedure.
ISSUANCE_MODES: dict[str, str] = {"commitment": "告知承诺", "standard": "一般程序"}
# Words a ledger may use for them (roster import).
ISSUANCE_SYNONYMS: dict[str, str] = {
    "告知承诺": "commitment",
    "告知承诺审批": "commitment",
    "告知承诺制": "commitment",
    "承诺制": "commitment",
    "一般程序": "standard",
    "普通程序": "standard",
    "常规审批": "standard",
    "一般审批": "standard",
}

# 002 附件2: the three conclusions of a sub-item.
CONCLUSIONS: dict[str, str] = {"conform": "符合", "nonconform": "不符合", "na": "不适用"}

# 001 §24: an inspection needs at least two inspectors.
MIN_TEAM_SIZE = 2

# A license expiring within this many days is flagged in the roster.
EXPIRY_WARNING_DAYS = 90
