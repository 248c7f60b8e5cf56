"""The identifier normalisers: every written form of one identifier meets on one canonical string."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import socket
import subprocess
import sys
from pathlib import Path

import phonenumbers
import pytest
from django.utils import translation
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nokor.cyber import normalize as module
from nokor.cyber.normalize import KINDS, Identifier, eip55, normalize, registrable_domain

# No example database: these tests must not leave files behind in the work tree.
quick = settings(database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")


def reason(identifier: Identifier) -> str:
    with translation.override("en"):
        return str(identifier.detail)


# --- the API ------------------------------------------------------------------------------------------


def test_kinds_are_the_contract():
    assert KINDS == (
        "phone",
        "url",
        "domain",
        "email",
        "bank_account",
        "bakong",
        "crypto",
        "handle",
        "unknown",
    )


def test_identifier_is_a_frozen_dataclass_with_the_contract_fields():
    identifier = normalize("012 345 678")
    assert [field.name for field in dataclasses.fields(Identifier)] == [
        "kind",
        "normalized",
        "original",
        "registrable_domain",
        "recognized",
        "detail",
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        identifier.kind = "url"  # type: ignore[misc]


def test_original_is_the_text_as_given():
    assert normalize("  (012) 345-678 ").original == "  (012) 345-678 "


def test_an_unknown_kind_argument_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown identifier kind"):
        normalize("012 345 678", kind="telephone")


def test_module_imports_and_works_without_django_settings():
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    code = (
        "from nokor.cyber.normalize import normalize\n"
        "r = normalize('012 345 678'); assert r.normalized == '+85512345678', r\n"
        "r = normalize('https://www.aba.com.kh/x'); assert r.registrable_domain == 'aba.com.kh', r\n"
        "r = normalize('hello world'); assert r.kind == 'unknown' and r.detail is not None\n"
        "r = normalize('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD'); assert not r.recognized\n"
        "r = normalize('nope', kind='email'); assert not r.recognized\n"
    )
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- phone ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "012 345 678",
        "+855 12 345 678",
        "855-12-345-678",
        "(012) 345-678",
        "0 12 345 678",
        "+855 (0) 12 345 678",
        "០១២ ៣៤៥ ៦៧៨",
        "012345678",
        "+85512345678",
        "012.345.678",
        "tel:+855-12-345-678",
        "  012\u200b345\u200b678  ",
        '"012 345 678".',
    ],
)
def test_cambodian_phone_forms_give_one_e164(text):
    identifier = normalize(text)
    assert (identifier.kind, identifier.normalized, identifier.recognized) == ("phone", "+85512345678", True)
    assert identifier.detail == "KH"
    assert identifier.registrable_domain is None


def test_phone_kind_given_gives_the_same_number():
    assert normalize("០១២ ៣៤៥ ៦៧៨", kind="phone").normalized == "+85512345678"


@pytest.mark.parametrize(
    ("text", "e164", "region"),
    [
        ("+66 81 234 5678", "+66812345678", "TH"),
        ("+1 650 253 0000", "+16502530000", "US"),
        ("+84 91 234 56 78", "+84912345678", "VN"),
        ("097 1234 567", "+855971234567", "KH"),
    ],
)
def test_numbers_written_with_a_country_keep_it(text, e164, region):
    identifier = normalize(text)
    assert (identifier.kind, identifier.normalized, identifier.detail) == ("phone", e164, region)


@pytest.mark.parametrize("text", ["000 123 456", "1234567", "+855 1", "+999 12 345 678"])
def test_invalid_phone_numbers_are_not_recognized(text):
    detected = normalize(text)
    assert (detected.kind, detected.recognized) == ("unknown", False)
    given_kind = normalize(text, kind="phone")
    assert (given_kind.kind, given_kind.recognized) == ("phone", False)
    assert reason(given_kind) == "This is not a valid phone number."


# --- url ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalized", "registrable"),
    [
        ("https://example.com/login", "https://example.com/login", "example.com"),
        ("HTTPS://WWW.Example.COM/Login?Next=/A", "https://www.example.com/Login?Next=/A", "example.com"),
        ("http://example.com", "http://example.com/", "example.com"),
        ("http://example.com:80/a", "http://example.com/a", "example.com"),
        ("https://example.com:443/a", "https://example.com/a", "example.com"),
        ("http://example.com:443/a", "http://example.com:443/a", "example.com"),
        ("https://example.com:8443/a", "https://example.com:8443/a", "example.com"),
        ("https://example.com./a", "https://example.com/a", "example.com"),
        ("https://example.com/a#section-2", "https://example.com/a", "example.com"),
        ("https://example.com/a?x=1#frag", "https://example.com/a?x=1", "example.com"),
        ("https://example.com/a?", "https://example.com/a", "example.com"),
        ("www.aba.com.kh", "http://www.aba.com.kh/", "aba.com.kh"),
        ("www.aba.com.kh/login", "http://www.aba.com.kh/login", "aba.com.kh"),
        ("aba-secure.com.kh/login", "http://aba-secure.com.kh/login", "aba-secure.com.kh"),
        ("t.me/scam_channel", "http://t.me/scam_channel", "t.me"),
        ("facebook.com/some.page", "http://facebook.com/some.page", "facebook.com"),
        ("example.com:8080", "http://example.com:8080/", "example.com"),
        ("<https://example.com/a>", "https://example.com/a", "example.com"),
        ('"https://example.com/a".', "https://example.com/a", "example.com"),
        ("(see https://example.com/a)", None, None),
        ("(https://en.wikipedia.org/wiki/Scam_(fraud))", "https://en.wikipedia.org/wiki/Scam_(fraud)", None),
        ("http://user:secret@paypal.com@evil.com/x", "http://evil.com/x", "evil.com"),
        ("http://1.2.3.4:8080/x", "http://1.2.3.4:8080/x", "1.2.3.4"),
        ("http://[2001:DB8::1]/x", "http://[2001:db8::1]/x", "2001:db8::1"),
        ("1.2.3.4/login", "http://1.2.3.4/login", "1.2.3.4"),
        ("http://localhost:8000/", "http://localhost:8000/", None),
        ("https://shop.blogspot.com/", "https://shop.blogspot.com/", "shop.blogspot.com"),
        ("https://x.com.kh/", "https://x.com.kh/", "x.com.kh"),
    ],
)
def test_url_forms(text, normalized, registrable):
    identifier = normalize(text)
    if normalized is None:  # words around a URL are not an identifier
        assert identifier.recognized is False
        return
    assert (identifier.kind, identifier.normalized, identifier.recognized) == ("url", normalized, True)
    if registrable is not None:
        assert identifier.registrable_domain == registrable


def test_wikipedia_registrable_domain():
    assert normalize("https://en.wikipedia.org/wiki/Scam_(fraud)").registrable_domain == "wikipedia.org"


@pytest.mark.parametrize(
    "text",
    [
        "hxxp://example[.]com/login",
        "hxxp[:]//example[.]com/login",
        "hXXp[://]example(.)com/login",
        "http://example{.}com/login",
        "http://example[dot]com/login",
        "http://example(dot)com/login",
        "http://example dot com/login",
        "http://example [.] com/login",
        "http[:]//example[.]com:80/login#x",
        "example[.]com/login",
    ],
)
def test_defanged_urls_are_refanged(text):
    identifier = normalize(text)
    assert (identifier.kind, identifier.normalized) == ("url", "http://example.com/login")
    assert identifier.registrable_domain == "example.com"


def test_defanged_https_keeps_https():
    assert normalize("hxxps://evil[.]example[.]com/a").normalized == "https://evil.example.com/a"


@pytest.mark.parametrize(
    ("text", "normalized", "registrable"),
    [
        ("http://ສະບາຍດີ.com/a#frag", "http://xn--16coq7d4anx.com/a", "xn--16coq7d4anx.com"),
        ("https://ស្វាគមន៍.com/", "https://xn--k2e8aooo3lug8a.com/", "xn--k2e8aooo3lug8a.com"),
        ("https://paypal-ѕecure.com/", "https://xn--paypal-ecure-uok.com/", "xn--paypal-ecure-uok.com"),
        ("https://ＥＸＡＭＰＬＥ。com/", "https://example.com/", "example.com"),
        ("https://XN--16COQ7D4ANX.COM/", "https://xn--16coq7d4anx.com/", "xn--16coq7d4anx.com"),
    ],
)
def test_idn_hosts_go_to_punycode(text, normalized, registrable):
    identifier = normalize(text)
    assert (identifier.kind, identifier.normalized, identifier.registrable_domain) == (
        "url",
        normalized,
        registrable,
    )


def test_path_and_query_are_kept_as_given():
    identifier = normalize("https://Example.com/Path/%2Fx?B=2&a=1")
    assert identifier.normalized == "https://example.com/Path/%2Fx?B=2&a=1"


@pytest.mark.parametrize(
    "text",
    [
        "http://",
        "http://exa mple.com/",
        "http://example.com:99999/",
        "http://-/",
        "http://a..b.com/",
        "http://1.2.3/",
    ],
)
def test_broken_urls_are_not_recognized(text):
    assert normalize(text).recognized is False
    assert normalize(text, kind="url").recognized is False


def test_url_kind_given_adds_the_scheme_to_a_bare_host():
    assert normalize("aba.com.kh", kind="url").normalized == "http://aba.com.kh/"


# --- domain ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalized", "host"),
    [
        ("example.com", "example.com", "example.com"),
        ("EXAMPLE.COM.", "example.com", "example.com"),
        ("x.com.kh", "x.com.kh", "x.com.kh"),
        ("mail.x.com.kh", "x.com.kh", "mail.x.com.kh"),
        ("secure.login.aba.com.kh", "aba.com.kh", "secure.login.aba.com.kh"),
        ("example[.]com", "example.com", "example.com"),
        ("aba dot com dot kh", "aba.com.kh", "aba.com.kh"),
        ("ສະບາຍດີ.com", "xn--16coq7d4anx.com", "xn--16coq7d4anx.com"),
        ("shop.blogspot.com", "shop.blogspot.com", "shop.blogspot.com"),
        ("blogspot.com", "blogspot.com", "blogspot.com"),
    ],
)
def test_domain_forms_give_the_registrable_domain(text, normalized, host):
    identifier = normalize(text)
    assert (identifier.kind, identifier.normalized, identifier.registrable_domain) == (
        "domain",
        normalized,
        normalized,
    )
    assert identifier.detail == host


def test_www_subdomain_of_a_listed_domain_gives_its_registrable_domain():
    identifier = normalize("www.aba.com.kh", kind="domain")
    assert (identifier.normalized, identifier.registrable_domain) == ("aba.com.kh", "aba.com.kh")


def test_domain_kind_given_takes_the_host_of_a_url():
    identifier = normalize("https://login.aba.com.kh:8443/x", kind="domain")
    assert (identifier.kind, identifier.normalized, identifier.detail) == (
        "domain",
        "aba.com.kh",
        "login.aba.com.kh",
    )


def test_ip_address_is_its_own_registrable_domain():
    identifier = normalize("1.2.3.4")
    assert (identifier.kind, identifier.normalized, identifier.registrable_domain) == (
        "domain",
        "1.2.3.4",
        "1.2.3.4",
    )


@pytest.mark.parametrize("text", ["com.kh", "foo.kh", "example.notatld", "e.g.", "-.com"])
def test_hosts_without_a_registrable_domain_are_not_recognized(text):
    assert normalize(text).recognized is False
    given_kind = normalize(text, kind="domain")
    assert (given_kind.kind, given_kind.recognized) == ("domain", False)


# --- registrable_domain() -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("x.com.kh", "x.com.kh"),
        ("www.aba.com.kh", "aba.com.kh"),
        ("WWW.ABA.COM.KH.", "aba.com.kh"),
        ("a.b.c.co.uk", "c.co.uk"),
        ("ស្វាគមន៍.com", "xn--k2e8aooo3lug8a.com"),
        ("foo.xn--p1ai", "foo.xn--p1ai"),
        ("1.2.3.4", "1.2.3.4"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("com.kh", None),
        ("localhost", None),
        ("", None),
        ("not a host", None),
    ],
)
def test_registrable_domain(host, expected):
    assert registrable_domain(host) == expected


def test_registrable_domain_uses_the_bundled_list_and_never_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    module._extractor.cache_clear()
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    try:
        assert registrable_domain("www.aba.com.kh") == "aba.com.kh"
    finally:
        module._extractor.cache_clear()


# --- e-mail ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalized", "registrable"),
    [
        ("sokha@example.com", "sokha@example.com", "example.com"),
        ("Sokha.Chan@Gmail.COM", "sokha.chan@gmail.com", "gmail.com"),
        ("  <sokha@example.com>  ", "sokha@example.com", "example.com"),
        ("mailto:Sokha@Example.com", "sokha@example.com", "example.com"),
        ("MAILTO:sokha@example.com?subject=Prize", "sokha@example.com", "example.com"),
        ("sokha[at]example[.]com", "sokha@example.com", "example.com"),
        ("sokha (at) example (dot) com", "sokha@example.com", "example.com"),
        ("sokha at example dot com", "sokha@example.com", "example.com"),
        ("support@mail.aba.com.kh", "support@mail.aba.com.kh", "aba.com.kh"),
        ("dara+scam@ស្វាគមន៍.com", "dara+scam@xn--k2e8aooo3lug8a.com", "xn--k2e8aooo3lug8a.com"),
        ("sokha@example.com.", "sokha@example.com", "example.com"),
    ],
)
def test_email_forms(text, normalized, registrable):
    identifier = normalize(text)
    assert (identifier.kind, identifier.normalized, identifier.registrable_domain) == (
        "email",
        normalized,
        registrable,
    )
    assert normalize(text, kind="email").normalized == normalized


@pytest.mark.parametrize(
    "text",
    ["sokha@", "@example.com", "so kha@example.com", "a@b@example.com", ".sokha@example.com", "sokha@com.kh"],
)
def test_broken_emails_are_not_recognized(text):
    identifier = normalize(text, kind="email")
    assert (identifier.kind, identifier.recognized) == ("email", False)
    assert reason(identifier) == "This is not a valid e-mail address."


# --- Bakong ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalized", "bank"),
    [
        ("sokha@aclb", "sokha@aclb", "ACLEDA"),
        ("dara_chan@wing", "dara_chan@wing", "WING"),
        ("Dara_Chan@WING", "dara_chan@wing", "WING"),
        ("vannak.s@abaa", "vannak.s@abaa", "ABA"),
        ("012345678@wing", "012345678@wing", "WING"),
        ("sokha@newbank", "sokha@newbank", "NEWBANK"),
        ("sokha[at]aclb", "sokha@aclb", "ACLEDA"),
    ],
)
def test_bakong_ids(text, normalized, bank):
    identifier = normalize(text)
    assert (identifier.kind, identifier.normalized, identifier.detail, identifier.recognized) == (
        "bakong",
        normalized,
        bank,
        True,
    )
    assert identifier.registrable_domain is None


def test_bakong_is_told_from_email_by_the_dot_after_the_at():
    assert normalize("sokha@aclb").kind == "bakong"
    assert normalize("sokha@aclb.com.kh").kind == "email"


def test_bakong_kind_refuses_a_dotted_bank_part():
    assert normalize("sokha@aclb.com", kind="bakong").recognized is False


# --- bank accounts --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("ABA 000 123 456", "ABA:000123456"),
        ("aba:000123456", "ABA:000123456"),
        ("000-123-456 (ABA)", "ABA:000123456"),
        ("000 123 456 ABA", "ABA:000123456"),
        ("ABA Bank: 000-123-456", "ABA:000123456"),
        ("Advanced Bank of Asia 000123456", "ABA:000123456"),
        ("ABA ០០០ ១២៣ ៤៥៦", "ABA:000123456"),
        ("ACLEDA 0001-01-234567-8-9", "ACLEDA:00010123456789"),
        ("aclb: 0001 0123 4567", "ACLEDA:000101234567"),
        ("wing 012 345 678", "WING:012345678"),
        ("Chip Mong Bank 1234 5678 90", "CHIPMONG:1234567890"),
        ("True Money: 012345678", "TRUEMONEY:012345678"),
        ("Pi Pay 012345678", "PIPAY:012345678"),
        ("ធនាគារ អេស៊ីលីដា ០០០១២៣៤៥៦", "ACLEDA:000123456"),
        ("hattha:000123456", "HATTHA:000123456"),
        ("Hattha Bank 000123456", "HATTHA_BANK:000123456"),
        ("ABA:000123456", "ABA:000123456"),
    ],
)
def test_bank_account_forms(text, normalized):
    identifier = normalize(text)
    assert (identifier.kind, identifier.normalized, identifier.recognized) == (
        "bank_account",
        normalized,
        True,
    )
    assert identifier.detail == normalized.split(":")[0]
    assert normalize(text, kind="bank_account").normalized == normalized


@pytest.mark.parametrize(
    "text",
    [
        "000123456",
        "ABA",
        "ABA 1234",
        "Call 012345678",
        "tel:012345678",
        "aba: 12ab34",
        "ABA " + "0123456789" * 4,
    ],
)
def test_not_bank_accounts(text):
    identifier = normalize(text, kind="bank_account")
    assert (identifier.kind, identifier.recognized) == ("bank_account", False)


def test_a_bank_name_with_a_phone_number_is_a_bank_account_not_a_phone():
    assert normalize("wing 012345678").kind == "bank_account"
    assert normalize("tel:012345678").kind == "phone"


# --- crypto ---------------------------------------------------------------------------------------------

VALID_CRYPTO = [
    # Bitcoin: the genesis block address (P2PKH) and a P2SH address.
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "bitcoin"),
    ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "bitcoin"),
    # BIP-173 (bech32, witness version 0): upper case input gives the lower case form.
    (
        "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
        "bitcoin",
    ),
    (
        "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
        "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
        "bitcoin",
    ),
    # BIP-350 (bech32m, witness version 1 and 16).
    (
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        "bitcoin",
    ),
    ("BC1SW50QGDZ25J", "bc1sw50qgdz25j", "bitcoin"),
    # EIP-55's own test vectors: mixed case, all caps, all lower.
    ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "ethereum"),
    ("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "ethereum"),
    ("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "ethereum"),
    ("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb", "ethereum"),
    ("0x52908400098527886E0F7030069857D2E4169EE7", "0x52908400098527886E0F7030069857D2E4169EE7", "ethereum"),
    ("0x8617E340B3D01FA5F11F306F4090FD50E238070D", "0x8617E340B3D01FA5F11F306F4090FD50E238070D", "ethereum"),
    ("0xde709f2102306220921060314715629080e2fb77", "0xde709f2102306220921060314715629080e2fb77", "ethereum"),
    ("0x27b1fdb04752bbc536007a920d24acb045561c26", "0x27b1fdb04752bbc536007a920d24acb045561c26", "ethereum"),
    # Lower and upper case input of a mixed-case vector: accepted, returned in EIP-55 case.
    ("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "ethereum"),
    ("0X5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "ethereum"),
    # TRON: the USDT (TRC-20) contract.
    ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "tron"),
]


@pytest.mark.parametrize(("text", "normalized", "network"), VALID_CRYPTO)
def test_valid_crypto_addresses(text, normalized, network):
    identifier = normalize(text)
    assert (identifier.kind, identifier.normalized, identifier.detail, identifier.recognized) == (
        "crypto",
        normalized,
        network,
        True,
    )
    assert normalize(text, kind="crypto").normalized == normalized


def _corrupt(address: str) -> str:
    """The address with one character replaced by another of its alphabet."""
    position = len(address) // 2
    alphabet = (
        "qpzry9x8gf2tvdw0s3jn54khce6mua7l" if address.lower().startswith("bc1") else "23456789abcdefABCDEF"
    )
    if address.startswith(("1", "3", "T")):
        alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    old = address[position]
    new = next(char for char in alphabet if char.lower() != old.lower())
    if address.isupper():
        new = new.upper()
    return address[:position] + new + address[position + 1 :]


@pytest.mark.parametrize(
    "text", [text for text, _normalized, _network in VALID_CRYPTO if "x" not in text[:2].lower()]
)
def test_one_character_corruption_is_rejected(text):
    corrupted = _corrupt(text)
    assert corrupted != text
    assert normalize(corrupted).recognized is False
    assert normalize(corrupted, kind="crypto").recognized is False


@pytest.mark.parametrize(
    "text",
    [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",  # one letter's case flipped
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe1",  # one hex digit changed
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5D359",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9ADb",
    ],
)
def test_mixed_case_ethereum_with_a_wrong_checksum_is_rejected_with_its_reason(text):
    for identifier in (normalize(text), normalize(text, kind="crypto")):
        assert identifier.recognized is False
        assert "checksum" in reason(identifier)


@pytest.mark.parametrize(
    "text",
    [
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",  # BIP-350: version 0 with a bech32m checksum
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",  # version 1 with bech32
        "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",  # version 0 with a 16-byte program
        "bc1pw5dgrnzv",  # program too short
        "bc1QW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",  # mixed case
        "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",  # testnet
        "1111111111111111111111111111111111",  # base58 of zeros, no valid checksum
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae",  # 39 hex digits
        "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",  # no 0x
        "tr7nhqjekqxgtci8q8zy4pl8otszgjlj6t",  # base58 is case-sensitive
    ],
)
def test_invalid_crypto_addresses(text):
    assert normalize(text).recognized is False
    assert normalize(text, kind="crypto").recognized is False


def test_eip55_matches_the_eip_vectors():
    assert eip55("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed") == "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    # Keccak-256 is not hashlib's SHA3-256: the EIP-55 case would differ.
    assert (
        hashlib.sha3_256(b"").hexdigest()
        != "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )


# --- handles --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalized", "platform"),
    [
        ("@Sokha_Chan", "sokha_chan", None),
        ("@dara.k", "dara.k", None),
        (" @Vannak123 ", "vannak123", None),
        ("tg:@scam_support", "scam_support", "telegram"),
        ("Telegram: scam_support", "scam_support", "telegram"),
        ("fb:some.page", "some.page", "facebook"),
        ("tiktok:@lucky.prize", "lucky.prize", "tiktok"),
    ],
)
def test_handle_forms(text, normalized, platform):
    identifier = normalize(text)
    assert (identifier.kind, identifier.normalized, identifier.detail, identifier.recognized) == (
        "handle",
        normalized,
        platform,
        True,
    )


@pytest.mark.parametrize(
    ("text", "normalized", "platform"),
    [
        ("Sokha_Chan", "sokha_chan", None),
        ("https://t.me/Scam_Support", "scam_support", "telegram"),
        ("t.me/scam_support", "scam_support", "telegram"),
        ("https://www.facebook.com/some.page/", "some.page", "facebook"),
        ("https://www.tiktok.com/@lucky.prize?lang=km", "lucky.prize", "tiktok"),
    ],
)
def test_handle_kind_given_accepts_a_bare_name_and_a_profile_link(text, normalized, platform):
    identifier = normalize(text, kind="handle")
    assert (identifier.kind, identifier.normalized, identifier.detail) == ("handle", normalized, platform)


def test_profile_links_stay_urls_without_a_kind():
    assert normalize("https://t.me/scam_support").kind == "url"
    assert normalize("facebook.com/some.page").kind == "url"


@pytest.mark.parametrize(
    "text", ["@ab", "@" + "a" * 65, "@sok ha", "@សុខា", "https://www.facebook.com/profile.php?id=1"]
)
def test_bad_handles(text):
    assert normalize(text, kind="handle").recognized is False


# --- unknown --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("hello   world", "hello world"),
        ("  ប្រាក់\u200bរង្វាន់  ", "ប្រាក់រង្វាន់"),
        ("", ""),
        ("\u200b", ""),
        ("see http://example.com now", "see http://example.com now"),
    ],
)
def test_unknown_text_is_cleaned_and_not_recognized(text, cleaned):
    identifier = normalize(text)
    assert (identifier.kind, identifier.normalized, identifier.recognized) == ("unknown", cleaned, False)
    assert identifier.registrable_domain is None
    assert reason(identifier)


def test_unknown_kind_given_only_cleans():
    identifier = normalize(" 012  345 678 ", kind="unknown")
    assert (identifier.kind, identifier.normalized, identifier.recognized) == (
        "unknown",
        "012 345 678",
        False,
    )


def test_a_failed_kind_keeps_the_cleaned_text_and_says_why():
    identifier = normalize("  not\u200b a phone ", kind="phone")
    assert (identifier.kind, identifier.normalized, identifier.recognized) == ("phone", "not a phone", False)
    assert reason(identifier) == "This is not a valid phone number."


def test_very_long_text_is_not_an_identifier():
    identifier = normalize("a" * 5000 + ".com")
    assert (identifier.kind, identifier.recognized) == ("unknown", False)


# --- properties -----------------------------------------------------------------------------------------

EXAMPLES = [
    "012 345 678",
    "+66 81 234 5678",
    "hxxps://Example[.]com:443/a?b=1#c",
    "http://ສະບາຍດີ.com/a#frag",
    "http://[2001:db8::1]:8080/",
    "www.aba.com.kh",
    "mail.x.com.kh",
    "1.2.3.4",
    "Sokha.Chan@Gmail.COM",
    "sokha@aclb",
    "000-123-456 (ABA)",
    "hattha:000123",
    "@Sokha_Chan",
    "tg:scam_support",
] + [text for text, _normalized, _network in VALID_CRYPTO]


@pytest.mark.parametrize("text", EXAMPLES)
def test_normalized_is_a_fixed_point(text):
    first = normalize(text)
    assert first.recognized, text
    again = normalize(first.normalized, kind=first.kind)
    assert (again.normalized, again.registrable_domain, again.recognized) == (
        first.normalized,
        first.registrable_domain,
        True,
    )
    if first.kind != "handle":  # a handle's canonical form has no "@", so it needs kind="handle"
        detected = normalize(first.normalized)
        assert (detected.kind, detected.normalized) == (first.kind, first.normalized)


def _mobile_numbers():
    """Eight-digit Cambodian mobile numbers (0 + 8 or 9 digits), kept only when phonenumbers agrees."""
    return st.tuples(
        st.sampled_from(
            ["10", "11", "12", "15", "16", "17", "61", "69", "70", "77", "78", "85", "89", "92", "93"]
        ),
        st.text(alphabet="0123456789", min_size=6, max_size=6),
    ).map("".join)


@quick
@given(national=_mobile_numbers())
def test_random_phone_numbers_written_many_ways_give_one_e164(national):
    assume(phonenumbers.is_valid_number(phonenumbers.parse("0" + national, "KH")))
    a, b, c = national[:2], national[2:5], national[5:]
    forms = [
        f"0{a} {b} {c}",
        f"+855 {a} {b} {c}",
        f"855-{a}-{b}-{c}",
        f"(0{a}) {b}-{c}",
        f"0 {a} {b} {c}",
        f"+855 (0) {a} {b} {c}",
        f"0{a}{b}{c}".translate(KHMER_DIGITS),
        f"tel:+855{national}",
    ]
    results = {normalize(form).normalized for form in forms}
    assert results == {f"+855{national}"}
    assert {normalize(form, kind="phone").normalized for form in forms} == {f"+855{national}"}


@quick
@given(raw=st.binary(min_size=20, max_size=20))
def test_random_ethereum_addresses_round_trip_regardless_of_case(raw):
    checksummed = eip55(raw.hex())
    for written in (raw.hex(), raw.hex().upper(), checksummed[2:], checksummed[2:].lower()):
        identifier = normalize("0x" + written)
        assert (identifier.kind, identifier.normalized, identifier.recognized) == (
            "crypto",
            checksummed,
            True,
        )
    # A single flipped case is always caught, unless it leaves an all-lower or all-upper address,
    # which EIP-55 accepts as carrying no checksum.
    letters = [i for i, char in enumerate(checksummed) if i > 1 and char.isalpha()]
    for i in letters:
        flipped = checksummed[:i] + checksummed[i].swapcase() + checksummed[i + 1 :]
        hex_part = flipped[2:]
        if hex_part not in (hex_part.lower(), hex_part.upper()):
            assert normalize(flipped).recognized is False
            break


_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _base58check(payload: bytes) -> str:
    """An independent base58check encoder for the tests."""
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number, text = int.from_bytes(data, "big"), ""
    while number:
        number, digit = divmod(number, 58)
        text = _BASE58[digit] + text
    return "1" * (len(data) - len(data.lstrip(b"\x00"))) + text


@quick
@given(
    version=st.sampled_from([(0x00, "bitcoin"), (0x05, "bitcoin"), (0x41, "tron")]),
    body=st.binary(min_size=20, max_size=20),
)
def test_random_base58check_addresses_are_recognized(version, body):
    address = _base58check(bytes([version[0]]) + body)
    identifier = normalize(address)
    assert (identifier.kind, identifier.normalized, identifier.detail) == ("crypto", address, version[1])
    assert normalize(address, kind="crypto").normalized == address


TRICKY = st.text(alphabet="@:/.[](){}<>\"' 0123456789០១២abcxXhtpsTw-_+#?%=\u200bកា\u00e9", max_size=40)


@quick
@given(
    text=st.one_of(st.text(max_size=60), TRICKY, st.sampled_from(EXAMPLES)),
    kind=st.sampled_from((None, *KINDS)),
)
def test_malformed_identifiers_never_raise_and_recognized_ones_are_fixed_points(text, kind):
    identifier = normalize(text, kind=kind)
    assert identifier.kind in KINDS
    assert isinstance(identifier.recognized, bool)
    assert identifier.original == text
    if kind is not None:
        assert identifier.kind == kind
    if not identifier.recognized:
        assert identifier.kind == "unknown" or kind is not None
        assert identifier.registrable_domain is None
        return
    again = normalize(identifier.normalized, kind=identifier.kind)
    assert (again.recognized, again.normalized) == (True, identifier.normalized)


@quick
@given(host=st.text(max_size=40))
def test_registrable_domain_never_raises(host):
    result = registrable_domain(host)
    assert result is None or result == result.lower()


def test_short_texts_are_parsed_once_and_long_ones_every_time():
    assert normalize("012 345 678") is normalize("012 345 678")  # remembered
    assert normalize("012 345 678", "phone") == normalize("012 345 678")
    long_text = "https://example.com/" + "a" * module.MEMO_MAX_LENGTH
    assert normalize(long_text) is not normalize(long_text) and normalize(long_text) == normalize(long_text)
    for _ in range(2):  # an error is raised every time, never remembered
        with pytest.raises(ValueError, match="unknown identifier kind"):
            normalize("012 345 678", "fax")
