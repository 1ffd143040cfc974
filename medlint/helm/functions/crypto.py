"""Sprig's hashing, random, UUID and certificate functions, made deterministic.

Hashes (``sha1sum``, ``sha256sum``, ``sha512sum``, ``adler32sum``),
``derivePassword`` and AES (``encryptAES``/``decryptAES``, AES-256-CBC with
PKCS#7 padding, implemented here in pure Python) compute exactly what Sprig
computes.  Everything Sprig draws from a random source is replaced by a
:class:`DeterministicRandom` owned by one render: the n-th random call of a
render always yields the same bytes for the same seed, so two medlint runs
produce identical manifests.  Keys and certificates are *placeholders*: PEM
shaped, clearly labelled ``MEDLINT-PLACEHOLDER``, never usable.

Stand-ins (seeded by ``seed`` and the per-render call counter):

==================  ==========================================================
Function            Deterministic stand-in
==================  ==========================================================
randAlphaNum N      N characters from ``[A-Za-z0-9]``
randAlpha N         N characters from ``[A-Za-z]``
randNumeric N       N characters from ``[0-9]``
randAscii N         N characters from printable ASCII (32..126)
randBytes N         base64 of N pseudo-random bytes
randInt MIN MAX     an integer in [MIN, MAX)
shuffle S           a pseudo-random permutation of S's characters
uuidv4              a version-4-formatted UUID from the sequence
bcrypt S            ``$2a$10$`` + 53 bcrypt-alphabet characters (not a real hash)
htpasswd U P        ``U:`` + the bcrypt stand-in
encryptAES K S      real AES-256-CBC, but with a pseudo-random (repeatable) IV
genPrivateKey T     PEM block of the right type holding a placeholder body
genCA CN D          ``.Cert``/``.Key`` placeholder PEM blocks (CN, days recorded)
genSelfSignedCert   same, self-signed placeholder
genSignedCert       same, placeholder "signed by" the given CA
*WithKey variants   placeholder certificate; ``.Key`` is the key passed in
buildCustomCert     decodes and checks PEM framing only (no X.509 parsing)
==================  ==========================================================
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import ipaddress
import operator
import struct
import textwrap
import uuid
import zlib
from collections.abc import Callable
from typing import Any

from medlint.helm import gofmt
from medlint.helm.functions.encoding import go_b64decode
from medlint.helm.functions.reflect import FunctionError, arg_int, arg_string, type_of

__all__ = ["PLACEHOLDER_MARK", "Certificate", "DeterministicRandom", "functions"]

PLACEHOLDER_MARK = "MEDLINT-PLACEHOLDER"
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"
_ASCII = "".join(chr(c) for c in range(32, 127))
_BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


class DeterministicRandom:
    """Repeatable pseudo-random bytes for one render: SHA-256 of (seed, call number, purpose).

    Not thread-safe and not global: :func:`medlint.helm.functions.sprig_functions`
    creates one per function map.
    """

    def __init__(self, seed: int = 0) -> None:
        self._seed = seed
        self._calls = 0

    def next_bytes(self, purpose: str, count: int) -> bytes:
        """``count`` bytes for the next call, labelled by ``purpose``."""
        self._calls += 1
        out = bytearray()
        block = 0
        while len(out) < count:
            label = f"medlint-render:{self._seed}:{self._calls}:{purpose}:{block}".encode()
            out += hashlib.sha256(label).digest()
            block += 1
        return bytes(out[:count])

    def choose(self, purpose: str, alphabet: str, count: int) -> str:
        """``count`` characters drawn from ``alphabet``."""
        data = self.next_bytes(purpose, count * 2)
        return "".join(
            alphabet[int.from_bytes(data[2 * i : 2 * i + 2], "big") % len(alphabet)] for i in range(count)
        )

    def below(self, purpose: str, bound: int) -> int:
        """An integer in ``[0, bound)``."""
        return int.from_bytes(self.next_bytes(purpose, 8), "big") % bound


class Certificate:
    """Sprig's ``certificate`` struct: ``.Cert`` and ``.Key`` PEM strings."""

    go_type_name = "sprig.certificate"
    go_kind = "struct"

    def __init__(self, cert: str, key: str) -> None:
        self.Cert = cert
        self.Key = key

    def go_json(self) -> dict[str, str]:
        """How encoding/json would marshal the struct."""
        return {"Cert": self.Cert, "Key": self.Key}

    def String(self) -> str:
        """Go's ``%v`` of the struct: ``{CERT KEY}``."""
        return "{" + self.Cert + " " + self.Key + "}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Certificate) and (self.Cert, self.Key) == (other.Cert, other.Key)

    def __hash__(self) -> int:
        return hash((self.Cert, self.Key))

    def __repr__(self) -> str:
        return f"Certificate(Cert={self.Cert[:40]!r}..., Key={self.Key[:40]!r}...)"


# ---------------------------------------------------------------------------
# Hashes
# ---------------------------------------------------------------------------


def sha1sum(text: Any) -> str:
    """``sha1sum S``: hex digest."""
    return hashlib.sha1(arg_string(text).encode()).hexdigest()


def sha256sum(text: Any) -> str:
    """``sha256sum S``: hex digest."""
    return hashlib.sha256(arg_string(text).encode()).hexdigest()


def sha512sum(text: Any) -> str:
    """``sha512sum S`` (Sprig 3.3): hex digest."""
    return hashlib.sha512(arg_string(text).encode()).hexdigest()


def adler32sum(text: Any) -> str:
    """``adler32sum S``: the checksum in decimal."""
    return str(zlib.adler32(arg_string(text).encode()))


# ---------------------------------------------------------------------------
# derivePassword (Master Password algorithm, deterministic by design)
# ---------------------------------------------------------------------------

_PASSWORD_TEMPLATES = {
    "maximum": ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
    "long": [
        "CvcvnoCvcvCvcv",
        "CvcvCvcvnoCvcv",
        "CvcvCvcvCvcvno",
        "CvccnoCvcvCvcv",
        "CvccCvcvnoCvcv",
        "CvccCvcvCvcvno",
        "CvcvnoCvccCvcv",
        "CvcvCvccnoCvcv",
        "CvcvCvccCvcvno",
        "CvcvnoCvcvCvcc",
        "CvcvCvcvnoCvcc",
        "CvcvCvcvCvccno",
        "CvccnoCvccCvcv",
        "CvccCvccnoCvcv",
        "CvccCvccCvcvno",
        "CvcvnoCvccCvcc",
        "CvcvCvccnoCvcc",
        "CvcvCvccCvccno",
        "CvccnoCvcvCvcc",
        "CvccCvcvnoCvcc",
        "CvccCvcvCvccno",
    ],
    "medium": ["CvcnoCvc", "CvcCvcno"],
    "short": ["Cvcn"],
    "basic": ["aaanaaan", "aannaaan", "aaannaaa"],
    "pin": ["nnnn"],
}
_TEMPLATE_CHARACTERS = {
    "V": "AEIOU",
    "C": "BCDFGHJKLMNPQRSTVWXYZ",
    "v": "aeiou",
    "c": "bcdfghjklmnpqrstvwxyz",
    "A": "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
    "a": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
    "n": "0123456789",
    "o": "@&%?,=[]_:-+*$#!'^~;()/.",
    "x": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
}
_MASTER_PASSWORD_SEED = b"com.lyndir.masterpassword"


def derive_password(counter: Any, password_type: Any, password: Any, user: Any, site: Any) -> str:
    """``derivePassword COUNTER TYPE PASSWORD USER SITE`` (scrypt + HMAC-SHA256, as Sprig)."""
    number = arg_int(counter)
    if not 0 <= number < 2**32:
        raise FunctionError(f"wrong type for value; expected uint32; got {type_of(counter)}")
    kind = arg_string(password_type)
    templates = _PASSWORD_TEMPLATES.get(kind)
    if templates is None:
        return f"cannot find password template {kind}"
    user_bytes = arg_string(user).encode()
    site_bytes = arg_string(site).encode()
    salt = _MASTER_PASSWORD_SEED + struct.pack(">I", len(user_bytes)) + user_bytes
    key = hashlib.scrypt(
        arg_string(password).encode(), salt=salt, n=32768, r=8, p=2, dklen=64, maxmem=128 * 1024 * 1024
    )
    message = (
        _MASTER_PASSWORD_SEED + struct.pack(">I", len(site_bytes)) + site_bytes + struct.pack(">I", number)
    )
    seed = hmac.new(key, message, hashlib.sha256).digest()
    template = templates[seed[0] % len(templates)]
    return "".join(
        _TEMPLATE_CHARACTERS[ch][seed[i + 1] % len(_TEMPLATE_CHARACTERS[ch])] for i, ch in enumerate(template)
    )


# ---------------------------------------------------------------------------
# AES-256-CBC (pure Python; only what encryptAES/decryptAES need)
# ---------------------------------------------------------------------------


def _aes_tables() -> tuple[list[int], list[int]]:
    sbox = [0] * 256
    p = q = 1
    while True:
        p = p ^ ((p << 1) & 0xFF) ^ (0x1B if p & 0x80 else 0)
        q ^= q << 1
        q ^= q << 2
        q ^= q << 4
        q &= 0xFF
        if q & 0x80:
            q ^= 0x09
        x = (
            q
            ^ ((q << 1 | q >> 7) & 0xFF)
            ^ ((q << 2 | q >> 6) & 0xFF)
            ^ ((q << 3 | q >> 5) & 0xFF)
            ^ ((q << 4 | q >> 4) & 0xFF)
        )
        sbox[p] = x ^ 0x63
        if p == 1:
            break
    sbox[0] = 0x63
    inverse = [0] * 256
    for i, v in enumerate(sbox):
        inverse[v] = i
    return sbox, inverse


_SBOX, _INV_SBOX = _aes_tables()


def _xtime(a: int) -> int:
    return ((a << 1) ^ 0x1B) & 0xFF if a & 0x80 else a << 1


def _gmul(a: int, b: int) -> int:
    result = 0
    while b:
        if b & 1:
            result ^= a
        a = _xtime(a)
        b >>= 1
    return result


def _expand_key(key: bytes) -> list[list[int]]:
    words = [list(key[i : i + 4]) for i in range(0, 32, 4)]
    rcon = 1
    for i in range(8, 60):
        temp = list(words[i - 1])
        if i % 8 == 0:
            temp = [_SBOX[b] for b in temp[1:] + temp[:1]]
            temp[0] ^= rcon
            rcon = _xtime(rcon)
        elif i % 8 == 4:
            temp = [_SBOX[b] for b in temp]
        words.append([a ^ b for a, b in zip(words[i - 8], temp)])
    return [functools.reduce(operator.iadd, words[r * 4 : r * 4 + 4], []) for r in range(15)]


def _add_round_key(state: list[int], round_key: list[int]) -> list[int]:
    return [s ^ k for s, k in zip(state, round_key)]


def _shift_rows(state: list[int], inverse: bool) -> list[int]:
    out = [0] * 16
    for col in range(4):
        for row in range(4):
            src = (col + row) % 4 if not inverse else (col - row) % 4
            out[col * 4 + row] = state[src * 4 + row]
    return out


def _mix_columns(state: list[int], factors: tuple[int, int, int, int]) -> list[int]:
    out = []
    for col in range(4):
        c = state[col * 4 : col * 4 + 4]
        for row in range(4):
            out.append(
                _gmul(c[0], factors[(0 - row) % 4])
                ^ _gmul(c[1], factors[(1 - row) % 4])
                ^ _gmul(c[2], factors[(2 - row) % 4])
                ^ _gmul(c[3], factors[(3 - row) % 4])
            )
    return out


def _encrypt_block(block: bytes, round_keys: list[list[int]]) -> bytes:
    state = _add_round_key(list(block), round_keys[0])
    for rnd in range(1, 15):
        state = _shift_rows([_SBOX[b] for b in state], inverse=False)
        if rnd != 14:
            state = _mix_columns(state, (2, 3, 1, 1))
        state = _add_round_key(state, round_keys[rnd])
    return bytes(state)


def _decrypt_block(block: bytes, round_keys: list[list[int]]) -> bytes:
    state = _add_round_key(list(block), round_keys[14])
    for rnd in range(13, -1, -1):
        state = [_INV_SBOX[b] for b in _shift_rows(state, inverse=True)]
        state = _add_round_key(state, round_keys[rnd])
        if rnd != 0:
            state = _mix_columns(state, (14, 11, 13, 9))
    return bytes(state)


def _aes_key(password: str) -> list[list[int]]:
    key = password.encode()[:32].ljust(32, b"\0")
    return _expand_key(key)


def _cbc_encrypt(password: str, iv: bytes, data: bytes) -> bytes:
    keys = _aes_key(password)
    previous = iv
    out = bytearray()
    for i in range(0, len(data), 16):
        block = bytes(a ^ b for a, b in zip(data[i : i + 16], previous))
        previous = _encrypt_block(block, keys)
        out += previous
    return bytes(out)


def _cbc_decrypt(password: str, iv: bytes, data: bytes) -> bytes:
    keys = _aes_key(password)
    previous = iv
    out = bytearray()
    for i in range(0, len(data), 16):
        block = data[i : i + 16]
        out += bytes(a ^ b for a, b in zip(_decrypt_block(block, keys), previous))
        previous = block
    return bytes(out)


def decrypt_aes(password: Any, encrypted: Any) -> str:
    """``decryptAES KEY BASE64``: Sprig's AES-256-CBC decryption (key zero-padded to 32 bytes)."""
    key = arg_string(password)
    text = arg_string(encrypted)
    if text == "":
        return ""
    data = go_b64decode(text)
    if data is None:
        raise FunctionError("illegal base64 data at input byte 0")
    if len(data) < 16:
        raise FunctionError(f"runtime error: slice bounds out of range [:16] with capacity {len(data)}")
    iv, body = data[:16], data[16:]
    if len(body) % 16:
        raise FunctionError("crypto/cipher: input not full blocks")
    plain = _cbc_decrypt(key, iv, body)
    if not plain:
        raise FunctionError("runtime error: index out of range [-1]")
    pad = plain[-1]
    if pad > len(plain):
        raise FunctionError(f"runtime error: slice bounds out of range [:{len(plain) - pad}]")
    return plain[: len(plain) - pad].decode("utf-8", "replace")


# ---------------------------------------------------------------------------
# Placeholder keys and certificates
# ---------------------------------------------------------------------------

_KEY_BLOCK_TYPES = {
    "": "RSA PRIVATE KEY",
    "rsa": "RSA PRIVATE KEY",
    "dsa": "DSA PRIVATE KEY",
    "ecdsa": "EC PRIVATE KEY",
    "ed25519": "PRIVATE KEY",
}


def _pem(block_type: str, description: str, filler: bytes) -> str:
    body = base64.b64encode(description.encode() + b"\n" + filler).decode("ascii")
    lines = [f"{PLACEHOLDER_MARK}-NOT-A-REAL-{block_type.replace(' ', '-')}"] + textwrap.wrap(body, 64)
    return f"-----BEGIN {block_type}-----\n" + "\n".join(lines) + f"\n-----END {block_type}-----\n"


def _pem_block_type(text: str) -> str | None:
    """The type of the first PEM block in text (``None`` if there is none)."""
    start = text.find("-----BEGIN ")
    if start < 0:
        return None
    end = text.find("-----", start + 11)
    if end < 0:
        return None
    block_type = text[start + 11 : end]
    if f"-----END {block_type}-----" not in text[end:]:
        return None
    return block_type


def _check_private_key(pem_text: str) -> None:
    """Sprig's parsePrivateKeyPEM framing checks (the key material itself is not parsed)."""
    block_type = _pem_block_type(pem_text)
    if block_type is None:
        raise FunctionError("no PEM data in input")
    if block_type != "PRIVATE KEY" and not block_type.endswith(" PRIVATE KEY"):
        raise FunctionError(f"no private key data in PEM block of type {block_type}")
    if block_type not in ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY"):
        raise FunctionError(f"invalid private key type {block_type}")


def _string_list(values: Any, what: str) -> list[str]:
    if values is None:
        return []
    if type_of(values) != "[]interface {}":
        raise FunctionError(f"wrong type for value; expected []interface {{}}; got {type_of(values)}")
    result = []
    for value in values:
        if not isinstance(value, str):
            if what == "ip":
                raise FunctionError(f"error parsing ip: {gofmt.format_value(value)} is not a string")
            raise FunctionError(
                f"error processing alternate dns name: {gofmt.format_value(value)} is not a string"
            )
        if what == "ip":
            try:
                ipaddress.ip_address(value)
            except ValueError as exc:
                raise FunctionError(f"error parsing ip: {value}") from exc
        result.append(value)
    return result


class _CertificateFactory:
    """Builds placeholder keys and certificates from one render's random source."""

    def __init__(self, rng: DeterministicRandom) -> None:
        self.rng = rng

    def private_key(self, key_type: Any) -> str:
        kind = arg_string(key_type)
        if kind not in _KEY_BLOCK_TYPES:
            return "Unknown type " + kind
        block = _KEY_BLOCK_TYPES[kind]
        return _pem(block, f"medlint placeholder {kind or 'rsa'} private key", self.rng.next_bytes("key", 48))

    def _certificate(
        self, cn: str, ips: list[str], dns: list[str], days: int, issuer: str, is_ca: bool, key: str | None
    ) -> Certificate:
        serial = self.rng.next_bytes("serial", 16).hex()
        description = (
            f"medlint placeholder certificate (not a real certificate); cn={cn}; ips={','.join(ips)}; "
            f"dns={','.join(dns)}; days={days}; ca={'true' if is_ca else 'false'}; issuer={issuer}; serial={serial}"
        )
        cert = _pem("CERTIFICATE", description, b"")
        if key is None:
            key = _pem(
                "RSA PRIVATE KEY", "medlint placeholder rsa private key", self.rng.next_bytes("key", 48)
            )
        return Certificate(cert, key)

    def ca(self, cn: Any, days: Any) -> Certificate:
        name = arg_string(cn)
        return self._certificate(name, [], [], arg_int(days), name, True, None)

    def ca_with_key(self, cn: Any, days: Any, key: Any) -> Certificate:
        name, valid, pem_key = arg_string(cn), arg_int(days), arg_string(key)
        self._parse_key(pem_key)
        return self._certificate(name, [], [], valid, name, True, pem_key)

    def self_signed(self, cn: Any, ips: Any, dns: Any, days: Any) -> Certificate:
        name = arg_string(cn)
        return self._certificate(
            name, _string_list(ips, "ip"), _string_list(dns, "dns"), arg_int(days), name, False, None
        )

    def self_signed_with_key(self, cn: Any, ips: Any, dns: Any, days: Any, key: Any) -> Certificate:
        name, pem_key = arg_string(cn), arg_string(key)
        ip_list, dns_list, valid = _string_list(ips, "ip"), _string_list(dns, "dns"), arg_int(days)
        self._parse_key(pem_key)
        return self._certificate(name, ip_list, dns_list, valid, name, False, pem_key)

    def signed(self, cn: Any, ips: Any, dns: Any, days: Any, ca: Any) -> Certificate:
        name = arg_string(cn)
        ip_list, dns_list, valid = _string_list(ips, "ip"), _string_list(dns, "dns"), arg_int(days)
        issuer = self._check_ca(ca)
        return self._certificate(name, ip_list, dns_list, valid, issuer, False, None)

    def signed_with_key(self, cn: Any, ips: Any, dns: Any, days: Any, ca: Any, key: Any) -> Certificate:
        name, pem_key = arg_string(cn), arg_string(key)
        ip_list, dns_list, valid = _string_list(ips, "ip"), _string_list(dns, "dns"), arg_int(days)
        self._parse_key(pem_key)
        issuer = self._check_ca(ca)
        return self._certificate(name, ip_list, dns_list, valid, issuer, False, pem_key)

    @staticmethod
    def _parse_key(pem_key: str) -> None:
        try:
            _check_private_key(pem_key)
        except FunctionError as exc:
            raise FunctionError(f"parsing private key: {exc}") from exc

    @staticmethod
    def _check_ca(ca: Any) -> str:
        if not isinstance(ca, Certificate):
            raise FunctionError(f"wrong type for value; expected sprig.certificate; got {type_of(ca)}")
        if _pem_block_type(ca.Cert) is None:
            raise FunctionError("unable to decode certificate")
        try:
            _check_private_key(ca.Key)
        except FunctionError as exc:
            raise FunctionError(f"error parsing private key: {exc}") from exc
        marker = "cn="
        decoded = ""
        for line in ca.Cert.splitlines()[2:-1]:
            decoded += line
        text = go_b64decode(decoded) or b""
        found = text.decode("utf-8", "replace")
        if marker in found:
            return found.split(marker, 1)[1].split(";", 1)[0]
        return "external-ca"


def build_custom_cert(b64_cert: Any, b64_key: Any) -> Certificate:
    """``buildCustomCert B64CERT B64KEY``: decode both and check their PEM framing."""
    cert = go_b64decode(arg_string(b64_cert))
    if cert is None:
        raise FunctionError("unable to decode base64 certificate")
    key = go_b64decode(arg_string(b64_key))
    if key is None:
        raise FunctionError("unable to decode base64 private key")
    cert_text = cert.decode("utf-8", "replace")
    key_text = key.decode("utf-8", "replace")
    if _pem_block_type(cert_text) is None:
        raise FunctionError("unable to decode certificate")
    try:
        _check_private_key(key_text)
    except FunctionError as exc:
        raise FunctionError(f"error parsing private key: {exc}") from exc
    return Certificate(cert_text, key_text)


# ---------------------------------------------------------------------------
# Function table
# ---------------------------------------------------------------------------


def functions(rng: DeterministicRandom) -> dict[str, Callable[..., Any]]:
    """The Sprig crypto, random and UUID functions bound to one render's random source."""
    certificates = _CertificateFactory(rng)

    def rand_string(alphabet: str, purpose: str) -> Callable[[Any], str]:
        def generate(count: Any) -> str:
            number = arg_int(count)
            return rng.choose(purpose, alphabet, number) if number > 0 else ""

        generate.__doc__ = f"``{purpose} N``: N deterministic characters (see module table)."
        return generate

    def rand_bytes(count: Any) -> str:
        """``randBytes N``: base64 of N deterministic bytes."""
        number = arg_int(count)
        if number < 0:
            raise FunctionError("runtime error: makeslice: len out of range")
        return base64.b64encode(rng.next_bytes("randBytes", number)).decode("ascii")

    def rand_int(low: Any, high: Any) -> int:
        """``randInt MIN MAX``: deterministic integer in [MIN, MAX)."""
        start, stop = arg_int(low), arg_int(high)
        if stop - start <= 0:
            raise FunctionError("invalid argument to Intn")
        return start + rng.below("randInt", stop - start)

    def shuffle(text: Any) -> str:
        """``shuffle S``: deterministic Fisher-Yates permutation of the characters."""
        chars = list(arg_string(text))
        for i in range(len(chars) - 1, 0, -1):
            j = rng.below("shuffle", i + 1)
            chars[i], chars[j] = chars[j], chars[i]
        return "".join(chars)

    def uuidv4() -> str:
        """``uuidv4``: a deterministic version-4 UUID."""
        return str(uuid.UUID(bytes=rng.next_bytes("uuidv4", 16), version=4))

    def bcrypt(text: Any) -> str:
        """``bcrypt S``: a bcrypt-shaped stand-in (``$2a$10$`` + 53 characters)."""
        arg_string(text)
        return "$2a$10$" + rng.choose("bcrypt", _BCRYPT_ALPHABET, 53)

    def htpasswd(username: Any, password: Any) -> str:
        """``htpasswd USER PASS``: ``USER:`` + the bcrypt stand-in."""
        user = arg_string(username)
        arg_string(password)
        if ":" in user:
            return f"invalid username: {user}"
        return f"{user}:" + bcrypt(password)

    def encrypt_aes(password: Any, plaintext: Any) -> str:
        """``encryptAES KEY S``: AES-256-CBC with a deterministic IV, base64(IV + ciphertext)."""
        key, text = arg_string(password), arg_string(plaintext)
        if text == "":
            return ""
        data = text.encode()
        pad = 16 - len(data) % 16
        iv = rng.next_bytes("encryptAES", 16)
        return base64.b64encode(iv + _cbc_encrypt(key, iv, data + bytes([pad]) * pad)).decode("ascii")

    return {
        "sha1sum": sha1sum,
        "sha256sum": sha256sum,
        "sha512sum": sha512sum,
        "adler32sum": adler32sum,
        "derivePassword": derive_password,
        "randAlphaNum": rand_string(_LETTERS + _DIGITS, "randAlphaNum"),
        "randAlpha": rand_string(_LETTERS, "randAlpha"),
        "randNumeric": rand_string(_DIGITS, "randNumeric"),
        "randAscii": rand_string(_ASCII, "randAscii"),
        "randBytes": rand_bytes,
        "randInt": rand_int,
        "shuffle": shuffle,
        "uuidv4": uuidv4,
        "bcrypt": bcrypt,
        "htpasswd": htpasswd,
        "encryptAES": encrypt_aes,
        "decryptAES": decrypt_aes,
        "genPrivateKey": certificates.private_key,
        "genCA": certificates.ca,
        "genCAWithKey": certificates.ca_with_key,
        "genSelfSignedCert": certificates.self_signed,
        "genSelfSignedCertWithKey": certificates.self_signed_with_key,
        "genSignedCert": certificates.signed,
        "genSignedCertWithKey": certificates.signed_with_key,
        "buildCustomCert": build_custom_cert,
    }
