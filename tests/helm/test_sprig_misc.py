"""Sprig defaults/reflection, encoding, crypto, dates, URLs, OS and the determinism guarantees."""

from __future__ import annotations

import base64
import re
from datetime import datetime, timezone

import pytest

from medlint.helm.functions import FunctionError, sprig_functions
from medlint.helm.functions.crypto import PLACEHOLDER_MARK, Certificate
from medlint.helm.functions.dates import GoTime, go_format_duration, go_parse_duration

F = sprig_functions()


# ---------------------------------------------------------------------------
# defaults and reflection
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, False, 0, 0.0, "", [], {}])
def test_empty_values_take_the_default(value: object) -> None:
    assert F["empty"](value) is True
    assert F["default"]("d", value) == "d"


@pytest.mark.parametrize("value", [True, 1, -0.5, "0", [0], {"a": None}, Certificate("c", "k")])
def test_non_empty_values_are_kept(value: object) -> None:
    assert F["empty"](value) is False
    assert F["default"]("d", value) is value


def test_default_without_a_piped_value() -> None:
    assert F["default"]("d") == "d"


def test_coalesce_ternary_all_any() -> None:
    assert F["coalesce"](None, "", 0, "x", "y") == "x"
    assert F["coalesce"](None, "") is None
    assert F["ternary"]("yes", "no", True) == "yes"
    assert F["ternary"]("yes", "no", False) == "no"
    with pytest.raises(FunctionError, match="expected bool; got string"):
        F["ternary"]("yes", "no", "true")
    assert F["all"](1, "a") is True and F["all"](1, "") is False and F["all"]() is True
    assert F["any"](0, "", "a") is True and F["any"]() is False


@pytest.mark.parametrize(
    ("value", "type_name", "kind"),
    [
        (None, "<nil>", "invalid"),
        ("s", "string", "string"),
        (1, "int", "int"),
        (1.0, "float64", "float64"),
        (True, "bool", "bool"),
        ([1], "[]interface {}", "slice"),
        ({"a": 1}, "map[string]interface {}", "map"),
        (b"x", "[]uint8", "slice"),
    ],
)
def test_type_of_and_kind_of(value: object, type_name: str, kind: str) -> None:
    assert F["typeOf"](value) == type_name
    assert F["kindOf"](value) == kind
    assert F["typeIs"](type_name, value) is True
    assert F["kindIs"](kind, value) is True


def test_type_is_like_and_deep_equal() -> None:
    assert F["typeIsLike"]("semver.Version", F["semver"]("1.0.0")) is True
    assert F["deepEqual"]({"a": [1, 2]}, {"a": [1, 2]}) is True
    assert F["deepEqual"](1, 1.0) is False
    assert F["deepEqual"](True, 1) is False
    assert F["deepEqual"]([1], F["toStrings"]([1])) is False


# ---------------------------------------------------------------------------
# encoding and hashes
# ---------------------------------------------------------------------------


def test_base64_and_base32() -> None:
    assert F["b64enc"]("hello") == "aGVsbG8="
    assert F["b64dec"]("aGVsbG8=") == "hello"
    assert F["b64dec"]("aGVs\nbG8=") == "hello"
    assert F["b64dec"]("aGVsbG8").startswith("illegal base64 data at input byte")
    assert F["b64dec"]("a$==").startswith("illegal base64 data at input byte 1")
    assert F["b32enc"]("hello") == "NBSWY3DP"
    assert F["b32dec"]("NBSWY3DP") == "hello"
    assert F["b32dec"]("1").startswith("illegal base32 data")


def test_hashes() -> None:
    assert (
        F["sha256sum"]("Hello world!") == "c0535e4be2b79ffd93291305436bf889314e4a3faec05ecffcbb7df31ad9e51a"
    )
    assert F["sha1sum"]("Hello world!") == "d3486ae9136e7856bc42212385ea797094475802"
    assert F["adler32sum"]("Hello world!") == "487130206"
    assert F["sha512sum"]("")[:16] == "cf83e1357eefb8bd"


def test_derive_password_matches_sprig_documentation() -> None:
    assert F["derivePassword"](1, "long", "password", "user", "example.com") == "ZedaFaxcZaso9*"
    assert F["derivePassword"](1, "nope", "p", "u", "s") == "cannot find password template nope"


def test_aes_round_trip_and_deterministic_iv() -> None:
    encrypted = F["encryptAES"]("secretkey", "plaintext")
    assert F["decryptAES"]("secretkey", encrypted) == "plaintext"
    assert sprig_functions()["encryptAES"]("secretkey", "plaintext") == encrypted
    assert len(base64.b64decode(encrypted)) == 32
    assert F["encryptAES"]("k", "") == ""
    with pytest.raises(FunctionError):
        F["decryptAES"]("k", base64.b64encode(b"short").decode())


# ---------------------------------------------------------------------------
# deterministic stand-ins
# ---------------------------------------------------------------------------


def test_random_strings_have_length_and_alphabet_and_replay_per_map() -> None:
    first, second = sprig_functions(), sprig_functions()
    a = [first["randAlphaNum"](16), first["randAlpha"](8), first["randNumeric"](6), first["randAscii"](10)]
    b = [
        second["randAlphaNum"](16),
        second["randAlpha"](8),
        second["randNumeric"](6),
        second["randAscii"](10),
    ]
    assert a == b
    assert re.fullmatch(r"[A-Za-z0-9]{16}", a[0])
    assert re.fullmatch(r"[A-Za-z]{8}", a[1])
    assert re.fullmatch(r"[0-9]{6}", a[2])
    assert re.fullmatch(r"[ -~]{10}", a[3])
    assert first["randAlphaNum"](16) != a[0]  # later calls differ
    assert sprig_functions(seed=1)["randAlphaNum"](16) != a[0]
    assert first["randAlphaNum"](0) == "" and first["randAlphaNum"](-1) == ""


def test_uuid_bytes_int_shuffle_are_deterministic() -> None:
    funcs = sprig_functions()
    uuid = funcs["uuidv4"]()
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", uuid)
    assert sprig_functions()["uuidv4"]() == uuid
    assert len(base64.b64decode(funcs["randBytes"](24))) == 24
    assert 5 <= funcs["randInt"](5, 8) < 8
    assert sorted(funcs["shuffle"]("abcdef")) == list("abcdef")
    with pytest.raises(FunctionError):
        funcs["randInt"](3, 3)


def test_bcrypt_and_htpasswd_shapes() -> None:
    hashed = F["bcrypt"]("pw")
    assert re.fullmatch(r"\$2a\$10\$[./A-Za-z0-9]{53}", hashed)
    assert re.fullmatch(r"user:\$2a\$10\$[./A-Za-z0-9]{53}", F["htpasswd"]("user", "pw"))
    assert F["htpasswd"]("us:er", "pw") == "invalid username: us:er"


def test_certificates_are_labelled_placeholders() -> None:
    funcs = sprig_functions()
    ca = funcs["genCA"]("my-ca", 365)
    assert ca.Cert.startswith("-----BEGIN CERTIFICATE-----\n" + PLACEHOLDER_MARK)
    assert ca.Cert.endswith("-----END CERTIFICATE-----\n")
    assert "-----BEGIN RSA PRIVATE KEY-----" in ca.Key
    cert = funcs["genSignedCert"]("svc", None, ["svc.ns.svc"], 365, ca)
    assert isinstance(cert, Certificate) and cert.Cert != ca.Cert
    body = base64.b64decode("".join(cert.Cert.splitlines()[2:-1])).decode()
    assert "cn=svc" in body and "dns=svc.ns.svc" in body and "issuer=my-ca" in body
    self_signed = funcs["genSelfSignedCert"]("x", ["10.0.0.1"], None, 30)
    assert "ips=10.0.0.1" in base64.b64decode("".join(self_signed.Cert.splitlines()[2:-1])).decode()
    assert sprig_functions()["genCA"]("my-ca", 365).Cert == ca.Cert


def test_certificate_argument_errors_follow_sprig() -> None:
    funcs = sprig_functions()
    ca = funcs["genCA"]("ca", 1)
    with pytest.raises(FunctionError, match="error parsing ip: nope"):
        funcs["genSignedCert"]("x", ["nope"], None, 1, ca)
    with pytest.raises(FunctionError, match="expected \\[\\]interface"):
        funcs["genSignedCert"]("x", funcs["splitList"](",", "a"), None, 1, ca)
    with pytest.raises(FunctionError, match="expected sprig.certificate"):
        funcs["genSignedCert"]("x", None, None, 1, {"Cert": "", "Key": ""})
    with pytest.raises(FunctionError, match="parsing private key"):
        funcs["genCAWithKey"]("x", 1, "not pem")
    key = funcs["genPrivateKey"]("ecdsa")
    assert key.startswith("-----BEGIN EC PRIVATE KEY-----")
    assert funcs["genCAWithKey"]("x", 1, key).Key == key
    assert funcs["genPrivateKey"]("weird") == "Unknown type weird"


def test_build_custom_cert_checks_framing() -> None:
    ca = F["genCA"]("x", 1)
    b64 = F["b64enc"]
    built = F["buildCustomCert"](b64(ca.Cert), b64(ca.Key))
    assert built.Cert == ca.Cert and built.Key == ca.Key
    with pytest.raises(FunctionError, match="unable to decode base64 certificate"):
        F["buildCustomCert"]("%%%", b64(ca.Key))
    with pytest.raises(FunctionError, match="unable to decode certificate"):
        F["buildCustomCert"](b64("nope"), b64(ca.Key))


def test_env_and_expandenv_never_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/root")
    assert F["env"]("HOME") == ""
    assert F["expandenv"]("a $HOME b ${HOME} $$ $") == "a  b   $"


def test_get_host_by_name_is_offline_and_stable() -> None:
    assert F["getHostByName"]("10.1.2.3") == "10.1.2.3"
    assert F["getHostByName"]("localhost") == "127.0.0.1"
    address = F["getHostByName"]("example.com")
    assert address.startswith("192.0.2.") and F["getHostByName"]("example.com") == address


# ---------------------------------------------------------------------------
# dates
# ---------------------------------------------------------------------------


def test_now_is_fixed_and_formats_with_go_layouts() -> None:
    now = F["now"]()
    assert isinstance(now, GoTime)
    assert now.String() == "2000-01-01 00:00:00 +0000 UTC"
    assert F["date"]("2006-01-02T15:04:05Z07:00", now) == "2000-01-01T00:00:00Z"
    assert F["date"]("20060102150405", now) == "20000101000000"
    assert F["date"]("Mon Jan _2 3:04PM MST 06", now) == "Sat Jan  1 12:00AM UTC 00"
    assert F["unixEpoch"](now) == "946684800"
    custom = sprig_functions(now=datetime(2024, 2, 29, 13, 5, 9, 123456, tzinfo=timezone.utc))
    assert custom["date"]("2006-01-02 15:04:05.000 pm", custom["now"]()) == "2024-02-29 13:05:09.123 pm"


def test_date_accepts_unix_ints_but_floats_mean_now() -> None:
    assert F["date"]("2006-01-02", 86400) == "1970-01-02"
    assert F["date"]("2006-01-02", 86400.0) == "2000-01-01"
    assert F["dateInZone"]("2006-01-02 15:04 MST", 0, "UTC") == "1970-01-01 00:00 UTC"
    assert F["htmlDate"](0) == "1970-01-01"


def test_to_date_and_date_modify() -> None:
    parsed = F["toDate"]("2006-01-02", "2017-12-31")
    assert parsed.Format("02/01/2006") == "31/12/2017"
    assert F["toDate"]("2006-01-02", "garbage").IsZero() is True
    with pytest.raises(FunctionError, match="parsing time"):
        F["mustToDate"]("2006-01-02", "garbage")
    moved = F["dateModify"]("-1.5h", F["now"]())
    assert moved.String() == "1999-12-31 22:30:00 +0000 UTC"
    assert F["dateModify"]("bogus", F["now"]()) == F["now"]()
    with pytest.raises(FunctionError, match="invalid duration"):
        F["mustDateModify"]("bogus", F["now"]())


def test_durations() -> None:
    assert F["duration"](95) == "1m35s"
    assert F["duration"]("3600") == "1h0m0s"
    assert F["duration"](1.5) == "0s"
    assert F["durationRound"]("2h10m") == "2h"
    assert F["durationRound"](int(3 * 86400e9)) == "3d"
    assert F["durationRound"]("1s") == "0s"
    assert F["ago"](F["dateModify"]("-90s", F["now"]())) == "1m30s"
    assert go_parse_duration("1h30m") == 5_400_000_000_000
    assert go_parse_duration("1.5ms") == 1_500_000
    assert go_format_duration(1_500_000) == "1.5ms"
    assert go_format_duration(-61_000_000_000) == "-1m1s"


def test_durations_with_a_bad_unit_are_refused_as_go_refuses_them() -> None:
    with pytest.raises(FunctionError, match='unknown unit "x"'):
        go_parse_duration("1x")
    with pytest.raises(FunctionError, match="missing unit"):  # a second number where a unit belongs
        go_parse_duration("1.2.3s")


# ---------------------------------------------------------------------------
# URLs
# ---------------------------------------------------------------------------


def test_url_parse_and_join() -> None:
    parts = F["urlParse"]("proto://auth@host:80/path%20x?query#fragment")
    assert parts == {
        "scheme": "proto",
        "host": "host:80",
        "hostname": "host",
        "path": "/path x",
        "query": "query",
        "opaque": "",
        "fragment": "fragment",
        "userinfo": "auth",
    }
    assert F["urlJoin"](parts) == "proto://auth@host:80/path%20x?query#fragment"
    assert F["urlParse"]("mailto:someone@example.com")["opaque"] == "someone@example.com"
    assert (
        F["urlJoin"]({"host": "host:80", "path": "/path", "query": "q", "scheme": "http"})
        == "http://host:80/path?q"
    )
    with pytest.raises(FunctionError, match="must be of type string"):
        F["urlJoin"]({"host": 1.0})
