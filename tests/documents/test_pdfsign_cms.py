"""pdfsign's CMS template and identity cache: the same signature container as pyHanko's, the same identity as
reading the files, only sooner."""

import asyncio
import hashlib

from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.sign import signers
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

from inspector_app.documents import pdfsign


def without_signature(info: cms.ContentInfo) -> bytes:
    copy = cms.ContentInfo.load(info.dump())
    copy["content"]["signer_infos"][0]["signature"] = b""
    return copy.dump(force=True)


def sign(signer, digest, **kw):
    return asyncio.run(signer.async_sign(digest, "sha256", use_pades=True, **kw))


def test_the_template_container_is_pyhankos_and_its_signature_verifies():
    identity = pdfsign.ensure_identity("测试笔记本", "张伟")
    signer = pdfsign._signer(identity)
    for text in (b"one document", b"another document"):
        digest = hashlib.sha256(text).digest()
        attrs = PdfCMSSignedAttributes()
        mine = sign(signer, digest, signed_attr_settings=attrs)
        theirs = asyncio.run(
            signers.SimpleSigner.async_sign(signer, digest, "sha256", use_pades=True, signed_attr_settings=attrs)
        )
        assert without_signature(mine) == without_signature(theirs)  # ECDSA signatures differ every time
        info = mine["content"]["signer_infos"][0]
        assert info["signed_attrs"].dump() == theirs["content"]["signer_infos"][0]["signed_attrs"].dump()
        digests = [a["values"][0].native for a in info["signed_attrs"] if a["type"].native == "message_digest"]
        assert digests == [digest]
        covered = b"\x31" + info["signed_attrs"].dump()[1:]  # the signature covers the attributes as a SET
        cert = x509.load_pem_x509_certificate(identity.cert_path.read_bytes())
        cert.public_key().verify(info["signature"].native, covered, ec.ECDSA(hashes.SHA256()))
    assert signer._templates["sha256"].usable  # the template made it, not pyHanko's fallback


def test_other_kinds_of_signature_go_through_pyhanko():
    signer = pdfsign._signer(pdfsign.ensure_identity("测试笔记本", "张伟"))
    dry = sign(signer, bytes(32), dry_run=True)  # pyHanko's size estimate: a placeholder signature
    assert dry["content"]["signer_infos"][0]["signature"].native != b""
    assert pdfsign._CmsTemplate(dry.dump(), hashlib.sha256(b"not in it").digest()).usable is False


def test_the_identity_is_read_again_when_its_files_change():
    a = pdfsign.ensure_identity("笔记本01", "张伟")
    assert pdfsign.ensure_identity("笔记本01", "张伟") == a
    b = pdfsign.ensure_identity("笔记本01", "刘洋")  # a new certificate in the same file
    assert b.fingerprint != a.fingerprint
    again = pdfsign.ensure_identity("笔记本01", "张伟")
    cert = x509.load_pem_x509_certificate(again.cert_path.read_bytes())
    assert "张伟" in cert.subject.rfc4514_string()  # not the cached identity of a certificate no longer there
    key_fingerprint = cert.public_key().public_numbers()
    again.key_path.unlink()  # a lost key: a new one is made
    new = pdfsign.ensure_identity("笔记本01", "张伟")
    new_cert = x509.load_pem_x509_certificate(new.cert_path.read_bytes())
    assert new_cert.public_key().public_numbers() != key_fingerprint
