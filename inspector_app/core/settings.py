"""Bureau and device settings, stored as key/value rows in the `setting` table (core/models.py).

Every key has a default and a Chinese label here, so a screen can list and edit them and a missing row
means "the default". Keys starting with "device." belong to this laptop alone (its name, its user, its
document-number prefix or block) and must never be copied to another machine by sync.
Values are text; `get_int` reads the numeric ones. Keep this module small and generic: any feature may add
its keys to DEFAULTS.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector_app.core.db import Database
from inspector_app.core.errors import ValidationError
from inspector_app.core.models import Setting
from inspector_app.i18n import _


@dataclass(frozen=True)
class SettingSpec:
    default: str
    label: str
    help: str = ""
    kind: str = "text"  # text | int | multiline


DEFAULTS: dict[str, SettingSpec] = {
    "bureau.name": SettingSpec("××区市场监督管理局", "局名", "印在文书抬头和落款处"),
    "bureau.short_name": SettingSpec("××市监", "局名简称", "用于文书编号，如“奉市监”"),
    "bureau.seal_text": SettingSpec("××区市场监督管理局", "印章文字", "盖章处的提示文字（实物印章另行加盖）"),
    "bureau.contact_phone": SettingSpec("", "局联系电话", "印在整改通知书上，供企业报告整改情况"),
    # docnumbers.py: {short} {year} {prefix} {serial}; the serial is padded by the format spec.
    "docnumber.pattern": SettingSpec(
        "{short}责改〔{year}〕{prefix}{serial:04d}号",
        "文书编号格式",
        "可用 {short} 局名简称、{year} 年份、{prefix} 本机编号前缀、{serial} 流水号（如 {serial:04d}）",
    ),
    "device.docnumber_prefix": SettingSpec("", "本机编号前缀", "由局统一分配，各台电脑互不相同，如“03-”"),
    "device.docnumber_block_start": SettingSpec(
        "", "本机编号段起", "由局分配的流水号段（与前缀二选一），如 3001", "int"
    ),
    "device.docnumber_block_end": SettingSpec("", "本机编号段止", "如 3999", "int"),
    # 002 附件1: 请……在____日内完成整改; the period is editable per inspection when signing.
    "rectification.default_days": SettingSpec("30", "默认整改期限（日）", "问题汇总表和整改通知书的默认期限", "int"),
    "notice.legal_basis": SettingSpec(
        "《中华人民共和国工业产品生产许可证管理条例》、《工业产品生产许可证获证企业后续监管规定》"
        "（国家质检总局2011年第11号公告）和《上海市工业产品生产许可证证后监督检查管理办法》第二十七条",
        "整改通知书法律依据",
        "“依据……的规定，现责令你单位限期整改”中的法规名称和条款",
        "multiline",
    ),
    # 001 §27 复查; 004 停产整改; 001 §28 移交行政处罚; 002 附件1 备注 撤销生产许可证.
    "notice.reinspection": SettingSpec(
        "整改期限届满后，本局将对你单位的整改情况进行复查。逾期未整改或者整改后仍不符合要求的，"
        "本局将依法责令停产整改；存在违法行为的，移交行政执法部门依法处理；"
        "不能持续保持取得生产许可的规定条件的，依法撤销生产许可证。",
        "复查说明",
        "整改通知书中说明复查及逾期后果的一段话",
        "multiline",
    ),
    "summary.warning": SettingSpec(
        "企业要限期整改，逾期未整改或整改后仍未达到许可条件的企业，依法撤销生产许可证。",
        "问题汇总表备注",
        "002 附件1 备注",
        "multiline",
    ),
    "device.name": SettingSpec("", "本机名称", "写入本机签名证书，如“奉贤局-笔记本03”；空则用计算机名"),
    "device.inspector": SettingSpec("", "本机使用人", "写入本机签名证书的检查人员姓名"),
}


def _spec(key: str) -> SettingSpec:
    try:
        return DEFAULTS[key]
    except KeyError:
        raise ValidationError(_("设置"), _("“{k}”不是已知的设置项").format(k=key)) from None


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


def write(session: Session, key: str, value: str) -> None:
    spec = _spec(key)
    value = str(value).strip()
    if spec.kind == "int" and value:
        try:
            number = int(value)
        except ValueError:
            raise ValidationError(_(spec.label), _("应为整数，现在是“{v}”").format(v=value)) from None
        if number < 0:
            raise ValidationError(_(spec.label), _("不能为负数"))
    if key == "docnumber.pattern":
        from inspector_app.core.docnumbers import check_pattern

        check_pattern(value)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def get(db: Database, key: str) -> str:
    with db.session() as s:
        return read(s, key)


def get_int(db: Database, key: str) -> int | None:
    with db.session() as s:
        return read_int(s, key)


def set_value(db: Database, key: str, value: str) -> None:
    with db.session() as s:
        write(s, key, value)


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
