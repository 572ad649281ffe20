"""Child process of test_export_safety.py: export laptop A's database once, maybe under a file-size limit.

usage: export_child.py DB DATA_DIR OUT MODE   (MODE: plain | fsize:<bytes>)
Prints START when the export begins and DONE <sequence> when it returned; exit 1 and the message if refused.
"""

import os
import sys


def main() -> int:
    db_path, data_dir, out, mode = sys.argv[1:5]
    os.environ["INSPECTOR_APP_DATA_DIR"] = data_dir
    from inspector_app.core.storage.db import open_database
    from inspector_app.sync import export, registry
    from inspector_app.sync.format import SyncError
    from tests.sync import photo_kind

    photo_kind.register(registry.registry())
    db = open_database(db_path)
    if mode.startswith("fsize:"):
        import resource
        import signal

        limit = int(mode.split(":")[1])
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    print("START", flush=True)
    try:
        r = export.export_bundle(db, out, full=True, encrypt=False)
    except SyncError as exc:
        print(f"REFUSED {exc}", flush=True)
        return 1
    finally:
        db.close()
    print(f"DONE {r.sequence}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
