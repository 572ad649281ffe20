"""The documents an inspection issues: their type codes and titles, the one list of them (documents/ builds
them, core/issuing/issued.py archives them, sync carries them). The documents of a supervision record that
belong to no inspection (the 分类告知书 and the 约谈记录, documents/supervision_docs.py) are archived in the same
register under RECORD_DOC_TITLES."""

SUMMARY, RECORD, NOTICE = "summary", "record", "notice"
STATUS = "status"  # 生产状况登记表 of a steel or cement enterprise (002 附件3/附件4), only where the record has one
DOC_TITLES = {SUMMARY: "问题汇总表", RECORD: "监督检查记录表", NOTICE: "责令整改通知书", STATUS: "生产状况登记表"}
CLASS_NOTICE, INTERVIEW = "class_notice", "interview"  # the same codes as core/issuing/numbers.py
RECORD_DOC_TITLES = {CLASS_NOTICE: "分类告知书", INTERVIEW: "约谈记录"}
ALL_TITLES = {**DOC_TITLES, **RECORD_DOC_TITLES}


def doc_title(doc_type: str) -> str:
    return ALL_TITLES.get(doc_type, doc_type)
