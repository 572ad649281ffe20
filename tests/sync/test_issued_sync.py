"""Issued documents travel field → bureau with their PDF: the bureau holds the very bytes the enterprise got,
they verify there as signed by the laptop's key, and a changed copy under the same id is a conflict."""

import hashlib
import shutil

from sqlalchemy import select

from inspector_app import paths
from inspector_app.cli.main import EXIT_OK, main
from inspector_app.core.issuing import issued as issued_docs
from inspector_app.core.storage.docs_models import IssuedDocument
from inspector_app.core.storage.sync_models import Conflict
from inspector_app.documents import issue
from inspector_app.documents.generate import generate
from inspector_app.documents.pdfsign import verify_pdf


def _signed(w) -> str:
    iid = w.start(w.a)
    w.answer_all(w.a, iid)
    w.complete_and_sign(w.a, iid)
    return iid


def _move_to_own_machine(monkeypatch, tmp_path):
    """From here on the bureau runs with its own data folder (in the fixture all nodes share one): the PDF
    must really arrive in the bundle, and the bureau has no PDF signing key of its own."""
    old = paths.data_dir()
    monkeypatch.setenv(paths.ENV_DATA_DIR, str(tmp_path / "bureau-data"))
    shutil.copytree(old / "keys", paths.data_dir() / "keys")  # its sync keys, to open the bundle


def test_a_laptops_summary_reaches_the_bureau_byte_for_byte_and_verifies(world, tmp_path, monkeypatch, capsys):
    w = world
    iid = _signed(w)
    doc = generate(w.a.db, iid, "summary")
    handed_out = tmp_path / "给企业的汇总表.pdf"
    info = issue.save_issued(w.a.db, doc, handed_out)
    laptop_key = verify_pdf(doc.pdf).fingerprint
    assert verify_pdf(doc.pdf).own_device and info.signer_fingerprint == laptop_key
    assert info.device == "a" and info.device_id == w.a.id

    r = w.a.export()
    assert r.encrypted and r.counts["issued_document"] == 1 and r.files == 1
    _move_to_own_machine(monkeypatch, tmp_path)
    res = w.bureau.import_(r.path)
    assert res.preview.total("added") >= 1 and not res.preview.conflicts

    (held,) = issued_docs.list_issued(w.bureau.db, iid)
    assert (held.id, held.sha256, held.how, held.device_id) == (info.id, info.sha256, "saved", w.a.id)
    data = issued_docs.issued_pdf(w.bureau.db, held.id)
    assert data == doc.pdf == handed_out.read_bytes()
    assert issued_docs.archive_path(held.sha256).is_relative_to(tmp_path / "bureau-data")
    check = verify_pdf(data)
    assert check.intact and check.inspection_id == iid
    assert check.fingerprint == laptop_key and not check.own_device  # the laptop's key, not the bureau's

    # `pdf verify` at the bureau of the copy the enterprise brings back: intact, archived, whose key.
    w.bureau.db.close()
    capsys.readouterr()
    assert main(["--db", str(w.bureau.path), "pdf", "verify", str(handed_out)]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("完整") and "存档：与已出具文书存档一致（问题汇总表" in out
    assert "签名公钥属于设备：a" in out and "（本机）" not in out

    # Bureau → field is not a direction of this kind: nothing of it goes back to the laptops.
    back = w.bureau.export(to=w.a.id, full=True)
    assert back.counts.get("issued_document", 0) == 0


def test_a_changed_copy_under_the_same_id_is_a_conflict_not_an_overwrite(world):
    w = world
    iid = _signed(w)
    doc = generate(w.a.db, iid, "summary")
    info = issue.record_issued(w.a.db, doc, "printed")
    w.bureau.import_(w.a.export().path)

    # Behind the app's back on the laptop: another PDF put in place of the issued one (never done by the app).
    forged = doc.pdf.replace(b"/Producer", b"/Pr0ducer", 1)
    assert forged != doc.pdf
    digest = hashlib.sha256(forged).hexdigest()
    with w.a.db.session() as s:
        issued_docs.store_file(s, forged, digest)
        row = s.get(IssuedDocument, info.id)
        row.sha256, row.size = digest, len(forged)
    res = w.bureau.import_(w.a.export().path)
    assert [(c.kind, c.reason) for c in res.preview.conflicts] == [("issued_document", "immutable")]

    (held,) = issued_docs.list_issued(w.bureau.db, iid)
    assert held.sha256 == info.sha256 and held.size == len(doc.pdf)
    assert issued_docs.issued_pdf(w.bureau.db, held.id) == doc.pdf
    assert verify_pdf(issued_docs.issued_pdf(w.bureau.db, held.id)).intact
    with w.bureau.db.session() as s:
        conflict = s.scalar(select(Conflict).where(Conflict.kind == "issued_document"))
        assert conflict.record_id == info.id and conflict.status == "open"
        assert conflict.files_dir  # the incoming PDF is kept for the person who decides


def test_the_kind_is_registered_for_laptops_only():
    from inspector_app.core.storage.sync_models import BUREAU, FIELD
    from inspector_app.sync.registry import registry

    kind = registry().get("issued_document")
    assert kind is not None and kind.senders == {FIELD} and BUREAU not in kind.senders
    assert kind.order > registry().get("inspection").order
