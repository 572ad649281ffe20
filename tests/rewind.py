"""Undo, in a migrated SQLite file, what the migrations after 0800 made — for the tests that rewind a current
database to the heads before 0800 and upgrade it again (they would meet "duplicate column" otherwise).
A new migration after 0800 adds its undo here, once, for every such test."""


def undo_after_0800(con) -> None:
    """`con`: an sqlite3 connection to the file, inside the caller's transaction."""
    for table in ("license_action", "interview", "classification_notice"):  # 0810
        con.execute(f"DROP TABLE {table}")
    con.execute("ALTER TABLE inspector DROP COLUMN district")
    for column in ("rotation", "latitude", "longitude"):  # 0840
        con.execute(f"ALTER TABLE photo DROP COLUMN {column}")
    for table in ("stored_file", "change_log"):  # 0850
        con.execute(f"DROP TABLE {table}")
    con.execute("ALTER TABLE license DROP COLUMN issuance")  # 0860
    con.execute("ALTER TABLE spot_check DROP COLUMN product")
    con.execute("DROP INDEX ix_issued_document_record_id")  # 0870
    con.execute("ALTER TABLE issued_document DROP COLUMN record_id")
