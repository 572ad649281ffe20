"""`inspector-app pdf lookup CODE | --image SCAN [--export FILE]`: a paper document checked from the CLI."""

import subprocess

import pytest

from inspector_app.cli.main import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, main
from inspector_app.documents import qrsig
from inspector_app.sync import keys
from tests.documents import factory


@pytest.fixture
def issued(db, sample, templates, fixed_today, tmp_path, capsys):
    """A set-up laptop issued a 问题汇总表 with `pdf summary -o`; returns (file, its code)."""
    keys.setup_device(db, keys.FIELD, name="laptop-a")
    factory.configure_bureau(db)  # the bureau's bundle arrived: no placeholder to refuse
    iid = factory.signed(db, sample, templates)
    out = tmp_path / "summary.pdf"
    assert run(db, "pdf", "summary", iid, "-o", str(out)) == EXIT_OK
    code = capsys.readouterr().out.split("核验码 ")[1][:21]
    return out, code


def run(db, *args):
    db.close()
    return main(["--db", str(db.path), *args])


def test_lookup_by_code_shows_the_record_and_exports_the_issued_file(db, issued, tmp_path, capsys):
    out, code = issued
    copy = tmp_path / "copy.pdf"
    assert run(db, "pdf", "lookup", code, "--export", str(copy)) == EXIT_OK
    printed = capsys.readouterr().out
    assert printed.startswith("找到出具的文书") and "上海申华塑料制品有限公司" in printed and "发现问题 3 项" in printed
    assert "存档中出具的原文书 1 份" in printed and "存档原文书的电子签名：完整" in printed
    assert copy.read_bytes() == out.read_bytes()  # the exact bytes handed out


def test_a_typo_is_refused_naming_the_character(db, issued, capsys):
    _out, code = issued
    wrong = "Z" if code[5] != "Z" else "Y"
    typed = code[:5] + wrong + code[6:]
    assert run(db, "pdf", "lookup", typed) == EXIT_REFUSED
    err = capsys.readouterr().err
    assert f"第2组第1个字符“{wrong}”应为“{code[5]}”" in err and "Traceback" not in err


def test_lookup_from_a_scan_and_a_forged_qr(db, issued, tmp_path, capsys):
    out, _code = issued
    prefix = tmp_path / "scan"
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-f", "1", "-l", "1", str(out), str(prefix)], check=True)
    scan = next(tmp_path.glob("scan*.png"))
    assert run(db, "pdf", "lookup", "--image", str(scan)) == EXIT_OK
    printed = capsys.readouterr().out
    assert "二维码签名有效" in printed and "laptop-a" in printed
    text = printed.split("二维码内容：")[1].splitlines()[0]
    raw = bytearray(qrsig.b45decode(text[len(qrsig.PREFIX) :]))
    raw[20] ^= 0x40  # another inspection id, the signature copied from the genuine code
    forged = qrsig.PREFIX + qrsig.b45encode(bytes(raw))
    assert run(db, "pdf", "lookup", forged) == EXIT_REFUSED
    assert "伪造" in capsys.readouterr().err


def test_lookup_needs_a_code_or_an_image(db, issued, tmp_path, capsys):
    assert run(db, "pdf", "lookup") == EXIT_REFUSED
    assert "二者选一" in capsys.readouterr().err
    assert run(db, "pdf", "lookup", "--image", str(tmp_path / "none.png")) == EXIT_REFUSED
    assert "none.png" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        run(db, "pdf", "lookup", "--nope")
    assert exit_.value.code == EXIT_USAGE
