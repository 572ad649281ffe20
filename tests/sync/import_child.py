"""Child process of test_import_leftovers.py: import one bundle, and stop for good at a chosen point, where the
parent kills it (SIGKILL: nothing of the import's own clean-up runs).

usage: import_child.py DB DATA_DIR BUNDLE MODE
MODE: before-commit — the attachments are moved into place, the transaction not yet committed;
      after-commit  — committed, the staging folder not yet removed.
Prints STOPPED when it reached that point (flushed: the parent reads it before killing), then waits.
"""

import os
import sys
import time

LIFETIME = 60.0  # seconds; the parent kills it long before


def _stop() -> None:
    print("STOPPED", flush=True)
    time.sleep(LIFETIME)
    os._exit(3)  # never reached in a passing test: the import must not go on


def main() -> int:
    db_path, data_dir, bundle, mode = sys.argv[1:5]
    os.environ["INSPECTOR_APP_DATA_DIR"] = data_dir
    from inspector_app.core.storage.db import open_database
    from inspector_app.sync import importer, staging, verify

    if mode == "before-commit":
        real_sync = staging.sync_disk

        def sync_then_stop(folders=None):  # the last step before the commit: every file is in place
            real_sync(folders)
            _stop()

        staging.sync_disk = sync_then_stop
    elif mode == "after-commit":
        verify.VerifiedBundle.discard = lambda self: _stop()  # import_bundle's `finally`, after the commit
    else:
        print(f"unknown mode {mode}", file=sys.stderr)
        return 2
    db = open_database(db_path)
    importer.import_bundle(db, bundle)
    print("FINISHED", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
