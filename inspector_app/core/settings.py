"""Bureau and device settings, stored as key/value rows in the `setting` table (core/storage/models.py).

Every key has a default and a Chinese label here, so a screen can list and edit them and a missing row
means "the default". Keys starting with "device." belong to this laptop alone (its name, its user, its
document-number prefix or block) and must never be copied to another machine by sync.
Values are text; `get_int` reads the numeric ones. Keep this module small and generic: any feature may add
its keys to DEFAULTS.

The rules for a value live here and nowhere else (issue 3 §2): each spec says whether the value is required,
how long it may be and, for numbers, its range; a few keys have a check of their own (`_CHECKS`). `write`
applies the rules of one key; `update` — what `inspector-app settings set` and the 设置 dialog use —
applies them to several keys at once, adds the rules between keys (the document-number pattern and this
laptop's block) and writes all of them in one transaction or none.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core import catalog
from inspector_app.core.errors import DomainError, ValidationError
from inspector_app.core.issuing import legal_basis, number_rules
from inspector_app.core.storage import audit
from inspector_app.core.storage.db import Database
from inspector_app.core.storage.models import Setting
from inspector_app.i18n import _


@dataclass(frozen=True)
class SettingSpec:
    default: str
    label: str
    help: str = ""
    kind: str = "text"  # text | int | multiline
    required: bool = False  # an empty value is refused
    max_length: int = 0  # characters; 0 = no limit
    minimum: int | None = None  # int kind only
    maximum: int | None = None


# A name as the documents print it: long enough for 上海市浦东新区市场监督管理局 and a 分局, one line.
_NAME = 40
_PATTERN_FIELDS = ("short", "year", "prefix", "serial")

DEFAULTS: dict[str, SettingSpec] = {
    "bureau.name": SettingSpec("××区市场监督管理局", "局名", "印在文书抬头和落款处", required=True, max_length=_NAME),
    "bureau.short_name": SettingSpec("××市监", "局名简称", "用于文书编号，如“奉市监”", required=True, max_length=10),
    "bureau.seal_text": SettingSpec(
        "××区市场监督管理局",
        "印章文字",
        "盖章处的提示文字（实物印章另行加盖）",
        required=True,
        max_length=_NAME,
    ),
    "bureau.contact_phone": SettingSpec(
        "", "局联系电话", "印在整改通知书上，供企业报告整改情况；空则留出横线手写", max_length=30
    ),
    # core/supervision/bureau_rules.py: the bureau's own draw rules (canonical JSON), set from the 双随机抽取
    # screen (导入本局规则…), which checks the file; empty = the shipped rules under the bureau's own heading.
    "draw.rules": SettingSpec(
        "",
        "本局双随机抽取规则",
        "在“监管 → 双随机抽取”中导入规则文件；空则用内置规则，标题用本局局名和年度",
        "multiline",
    ),
    # docnumbers.py: {short} {year} {prefix} {serial}; the serial is padded by the format spec.
    "docnumber.pattern": SettingSpec(
        "{short}责改〔{year}〕{prefix}{serial:04d}号",
        "文书编号格式",
        "可用 {short} 局名简称、{year} 年份、{prefix} 本机编号前缀、{serial} 流水号（如 {serial:04d}）",
        required=True,
        max_length=60,
    ),
    # core/issuing/number_prefix.py has the rules; chosen at device setup, asked for at the first number otherwise.
    "device.docnumber_prefix": SettingSpec(
        "",
        "本机编号前缀",
        "2–5 个英文字母或数字，如检查组代号“FX03-”或局里分配的“03-”，各台电脑互不相同；未选定时出具新编号前会询问",
        max_length=12,
    ),
    "device.docnumber_block_start": SettingSpec(
        "", "本机编号段起", "由局分配的流水号段（与前缀二选一），如 3001", "int", minimum=1, maximum=99_999_999
    ),
    "device.docnumber_block_end": SettingSpec("", "本机编号段止", "如 3999", "int", minimum=1, maximum=99_999_999),
    # 002 附件1: 请……在____日内完成整改; the period is editable per inspection when signing (signing.MAX_DAYS).
    "rectification.default_days": SettingSpec(
        "30",
        "默认整改期限（日）",
        "问题汇总表和整改通知书的默认期限，签字时每次检查可另行修改",
        "int",
        required=True,
        minimum=1,
        maximum=365,
    ),
    # core/issuing/legal_basis.py: by validity period and product kind (001 §54 有效期至2022-04-30; 001 §2 食品相关
    # 产品不适用). The shipped line is 001's, valid until its expiry only: a notice dated later needs the bureau's line.
    legal_basis.KEY: SettingSpec(
        legal_basis.DEFAULT,
        legal_basis.LABEL,
        "每行一条：有效期起｜有效期止｜适用产品（全部、工业产品、食品相关产品）｜法规名称和条款，"
        "如“2023-03-01｜｜食品相关产品｜《食品相关产品质量安全监督管理暂行办法》第××条”；"
        "通知书按其日期和企业产品选用有效的一条，没有则不能出具",
        "multiline",
        max_length=3000,
    ),
    # 001 §27 复查; 004 停产整改; 001 §28 移交行政处罚; 002 附件1 备注 撤销生产许可证.
    "notice.reinspection": SettingSpec(
        "整改期限届满后，本局将对你单位的整改情况进行复查。逾期未整改或者整改后仍不符合要求的，"
        "本局将依法责令停产整改；存在违法行为的，移交行政执法部门依法处理；"
        "不能持续保持取得生产许可的规定条件的，依法撤销生产许可证。",
        "复查说明",
        "整改通知书中说明复查及逾期后果的一段话",
        "multiline",
        required=True,
        max_length=1000,
    ),
    "summary.warning": SettingSpec(
        "企业要限期整改，逾期未整改或整改后仍未达到许可条件的企业，依法撤销生产许可证。",
        "问题汇总表备注",
        "问题汇总表下方的备注：逾期未整改的后果",
        "multiline",
        required=True,
        max_length=500,
    ),
    # 001 §11: the 分类告知书's bases, as the notice's (core/issuing/legal_basis.py). No default: the measures that
    # define the classes expired on 2022-04-30 (001 §54); printing refuses until the bureau writes the basis in force.
    legal_basis.CLASS.key: SettingSpec(
        "",
        legal_basis.CLASS.label,
        "每行一条：有效期起｜有效期止｜适用产品（全部、工业产品、食品相关产品）｜法规名称和条款，"
        "用于“依据……，现将你单位的分类结果告知如下”；告知书按其日期和企业产品选用有效的一条，没有则不能出具",
        "multiline",
        max_length=3000,
    ),
    # The earlier single text: read as one line without bounds while class_notice.legal_bases is empty.
    legal_basis.OLD_CLASS_KEY: SettingSpec(
        "",
        "分类告知书依据（旧）",
        "旧版的单条分类告知书依据；请改在“分类告知书法律依据”中按行设置",
        "multiline",
        max_length=500,
    ),
    # Issue 4 §3: what an import accepts (sync/verify.py configured_limits). Bureau-wide: the bureau's values
    # travel to the laptops with its bundles. A bundle over a limit is refused before any content is read.
    "bundle.max_files": SettingSpec(
        "200000",
        "数据包文件数上限",
        "导入时一个数据包最多可含的文件数（每张照片算3个：原件、缩略图、打印件）",
        "int",
        required=True,
        minimum=100,
        maximum=10_000_000,
    ),
    "bundle.max_file_mb": SettingSpec(
        "4096",
        "数据包单个文件上限（MB）",
        "导入时数据包中任一文件（照片原件、文书、记录文件）的最大大小",
        "int",
        required=True,
        minimum=1,
        maximum=1_048_576,
    ),
    "bundle.max_total_mb": SettingSpec(
        "16384",
        "数据包总大小上限（MB）",
        "导入时一个数据包解压后全部内容的最大大小",
        "int",
        required=True,
        minimum=1,
        maximum=16_777_216,
    ),
    # What a file from outside may hold (core/safe_input.py, core/roster/sheets.py, core/inspection/photos.py).
    # A file over a limit is refused before it is read whole.
    "input.roster_max_mb": SettingSpec(
        "64",
        "台账文件大小上限（MB）",
        "导入台账时 CSV 或 XLSX 文件的最大大小（XLSX 解压后不超过其 16 倍）",
        "int",
        required=True,
        minimum=1,
        maximum=4096,
    ),
    "input.roster_max_rows": SettingSpec(
        "200000",
        "台账行数上限",
        "导入台账时一个文件最多的行数",
        "int",
        required=True,
        minimum=1000,
        maximum=5_000_000,
    ),
    # 000 一(一): the districts counted as 中心城区 (every other one is 郊区) in the statistics' regional shares.
    "statistics.central_districts": SettingSpec(
        "、".join(catalog.CENTRAL_DISTRICTS),
        "中心城区",
        "统计“中心城区/郊区”占比时算作中心城区的区，用“、”分隔；其余的区算作郊区",
        required=True,
        max_length=200,
    ),
    "device.name": SettingSpec(
        "", "本机名称", "写入本机签名证书，如“奉贤局-笔记本03”；空则用计算机名", max_length=_NAME
    ),
    "device.inspector": SettingSpec("", "本机使用人", "写入本机签名证书的检查人员姓名", max_length=20),
}
audit.SETTING_LABELS.update({key: spec.label for key, spec in DEFAULTS.items()})  # the change log's words


class SettingsRefused(DomainError):
    """Some of the values given to `update` are refused; `errors` maps each refused key to its reason.
    Nothing has been written."""

    def __init__(self, errors: Mapping[str, ValidationError]):
        self.errors = dict(errors)
        super().__init__("\n".join(str(e) for e in self.errors.values()))


def _spec(key: str) -> SettingSpec:
    try:
        return DEFAULTS[key]
    except KeyError:
        raise ValidationError(_("设置"), _("“{k}”不是已知的设置项").format(k=key)) from None


def label(key: str) -> str:
    return _(_spec(key).label)


def is_device_key(key: str) -> bool:
    """This laptop's own settings (never copied by sync)."""
    return key.startswith("device.")


# ---------------------------------------------------------------------------------------------- rules
_PHONE = re.compile(r"[0-9０-９+＋\-－—()（）\s、,，;；/转]+")


def _check_phone(value: str) -> None:
    if not _PHONE.fullmatch(value):
        raise ValidationError(
            _("局联系电话"), _("“{v}”不像电话号码：只能有数字、-、括号、“转”和分隔的顿号或逗号").format(v=value)
        )
    if sum(c.isdigit() for c in value) < 5:
        raise ValidationError(
            _("局联系电话"), _("“{v}”位数太少，请写全号码（含区号），如 021-67100000").format(v=value)
        )


def district_list(value: str) -> tuple[str, ...]:
    """A list of districts written with 、 , ， ; or spaces (statistics.central_districts), each once, in order."""
    parts = [p for p in re.split(r"[、,，;；\s]+", value) if p]
    return tuple(dict.fromkeys(parts))


def _check_districts(value: str) -> None:
    unknown = [d for d in district_list(value) if d not in catalog.DISTRICTS]
    if unknown:
        raise ValidationError(
            _("中心城区"),
            _("“{d}”不是本市的区，应为 {all} 中的若干个").format(
                d="”“".join(unknown), all="、".join(catalog.DISTRICTS)
            ),
        )


_CHECKS: dict[str, Callable[[str], None]] = {
    "docnumber.pattern": number_rules.check_pattern_setting,
    "bureau.contact_phone": _check_phone,
    legal_basis.KEY: legal_basis.check_setting,
    "statistics.central_districts": _check_districts,
    legal_basis.CLASS.key: legal_basis.check_class_setting,
}


def _range_text(spec: SettingSpec) -> str:
    low, high = spec.minimum, spec.maximum
    if low is not None and high is not None:
        return _("{a}到{b}之间的整数").format(a=low, b=high)
    if low is not None:
        return _("不小于{a}的整数").format(a=low)
    if high is not None:
        return _("不大于{b}的整数").format(b=high)
    return _("整数")


def validate(key: str, value: str) -> str:
    """The value as it would be stored (trimmed; numbers normalised), or ValidationError naming the setting."""
    spec = _spec(key)
    name = _(spec.label)
    value = str(value).strip()
    if not value:
        if spec.required:
            raise ValidationError(name, _("不能为空"))
        return value
    if spec.kind != "multiline" and ("\n" in value or "\r" in value):
        raise ValidationError(name, _("只能写一行，不能换行"))
    if spec.kind == "int":
        try:
            number = int(value)
        except ValueError:
            raise ValidationError(name, _("应为整数，现在是“{v}”").format(v=value)) from None
        if number < 0 and spec.minimum is None:
            raise ValidationError(name, _("不能为负数"))
        low, high = spec.minimum, spec.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            raise ValidationError(name, _("应为{r}，现在是 {v}").format(r=_range_text(spec), v=number))
        return str(number)
    if key == number_rules.KEY:
        return number_rules.normalise(value)  # "fx03" → "FX03-"
    if spec.max_length and len(value) > spec.max_length:
        raise ValidationError(name, _("最多 {m} 个字，现在有 {n} 个字").format(m=spec.max_length, n=len(value)))
    check = _CHECKS.get(key)
    if check is not None:
        check(value)
    return value


def rule_text(key: str) -> str:
    """What `validate` accepts, in a few Chinese words ("必填，最多40个字"), for help texts."""
    spec = _spec(key)
    parts = [_("必填") if spec.required else _("可以为空")]
    if spec.kind == "int":
        parts.append(_range_text(spec))
    elif spec.max_length:
        parts.append(_("最多{m}个字").format(m=spec.max_length))
    if key == "docnumber.pattern":
        parts.append(_("须含 {year} 和 {serial}；不含 {prefix} 时须设本机编号段"))
    return "，".join(parts)


def check_together(values: Mapping[str, str], changed: set[str]) -> dict[str, ValidationError]:
    """The rules between keys, for the changed ones (a stored inconsistency elsewhere does not block a save):
    the document-number pattern and this laptop's block (core/issuing/number_rules.py)."""
    return number_rules.check_together(values, changed, label)


# ---------------------------------------------------------------------------------------------- storage
def read(session: Session, key: str) -> str:
    spec = _spec(key)
    row = session.get(Setting, key)
    return row.value if row is not None else spec.default


def read_int(session: Session, key: str) -> int | None:
    value = read(session, key).strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError(_DEFAULT_LABEL(key), _("“{v}”不是整数，请在设置中改正").format(v=value)) from None


def _DEFAULT_LABEL(key: str) -> str:
    return _(DEFAULTS[key].label)


def store(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def write(session: Session, key: str, value: str) -> None:
    """Store one value after the rules of its key (ValidationError, nothing written)."""
    store(session, key, validate(key, value))


def get(db: Database, key: str) -> str:
    with db.session() as s:
        return read(s, key)


def get_int(db: Database, key: str) -> int | None:
    with db.session() as s:
        return read_int(s, key)


def set_value(db: Database, key: str, value: str) -> None:
    with db.session() as s:
        write(s, key, value)


def update(db: Database, changes: Mapping[str, str]) -> dict[str, str]:
    """Validate every change — each key's rules, then the rules between keys with the stored values — and
    write them all in one transaction. SettingsRefused (every refused key with its reason) writes nothing.
    Returns the values as stored."""
    errors: dict[str, ValidationError] = {}
    clean: dict[str, str] = {}
    for key, value in changes.items():
        try:
            clean[key] = validate(key, value)
        except ValidationError as exc:
            errors[key] = exc
    if errors:
        raise SettingsRefused(errors)
    with db.session() as s:
        merged = {key: read(s, key) for key in DEFAULTS} | clean
        errors = check_together(merged, set(clean))
        if clean.get(number_rules.KEY):
            try:
                number_rules.check_unused(s, clean[number_rules.KEY], read(s, "device.name"))
            except ValidationError as exc:
                errors["device.docnumber_prefix"] = exc
        if errors:
            raise SettingsRefused(errors)
        for key, value in clean.items():
            store(s, key, value)
    return clean


def all_settings(db: Database) -> dict[str, str]:
    """Every known key with its current value (the default where none is stored)."""
    with db.session() as s:
        stored = {r.key: r.value for r in s.scalars(select(Setting).where(Setting.key.in_(DEFAULTS)))}
    return {key: stored.get(key, spec.default) for key, spec in DEFAULTS.items()}


def reset(db: Database, key: str) -> None:
    _spec(key)
    with db.session() as s:
        row = s.get(Setting, key)
        if row is not None:
            s.delete(row)
