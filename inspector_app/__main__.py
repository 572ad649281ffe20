"""`inspector-app` with no sub-command opens the GUI (options `--db PATH`, `--demo`); otherwise the CLI."""

import sys


def _is_gui(argv: list[str]) -> bool:
    rest = [a for a in argv if not a.startswith("--db=")]
    if "--db" in rest:
        i = rest.index("--db")
        del rest[i : i + 2]
    return all(a == "--demo" for a in rest)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if _is_gui(argv):
        from inspector_app.ui.app import run

        return run(argv)
    from inspector_app.cli.main import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
