"""One clerk's process for tests/server/test_clerks.py: `python -m tests.server.clerk_child URL N` issues N document
numbers, one transaction each, all at once with the other clerks, and prints them as JSON."""

import json
import sys


def main(url: str, n: int) -> None:
    from inspector_app.core.issuing import numbers
    from inspector_app.core.storage.db import open_database

    db = open_database(url)
    try:
        got = []
        for _i in range(n):
            with db.session() as s:
                got.append(numbers.issue(s, numbers.NOTICE).number)
        print(json.dumps(got))
    finally:
        db.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
