"""The demo CA command and the signing key loader."""

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtensionOID, NameOID
from django.core.management import call_command

from nokor.documents import signing


@pytest.fixture
def paths(settings, tmp_path):
    settings.SIGNING_KEY_FILE = tmp_path / "signing" / "signing-key.pem"
    settings.SIGNING_CERT_FILE = tmp_path / "signing" / "signing-cert.pem"
    settings.SIGNING_CHAIN_FILE = tmp_path / "signing" / "chain.pem"
    return signing.SigningPaths.from_settings()


def test_the_command_creates_a_ca_and_a_signing_certificate_once(paths, capsys):
    call_command("documents_demo_ca")
    assert "wrote" in capsys.readouterr().out
    stamps = {p: p.stat().st_mtime_ns for p in (paths.key, paths.cert, paths.chain)}
    call_command("documents_demo_ca")
    assert "already present" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    assert paths.key.stat().st_mode & 0o077 == 0  # the private key is readable by its owner only

    ca = x509.load_pem_x509_certificate(paths.chain.read_bytes())
    cert = x509.load_pem_x509_certificate(paths.cert.read_bytes())
    assert ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Nokor Demo Root CA"
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == signing.DEMO_SIGNER_NAME
    assert cert.issuer == ca.subject
    usage = cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
    assert usage.digital_signature and usage.content_commitment  # non-repudiation
    assert ca.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS).value.ca
    assert signing.load_signer() is not None


def test_a_lost_signing_key_is_replaced_under_the_same_ca(paths):
    signing.create_demo_ca(paths)
    ca_before = paths.chain.read_bytes()
    paths.key.unlink()
    written = signing.create_demo_ca(paths)
    assert set(written) == {paths.key, paths.cert}
    assert paths.chain.read_bytes() == ca_before
    assert signing.load_signer() is not None


def test_missing_keys_are_named(paths):
    with pytest.raises(signing.SigningUnavailable, match="signing-key.pem"):
        signing.load_signer()


def test_a_key_that_does_not_match_the_certificate_is_refused(paths, tmp_path):
    signing.create_demo_ca(paths)
    other = signing.SigningPaths(
        key=tmp_path / "o" / "k.pem", cert=tmp_path / "o" / "c.pem", chain=tmp_path / "o" / "ca.pem"
    )
    signing.create_demo_ca(other)
    paths.key.write_bytes(other.key.read_bytes())
    with pytest.raises(signing.SigningUnavailable, match="does not belong"):
        signing.load_signer()


def test_an_unreadable_key_is_refused(paths):
    signing.create_demo_ca(paths)
    paths.key.write_text("not a key")
    with pytest.raises(signing.SigningUnavailable, match="Cannot read"):
        signing.load_signer()


def test_the_demo_seed_issues_one_sample_document(paths, citizen, units):
    from nokor.documents import demo
    from nokor.documents.models import Document

    demo.seed()
    demo.seed()
    assert Document.objects.filter(holder=citizen).count() == 1
    assert paths.key.is_file()
