"""Canonical forms of the identifiers that cybercrime reports and the public scam check are about.

One entry point, ``normalize(text, kind=None)``, turns what a person typed or pasted into an
``Identifier``: its kind, a canonical string to store, index and compare, and the registrable domain
for web identifiers. Two reports of the same scam number or site written differently must meet on
the same ``normalized`` value; that is the whole point of this module. Nothing here touches the
network or the database.

Rules, by kind (``normalized`` is always a fixed point: normalising it again with the same kind
gives it back):

- ``phone``: E.164 (``+85512345678``), parsed with Cambodia (KH) as the default region, so
  ``012 345 678``, ``+855 12 345 678``, ``855-12-345-678``, ``(012) 345-678``, ``0 12 345 678``,
  ``+855 (0) 12 345 678``, ``tel:`` links and Khmer digits all meet. A number written with ``+`` keeps
  its country. Numbers that phonenumbers does not find valid are not recognised. ``detail`` is the
  region (``KH``).
- ``url``: ``scheme://host[:port]/path[?query]``. Defanging is undone (``hxxp``, ``[.]``, ``(.)``,
  ``{.}``, ``[dot]``, ``(dot)``, `` dot ``, ``[:]``, ``[://]``); ``http://`` is added when there is no
  scheme; only web schemes are taken (http, https, ftp, ws, wss); scheme and host are lower-cased;
  the host goes to punycode (IDNA 2008 through the ``idna`` package, the standard library's IDNA 2003
  codec as a fallback for labels such as emoji that only browsers accept) and loses its trailing dot;
  the default port (80 http, 443 https, 21 ftp, 80 ws, 443 wss), the fragment and any
  ``user:password@`` (a phishing disguise, never part of the site) are dropped; path and query are
  kept as given, the path ``/`` when empty. Surrounding quotes, angle brackets, unbalanced brackets
  and sentence punctuation are stripped. A URL with white space inside is refused. A URL written
  without a scheme needs a host with a known public suffix or an IP address; with a scheme any
  well-formed host will do. ``registrable_domain`` comes from the Public Suffix List bundled with
  tldextract (private suffixes included, so ``shop.blogspot.com`` is its own registrable domain: a
  scam page there must not flag all of Blogspot); for an IP host it is the IP itself.
- ``domain``: the lower-case registrable domain in punycode (``www.aba.com.kh`` → ``aba.com.kh``;
  ``x.com.kh`` is registrable under ``com.kh``); ``detail`` keeps the full host as given. A host with
  no registrable part (``com.kh``, an unknown top-level domain) is not recognised. A bare IP address
  is accepted as a domain too (normalised IP, and it is its own registrable domain). With
  ``kind="domain"`` a whole URL is accepted and its host used.
- ``email``: lower-case, ``mailto:`` removed, defanged ``[at]`` / ``(at)`` / `` at `` and the dot forms
  undone, the domain in punycode; it needs a domain with a known public suffix, whose registrable
  domain is ``registrable_domain``.
- ``bakong``: a Bakong account ID, ``name@bank`` in lower case where the bank part has no dot
  (``sokha@aclb``, ``dara_chan@wing``). ``detail`` is the bank code when the bank part is in
  ``BANK_ALIASES``, else the bank part upper-cased.
- ``bank_account``: ``BANK:digits``. The bank code comes from ``BANK_ALIASES`` (upper-case); an
  unknown bank name is kept, upper-cased, words joined by ``_``. Digits only, Khmer digits accepted,
  spaces and dashes dropped, 5 to 30 digits. Accepted forms: ``ABA 000 123 456``,
  ``aba:000123456``, ``000-123-456 (ABA)``, ``ACLEDA Bank: 0001 ...``. Without a colon the bank name
  must be a known alias or contain the word "bank"; with a colon any name will do. ``detail`` is the
  bank code.
- ``crypto``: validated by checksum and returned in canonical case; ``detail`` is the network.
  Bitcoin base58check P2PKH (``1…``) and P2SH (``3…``), Bitcoin SegWit bech32 / bech32m (``bc1…``,
  BIP-173 / BIP-350, lower case), TRON base58check with version byte 0x41 (``T…``), Ethereum (and
  every EVM chain) ``0x`` + 40 hex digits returned with the EIP-55 checksum case: all-lower or
  all-upper input is accepted, a mixed-case input must carry the right checksum. Testnets and other
  chains are not recognised.
- ``handle``: a user name of Telegram, Facebook, TikTok and the like: lower case, no leading ``@``,
  3 to 64 of ``[a-z0-9._]``. Without ``kind`` it must be written ``@name`` or with a platform prefix
  (``tg:name``, ``facebook:name``...; ``detail`` is then the platform). With ``kind="handle"`` a bare
  name and a profile link (``https://t.me/name``) are accepted too.
- ``unknown``: not recognised; ``normalized`` is the text without invisible characters and with
  white space collapsed (``nokor.core.text.strip_invisible``).

Detection order when ``kind`` is None (the first kind whose shape matches *and* whose rules accept
the text wins; when none does the result is ``unknown`` with the reason of the first kind whose
shape matched, so "this looks like an Ethereum address but its checksum is wrong" reaches the user):

1. ``url``: a scheme (``https://``, also defanged ``hxxps[://]``), a ``www.`` start, or a host followed
   by a path, query, fragment or port. ``t.me/name`` and ``facebook.com/name`` are URLs.
2. ``domain``: a bare host with a dot whose top-level label is alphabetic, or an IP address
   (defanged forms included, ``example[.]com``, ``example dot com``).
3. ``handle``: starts with ``@`` or a platform prefix; before e-mail so that ``@name`` is never an
   address.
4. ``email`` / ``bakong``: one ``@`` between two non-empty parts; a dot after the ``@`` makes it an
   e-mail address, no dot a Bakong ID.
5. ``crypto``: ``0x`` + 40 hex, ``bc1…``, or a base58 word of 25 to 35 characters starting with 1, 3
   or T, kept only when its checksum holds.
6. ``bank_account``: a bank name with digits (``aba:000123456``, ``ABA 000 123 456``,
   ``000 123 456 (ABA)``); before phone because Wing accounts look like phone numbers.
7. ``phone``: only digits, spaces, ``+-()./``, 6 to 17 digits, and valid for phonenumbers.
8. ``unknown``.

A malformed text never raises: it gives ``recognized=False``. An unknown ``kind`` argument is a
programming error and raises ``ValueError``.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import re
import unicodedata
from dataclasses import dataclass

import idna
import phonenumbers
import tldextract
from Crypto.Hash import keccak
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from nokor.core.text import latin_digits, strip_invisible

KINDS = ("phone", "url", "domain", "email", "bank_account", "bakong", "crypto", "handle", "unknown")

# Cambodian banks and e-wallets people name in reports: code -> the names they are written as.
# Matching ignores case, spaces and punctuation, and a trailing "bank" / leading "ធនាគារ".
# "aclb" and "abaa" are the bank parts of ACLEDA's and ABA's Bakong account IDs.
BANK_ALIASES: dict[str, tuple[str, ...]] = {
    "ABA": ("aba", "abaa", "advanced bank of asia", "អេប៊ីអេ"),
    "ACLEDA": ("acleda", "aclb", "អេស៊ីលីដា"),
    "WING": ("wing", "វីង"),
    "CANADIA": ("canadia",),
    "PRINCE": ("prince",),
    "SATHAPANA": ("sathapana",),
    "CHIPMONG": ("chip mong", "chipmong"),
    "VATTANAC": ("vattanac",),
    "FTB": ("ftb", "foreign trade bank", "foreign trade bank of cambodia"),
    "AMK": ("amk", "amk microfinance"),
    "TRUEMONEY": ("truemoney", "true money"),
    "PIPAY": ("pi pay", "pipay"),
}

# Prefixes that name the platform of a handle (``tg:sokha``); profile links are URLs, not these.
HANDLE_PREFIXES: dict[str, str] = {
    "tg": "telegram",
    "telegram": "telegram",
    "fb": "facebook",
    "facebook": "facebook",
    "tiktok": "tiktok",
    "ig": "instagram",
    "instagram": "instagram",
    "x": "x",
    "twitter": "x",
    "youtube": "youtube",
    "line": "line",
    "wechat": "wechat",
}

# Sites whose profile links ``normalize(link, kind="handle")`` turns into a handle.
_SOCIAL_SITES = {
    "t.me": "telegram",
    "telegram.me": "telegram",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "tiktok.com": "tiktok",
    "instagram.com": "instagram",
    "x.com": "x",
    "twitter.com": "x",
    "youtube.com": "youtube",
}
_NOT_A_PROFILE = frozenset(
    {"profile.php", "groups", "share", "joinchat", "s", "watch", "channel", "pages", "people", "p"}
    | {"reel", "video", "status", "i", "home", "login", "c", "story.php", "permalink.php"}
)

DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "ws": 80, "wss": 443}
# The schemes of web addresses; ``tg://``, ``intent://`` and the like are app links, not sites.
URL_SCHEMES = frozenset(DEFAULT_PORTS)

# Beyond this a text is not an identifier (the longest real phishing URLs stay well under it).
MAX_LENGTH = 4096

_REASON_EMPTY = _("There is nothing to check.")
_REASON_TOO_LONG = _("This text is too long to be an identifier.")
_REASON_UNKNOWN = _("This is not a phone number, web address, e-mail, account or user name we recognise.")
_REASON = {
    "phone": _("This is not a valid phone number."),
    "url": _("This is not a valid web address."),
    "domain": _("This is not a domain name with a known ending such as .com or .com.kh."),
    "email": _("This is not a valid e-mail address."),
    "bank_account": _("Write the bank and the account number, for example ABA 000 123 456."),
    "bakong": _("A Bakong account ID looks like name@bank, for example sokha@aclb."),
    "crypto": _("This is not a valid Bitcoin, Ethereum or TRON address: check for a typing mistake."),
    "handle": _("A user name has 3 to 64 letters, digits, dots or underscores."),
    "unknown": _REASON_UNKNOWN,
}
_REASON_EIP55 = _(
    "The capital letters of this Ethereum address do not match its checksum: check for a typing mistake."
)


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier in its canonical form, with what it was typed as.

    ``detail`` is data when ``recognized`` (network, bank code, region, platform, full host) and the
    reason, a lazily translated string, when not.
    """

    kind: str
    normalized: str
    original: str
    registrable_domain: str | None = None
    recognized: bool = False
    detail: str | Promise | None = None


MEMO_MAX_LENGTH = 200  # longer texts are normalised every time (the memo stays small whatever is sent)


def normalize(text: str, kind: str | None = None) -> Identifier:
    """Canonical form of ``text`` as ``kind``, or of the kind detected from it when ``kind`` is None.

    A pure function of its arguments (no database, no settings): the last few thousand short texts are
    remembered, so a number checked again and again is parsed once per process."""
    if isinstance(text, str) and len(text) <= MEMO_MAX_LENGTH:
        return _normalize_memo(text, kind)
    return _normalize(text, kind)


def _normalize(text: str, kind: str | None = None) -> Identifier:
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown identifier kind {kind!r}; expected one of {KINDS}")
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    original = text
    cleaned = strip_invisible(text)
    if not cleaned:
        return _unrecognized(kind or "unknown", cleaned, original, _REASON_EMPTY)
    if len(cleaned) > MAX_LENGTH:
        return _unrecognized(kind or "unknown", cleaned, original, _REASON_TOO_LONG)
    # NFC so that a Khmer or accented host typed in decomposed form meets its composed twin.
    value = unicodedata.normalize("NFC", cleaned)
    if kind == "unknown":
        return _unrecognized("unknown", cleaned, original, None)
    if kind is not None:
        parsed = _PARSERS[kind](value, explicit=True)
        if parsed is None:
            return _unrecognized(kind, cleaned, original, _reason(kind, value))
        return _identifier(kind, parsed, original)
    first_reason = None
    for candidate, looks_like in _DETECTION_ORDER:
        if not looks_like(value):
            continue
        parsed = _PARSERS[candidate](value, explicit=False)
        if parsed is not None:
            return _identifier(candidate, parsed, original)
        if first_reason is None:
            first_reason = _reason(candidate, value)
    return _unrecognized(
        "unknown", cleaned, original, _REASON_UNKNOWN if first_reason is None else first_reason
    )


_normalize_memo = functools.lru_cache(maxsize=4096)(_normalize)


def registrable_domain(host: str) -> str | None:
    """The registrable domain of ``host`` in punycode (an IP address is its own), or None."""
    if not isinstance(host, str) or len(host) > MAX_LENGTH:
        return None
    host = unicodedata.normalize("NFC", strip_invisible(host))
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    ip = _ip(host)
    if ip is not None:
        return ip
    ascii_host = _normalize_host(host)
    return None if ascii_host is None else _registrable(ascii_host)


# --- building results ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Parsed:
    """What a parser found: the canonical string, the registrable domain and the detail."""

    normalized: str
    registrable_domain: str | None = None
    detail: str | None = None


def _reason(kind: str, value: str) -> Promise:
    """Why ``value`` is not a ``kind``: a mistyped Ethereum checksum gets its own, more helpful one."""
    if kind == "crypto" and _is_eip55_mismatch(value):
        return _REASON_EIP55
    return _REASON[kind]


def _identifier(kind: str, parsed: _Parsed, original: str) -> Identifier:
    return Identifier(kind, parsed.normalized, original, parsed.registrable_domain, True, parsed.detail)


def _unrecognized(kind: str, cleaned: str, original: str, reason: Promise | None) -> Identifier:
    return Identifier(kind, cleaned, original, None, False, reason)


# --- text clean-up ------------------------------------------------------------------------------

_WHITESPACE = re.compile(r"\s")
_QUOTES = "\"'`“”‘’„«»‹›「」『』"
_PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">"}
_CLOSERS = {closer: opener for opener, closer in _PAIRS.items()}
_TRAILING_PUNCTUATION = ".,;:!?。，、"
_DIGITS = "0-9\u17e0-\u17e9"  # Latin and Khmer digits, never other scripts' (int() would accept them)


def _trim(value: str) -> str:
    """Strip what surrounds an identifier in a sentence: quotes, brackets, trailing punctuation."""
    previous = None
    while value != previous:
        previous = value
        value = value.strip().strip(_QUOTES).strip()
        if len(value) >= 2 and _PAIRS.get(value[0]) == value[-1] and _balanced(value[1:-1], value[0]):
            value = value[1:-1]
            continue
        value = value.rstrip(_TRAILING_PUNCTUATION)
        if value and value[0] in _PAIRS and value.count(value[0]) > value.count(_PAIRS[value[0]]):
            value = value[1:]
        if value and value[-1] in _CLOSERS and value.count(value[-1]) > value.count(_CLOSERS[value[-1]]):
            value = value[:-1]
    return value


def _balanced(value: str, opener: str) -> bool:
    closer, depth = _PAIRS[opener], 0
    for char in value:
        depth += (char == opener) - (char == closer)
        if depth < 0:
            return False
    return depth == 0


_REFANG_DOT = [
    (re.compile(r"\[\s*:\s*/\s*/\s*\]"), "://"),
    (re.compile(r"\[\s*:\s*\]"), ":"),
    (re.compile(r"\[\s*/\s*\]"), "/"),
    (re.compile(r"\s*[\[({]\s*(?:\.|dot)\s*[\])}]\s*", re.IGNORECASE), "."),
    (re.compile(r"\s+dot\s+", re.IGNORECASE), "."),
    (re.compile(r"\\\."), "."),
    (re.compile(r"^h(?:xx|\*\*|tt)p(s?)(?=:|\[)", re.IGNORECASE), r"http\1"),
    (re.compile(r"^fxp(?=:|\[)", re.IGNORECASE), "ftp"),
]
_REFANG_AT = [
    (re.compile(r"\s*[\[({]\s*(?:at|@)\s*[\])}]\s*", re.IGNORECASE), "@"),
    (re.compile(r"\s+at\s+", re.IGNORECASE), "@"),
]


def _refang(value: str, at: bool = False) -> str:
    for pattern, replacement in _REFANG_DOT + (_REFANG_AT if at else []):
        value = pattern.sub(replacement, value)
    return value


# --- hosts and domains --------------------------------------------------------------------------

_IDN_DOTS = str.maketrans({"。": ".", "．": ".", "｡": "."})
# Looser than the DNS rules on purpose: real scam hosts carry underscores and edge hyphens.
_ASCII_LABEL = re.compile(r"(?=[a-z0-9_-]*[a-z0-9])[a-z0-9_-]{1,63}")
_TOP_LABEL = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}")


def _ip(host: str) -> str | None:
    """The canonical text of an IPv4 (dotted, as people write it) or IPv6 address, or None."""
    if not host or not re.fullmatch(r"[0-9a-fA-F:.]+", host):
        return None
    try:
        return str(ipaddress.ip_address(host)).lower()
    except ValueError:
        return None


def _idna_label(label: str) -> str | None:
    try:
        encoded = idna.encode(label, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        try:  # IDNA 2003 accepts symbols (emoji) that browsers still resolve.
            encoded = label.lower().encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return encoded if "." not in encoded and _ASCII_LABEL.fullmatch(encoded) else None


def _normalize_host(host: str) -> str | None:
    """A DNS host in lower-case punycode without its trailing dot, or None when it is not one."""
    host = host.translate(_IDN_DOTS)
    if host.endswith("."):
        host = host[:-1]
    if not host or len(host) > 253:
        return None
    labels = []
    for label in host.split("."):
        if label.isascii():
            label = label.lower()
            if not _ASCII_LABEL.fullmatch(label):
                return None
        else:
            label = _idna_label(label)
            if label is None:
                return None
        labels.append(label)
    # A numeric top label is a mistyped IP address or a phone number, never a host.
    if labels[-1].isdigit() or (len(labels) > 1 and not _TOP_LABEL.fullmatch(labels[-1])):
        return None
    result = ".".join(labels)
    return result if len(result) <= 253 else None


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    # No suffix list URLs and no cache: the list bundled with the package, never the network.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def _registrable(ascii_host: str) -> str | None:
    extract = _extractor()
    found = extract(ascii_host).top_domain_under_public_suffix
    if not found:  # the host is itself a private suffix (blogspot.com): fall back to ICANN's list
        found = extract(ascii_host, include_psl_private_domains=False).top_domain_under_public_suffix
    return found or None


# --- url ----------------------------------------------------------------------------------------

_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]{0,31})://")
_SCHEMELESS_URL = re.compile(r"[^\s/?#@:]+\.[^\s/?#@:]+(?::[0-9]{1,5})?(?:[/?#].*)?", re.DOTALL)


def _looks_like_url(value: str) -> bool:
    value = _trim(_refang(_trim(value)))
    if _WHITESPACE.search(value):
        return False
    if _SCHEME.match(value) or value.lower().startswith("www."):
        return True
    return bool(_SCHEMELESS_URL.fullmatch(value)) and (
        re.search(r"[/?#]", value) is not None or re.search(r":[0-9]{1,5}$", value) is not None
    )


def _split_url(value: str) -> tuple[str, str, str, bool] | None:
    """(scheme, authority, rest, had_scheme) of a refanged, trimmed URL, fragment removed."""
    value = _trim(value.split("#", 1)[0])
    if not value or _WHITESPACE.search(value):
        return None
    match = _SCHEME.match(value)
    if match:
        scheme, rest, had_scheme = match.group(1).lower(), value[match.end() :], True
        if scheme not in URL_SCHEMES:
            return None
    else:
        scheme, rest, had_scheme = "http", value.removeprefix("//"), False
    end = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    return scheme, rest[:end], rest[end:], had_scheme


def _parse_host_port(authority: str, scheme: str) -> tuple[str, str, int | None] | None:
    """(host as written in a URL, registrable form, port) from ``[user@]host[:port]``."""
    hostport = authority.rpartition("@")[2]
    port_text = ""
    if hostport.startswith("["):
        inside, bracket, after = hostport[1:].partition("]")
        if not bracket or (after and not after.startswith(":")):
            return None
        ip = _ip(inside)
        if ip is None or ":" not in ip:
            return None
        url_host, plain_host, port_text = f"[{ip}]", ip, after[1:]
    else:
        host, colon, port_text = hostport.partition(":")
        if colon and ":" in port_text:
            return None
        ip = _ip(host)
        if ip is not None:
            url_host = plain_host = ip
        else:
            ascii_host = _normalize_host(host)
            if ascii_host is None:
                return None
            url_host = plain_host = ascii_host
    port = None
    if port_text:
        if not re.fullmatch(r"[0-9]{1,5}", port_text) or int(port_text) > 65535:
            return None
        port = int(port_text)
        if port == DEFAULT_PORTS.get(scheme):
            port = None
    return url_host, plain_host, port


def _url(value: str) -> tuple[_Parsed, str] | None:
    """The canonical URL and its host (punycode or IP, no brackets), or None."""
    split = _split_url(_trim(_refang(_trim(value))))
    if split is None:
        return None
    scheme, authority, rest, had_scheme = split
    if not had_scheme and "@" in authority:  # "name@example.com/x" is a broken e-mail, not a site
        return None
    host_port = _parse_host_port(authority, scheme)
    if host_port is None:
        return None
    url_host, plain_host, port = host_port
    is_ip = _ip(plain_host) is not None
    registrable = plain_host if is_ip else _registrable(plain_host)
    if not had_scheme and registrable is None:
        return None
    path, _question, query = rest.partition("?")
    normalized = f"{scheme}://{url_host}{'' if port is None else f':{port}'}{path or '/'}"
    if query:
        normalized += f"?{query}"
    return _Parsed(normalized, registrable), plain_host


def _parse_url(value: str, explicit: bool) -> _Parsed | None:
    url = _url(value)
    return None if url is None else url[0]


# --- domain -------------------------------------------------------------------------------------


def _looks_like_domain(value: str) -> bool:
    value = _trim(_refang(_trim(value)))
    if _ip(value.removeprefix("[").removesuffix("]")) is not None:
        return True
    if _WHITESPACE.search(value) or any(char in value for char in "@/:?#"):
        return False
    top = value.translate(_IDN_DOTS).rstrip(".").rpartition(".")
    return bool(top[1]) and (top[2].isalpha() or top[2].lower().startswith("xn--"))


def _parse_domain(value: str, explicit: bool) -> _Parsed | None:
    value = _trim(_refang(_trim(value)))
    if explicit and (_SCHEME.match(value) or re.search(r"[/?#]", value)):
        url = _url(value)  # a whole URL given as a domain: its host
        if url is None:
            return None
        value = url[1]
    ip = _ip(value.removeprefix("[").removesuffix("]"))
    if ip is not None:
        return _Parsed(ip, ip)
    if _WHITESPACE.search(value):
        return None
    host = _normalize_host(value)
    if host is None or "." not in host:
        return None
    registrable = _registrable(host)
    if registrable is None:
        return None
    return _Parsed(registrable, registrable, host)


# --- e-mail and Bakong --------------------------------------------------------------------------

_LOCAL_PART = re.compile(r"[\w!#$%&'*+/=?^`{|}~.-]{1,64}")
_BAKONG = re.compile(r"([a-z0-9._-]{1,64})@([a-z0-9_-]{2,32})")


def _at_split(value: str) -> tuple[str, str] | None:
    value = _trim(value)
    if value[:7].lower() == "mailto:":
        value = value[7:].split("?", 1)[0]
    value = _trim(_refang(value, at=True))
    if _WHITESPACE.search(value) or value.count("@") != 1:
        return None
    local, _at, domain = value.partition("@")
    if not local or not domain:
        return None
    return local, domain


def _looks_like_email(value: str) -> bool:
    parts = _at_split(value)
    return parts is not None and "." in parts[1].translate(_IDN_DOTS).rstrip(".")


def _looks_like_bakong(value: str) -> bool:
    parts = _at_split(value)
    return parts is not None and "." not in parts[1]


def _parse_email(value: str, explicit: bool) -> _Parsed | None:
    parts = _at_split(value)
    if parts is None:
        return None
    local, domain = parts[0].lower(), parts[1]
    if not _LOCAL_PART.fullmatch(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        return None
    host = _normalize_host(domain)
    if host is None or "." not in host or _ip(host) is not None:
        return None
    registrable = _registrable(host)
    if registrable is None:
        return None
    return _Parsed(f"{local}@{host}", registrable)


def _parse_bakong(value: str, explicit: bool) -> _Parsed | None:
    parts = _at_split(value)
    if parts is None:
        return None
    match = _BAKONG.fullmatch(f"{parts[0]}@{parts[1]}".lower())
    if match is None or match.group(1).startswith(".") or match.group(1).endswith("."):
        return None
    bank = match.group(2)
    return _Parsed(match.group(0), None, bank_code(bank) or bank.upper())


# --- bank accounts ------------------------------------------------------------------------------


def _alias_key(name: str) -> str:
    return re.sub(r"[\s.,&'’_\-()]+", "", name.casefold())


_ALIAS_TO_CODE = {_alias_key(alias): code for code, aliases in BANK_ALIASES.items() for alias in aliases}
_ALIAS_TO_CODE.update({_alias_key(code): code for code in BANK_ALIASES})


def bank_code(name: str) -> str | None:
    """The code of a known bank or e-wallet from a way people write its name, or None."""
    key = _alias_key(name)
    for candidate in (key, key.removesuffix("bank"), key.removeprefix("ធនាគារ")):
        if candidate in _ALIAS_TO_CODE:
            return _ALIAS_TO_CODE[candidate]
    return None


_NUMBER = rf"[{_DIGITS}][{_DIGITS}\s\-]*"
_BANK_COLON = re.compile(rf"(?P<name>[^{_DIGITS}:：]+?)\s*[:：]\s*(?P<number>{_NUMBER})")
_BANK_NAME_FIRST = re.compile(rf"(?P<name>[^{_DIGITS}:：()\[\]]+?)\s*[#\-–]?\s*(?P<number>{_NUMBER})")
_BANK_NUMBER_FIRST = re.compile(
    rf"(?P<number>{_NUMBER}?)\s*[(\[]?\s*(?P<name>[^{_DIGITS}:：()\[\]]+?)\s*[)\]]?"
)
# ``tel:`` and friends are links of another kind, not bank names.
_NOT_BANK_NAMES = frozenset({"tel", "sms", "callto", "mailto", "http", "https", "phone"})
_BANK_NAME_CHARS = re.compile(r"[^\s@/\\<>#?=%$]+(?:\s+[^\s@/\\<>#?=%$]+)*")


def _bank_parts(value: str) -> tuple[str, str, bool] | None:
    """(bank name, number, written with a colon) of a bank account, before validation."""
    value = _trim(value)
    match = _BANK_COLON.fullmatch(value)
    if match:
        return match.group("name").strip(), match.group("number"), True
    for pattern in (_BANK_NAME_FIRST, _BANK_NUMBER_FIRST):
        match = pattern.fullmatch(value)
        if match:
            return match.group("name").strip(" -–.,#"), match.group("number"), False
    return None


def _looks_like_bank_account(value: str) -> bool:
    return _bank_parts(value) is not None


def _parse_bank_account(value: str, explicit: bool) -> _Parsed | None:
    parts = _bank_parts(value)
    if parts is None:
        return None
    name, number, colon = parts
    if not name or not any(char.isalpha() for char in name) or not _BANK_NAME_CHARS.fullmatch(name):
        return None
    if not name[0].isalpha() or name.casefold() in _NOT_BANK_NAMES or len(name) > 60:
        return None
    code = bank_code(name)
    if code is None:
        mentions_bank = re.search(r"\bbank\b|ធនាគារ", name, re.IGNORECASE)
        if not colon and not mentions_bank:
            return None
        code = re.sub(r"[\s\-.&'’,]+", "_", name.upper()).strip("_")
    digits = re.sub(r"[\s\-]", "", latin_digits(number))
    if not digits.isascii() or not digits.isdigit() or not 5 <= len(digits) <= 30:
        return None
    return _Parsed(f"{code}:{digits}", None, code)


# --- phone --------------------------------------------------------------------------------------

_PHONE_SHAPE = re.compile(r"\+?[0-9\s().\-/]+")
_PHONE_LINK = re.compile(r"(?:tel|sms|callto):", re.IGNORECASE)


def _phone_text(value: str) -> str:
    value = latin_digits(_trim(value))
    link = _PHONE_LINK.match(value)
    return value[link.end() :] if link else value


def _looks_like_phone(value: str) -> bool:
    value = _phone_text(value)
    return bool(_PHONE_SHAPE.fullmatch(value)) and 6 <= sum(char.isdigit() for char in value) <= 17


def _parse_phone(value: str, explicit: bool) -> _Parsed | None:
    value = _phone_text(value)
    if not _looks_like_phone(value):
        return None
    try:
        number = phonenumbers.parse(value, "KH")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return _Parsed(e164, None, phonenumbers.region_code_for_number(number))


# --- handles ------------------------------------------------------------------------------------

_HANDLE = re.compile(r"[a-z0-9._]{3,64}")
_HANDLE_PREFIX = re.compile(r"([a-zA-Z]+)\s*:\s*@?(.*)", re.DOTALL)


def _handle_parts(value: str) -> tuple[str, str | None] | None:
    value = _trim(value)
    if value.startswith("@"):
        return value[1:], None
    match = _HANDLE_PREFIX.fullmatch(value)
    if match and match.group(1).lower() in HANDLE_PREFIXES:
        return match.group(2).strip(), HANDLE_PREFIXES[match.group(1).lower()]
    return None


def _looks_like_handle(value: str) -> bool:
    return _handle_parts(value) is not None


def _parse_handle(value: str, explicit: bool) -> _Parsed | None:
    parts = _handle_parts(value)
    if parts is None and explicit:
        parts = _profile_link(value) or (_trim(value), None)
    if parts is None:
        return None
    name, platform = parts[0].lower(), parts[1]
    if not _HANDLE.fullmatch(name):
        return None
    return _Parsed(name, None, platform)


def _profile_link(value: str) -> tuple[str, str] | None:
    """(name, platform) of a profile link such as ``https://t.me/name``."""
    url = _parse_url(value, explicit=True)
    if url is None or url.registrable_domain not in _SOCIAL_SITES:
        return None
    segment = url.normalized.split("://", 1)[1].partition("/")[2].split("?")[0].split("/")[0]
    segment = segment.removeprefix("@")
    if not segment or segment.lower() in _NOT_A_PROFILE:
        return None
    return segment, _SOCIAL_SITES[url.registrable_domain]


# --- crypto -------------------------------------------------------------------------------------

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {char: index for index, char in enumerate(_BASE58)}
_BASE58_SHAPE = re.compile(rf"[13T][{_BASE58}]{{24,34}}")
_ETHEREUM_SHAPE = re.compile(r"0[xX]([0-9a-fA-F]{40})")
_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_CONST, _BECH32M_CONST = 1, 0x2BC830A3  # BIP-173 and BIP-350
_BECH32_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_BITCOIN_VERSIONS = {0x00: "bitcoin", 0x05: "bitcoin"}  # P2PKH, P2SH
_TRON_VERSION = 0x41


def _base58_decode(value: str) -> bytes | None:
    number = 0
    for char in value:
        digit = _BASE58_INDEX.get(char)
        if digit is None:
            return None
        number = number * 58 + digit
    zeros = len(value) - len(value.lstrip("1"))
    return b"\x00" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def _base58check_payload(value: str) -> bytes | None:
    raw = _base58_decode(value)
    if raw is None or len(raw) < 5:
        return None
    payload, checksum = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
        return None
    return payload


def _bech32_polymod(values: list[int]) -> int:
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for bit, generator in enumerate(_BECH32_GENERATOR):
            if (top >> bit) & 1:
                checksum ^= generator
    return checksum


def _bech32_hrp_expand(hrp: str) -> list[int]:
    return [ord(char) >> 5 for char in hrp] + [0] + [ord(char) & 31 for char in hrp]


def _convert_bits(data: list[int], from_bits: int, to_bits: int) -> list[int] | None:
    """Regroup bits without padding (BIP-173's convertbits with pad=False)."""
    accumulator, bits, result, max_value = 0, 0, [], (1 << to_bits) - 1
    for value in data:
        accumulator = (accumulator << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            result.append((accumulator >> bits) & max_value)
    if bits >= from_bits or (accumulator << (to_bits - bits)) & max_value:
        return None
    return result


def _segwit_address(value: str) -> str | None:
    """The lower-case form of a valid Bitcoin mainnet SegWit address (BIP-173, BIP-350), or None."""
    if len(value) > 90 or (value != value.lower() and value != value.upper()):
        return None
    value = value.lower()
    hrp, separator, data_part = value.rpartition("1")
    if hrp != "bc" or not separator or len(data_part) < 6:
        return None
    if any(char not in _BECH32_CHARSET for char in data_part):
        return None
    data = [_BECH32_CHARSET.index(char) for char in data_part]
    constant = _bech32_polymod(_bech32_hrp_expand(hrp) + data)
    if constant not in (_BECH32_CONST, _BECH32M_CONST) or not data[:-6]:
        return None
    version, program = data[0], _convert_bits(data[1:-6], 5, 8)
    if program is None or version > 16 or not 2 <= len(program) <= 40:
        return None
    if version == 0 and (len(program) not in (20, 32) or constant != _BECH32_CONST):
        return None
    if version != 0 and constant != _BECH32M_CONST:
        return None
    return value


def eip55(hex_address: str) -> str:
    """The EIP-55 mixed-case checksum form of 40 hex digits, with its ``0x``."""
    lower = hex_address.lower()
    digest = keccak.new(digest_bits=256, data=lower.encode("ascii")).hexdigest()
    return "0x" + "".join(
        char.upper() if int(nibble, 16) >= 8 else char for char, nibble in zip(lower, digest, strict=False)
    )


def _ethereum_address(value: str) -> str | None:
    match = _ETHEREUM_SHAPE.fullmatch(value)
    if match is None:
        return None
    hex_part = match.group(1)
    checksummed = eip55(hex_part)
    if hex_part in (hex_part.lower(), hex_part.upper()) or "0x" + hex_part == checksummed:
        return checksummed
    return None


def _is_eip55_mismatch(value: str) -> bool:
    value = _trim(value)
    match = _ETHEREUM_SHAPE.fullmatch(value)
    return match is not None and _ethereum_address(value) is None


def _looks_like_crypto(value: str) -> bool:
    value = _trim(value)
    if _ETHEREUM_SHAPE.fullmatch(value) or value[:3].lower() == "bc1":
        return True
    return bool(_BASE58_SHAPE.fullmatch(value)) and any(char.isalpha() for char in value[1:])


def _parse_crypto(value: str, explicit: bool) -> _Parsed | None:
    value = _trim(value)
    if len(value) > 100:
        return None
    ethereum = _ethereum_address(value)
    if ethereum is not None:
        return _Parsed(ethereum, None, "ethereum")
    if value[:3].lower() == "bc1":
        segwit = _segwit_address(value)
        return None if segwit is None else _Parsed(segwit, None, "bitcoin")
    if not _BASE58_SHAPE.fullmatch(value):
        return None
    payload = _base58check_payload(value)
    if payload is None or len(payload) != 21:
        return None
    if value[0] in "13" and payload[0] in _BITCOIN_VERSIONS:
        return _Parsed(value, None, _BITCOIN_VERSIONS[payload[0]])
    if value[0] == "T" and payload[0] == _TRON_VERSION:
        return _Parsed(value, None, "tron")
    return None


_PARSERS = {
    "phone": _parse_phone,
    "url": _parse_url,
    "domain": _parse_domain,
    "email": _parse_email,
    "bank_account": _parse_bank_account,
    "bakong": _parse_bakong,
    "crypto": _parse_crypto,
    "handle": _parse_handle,
}

_DETECTION_ORDER = (
    ("url", _looks_like_url),
    ("domain", _looks_like_domain),
    ("handle", _looks_like_handle),
    ("email", _looks_like_email),
    ("bakong", _looks_like_bakong),
    ("crypto", _looks_like_crypto),
    ("bank_account", _looks_like_bank_account),
    ("phone", _looks_like_phone),
)
