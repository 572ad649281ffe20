"""The documents an inspection issues: their type codes and titles, the one list of them (documents/ builds
them, core/issuing/issued.py archives them, sync carries them)."""

SUMMARY, RECORD, NOTICE = "summary", "record", "notice"
DOC_TITLES = {SUMMARY: "问题汇总表", RECORD: "监督检查记录表", NOTICE: "责令整改通知书"}


def doc_title(doc_type: str) -> str:
    return DOC_TITLES.get(doc_type, doc_type)
