"""The documents an inspection issues: their type codes and titles, the one list of them (documents/ builds
them, core/issuing/issued.py archives them, sync carries them)."""

SUMMARY, RECORD, NOTICE = "summary", "record", "notice"
STATUS = "status"  # 生产状况登记表 of a steel or cement enterprise (002 附件3/附件4), only where the record has one
DOC_TITLES = {SUMMARY: "问题汇总表", RECORD: "监督检查记录表", NOTICE: "责令整改通知书", STATUS: "生产状况登记表"}


def doc_title(doc_type: str) -> str:
    return DOC_TITLES.get(doc_type, doc_type)
