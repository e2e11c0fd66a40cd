"""custos.consent_screen and custos.notice_hash. The screen is checked
against the example manifest's YAML (read here with PyYAML), not against
what the function returned before."""
import hashlib
import re

import pytest
import yaml

import custos
from conftest import CAMERA


@pytest.fixture(scope="module")
def declared():
    return yaml.safe_load((CAMERA / "privacy.yaml").read_text(encoding="utf-8"))


def _in(texts, lang):
    """A localized YAML text in lang, English when the manifest does not give lang."""
    return texts.get(lang, texts["en"])


def _days(duration):
    """manifest.h's rule: 1 Y = 365 D, 1 M = 30 D."""
    m = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?", duration)
    y, mo, w, d = (int(g or 0) for g in m.groups())
    return 365 * y + 30 * mo + 7 * w + d


def _expected(declared, lang):
    names = {c["id"]: c for c in declared["categories"]}
    screen = []
    for p in sorted(declared["purposes"], key=lambda p: p["id"]):
        kept = p["retention"]
        screen.append(custos.PurposeInfo(
            id=p["id"], key=p["key"], title=_in(p["name"], lang),
            description=_in(p["description"], lang) if "description" in p else "",
            legal_basis=p["legal_basis"], required=p["necessity"] == "required",
            categories=tuple(custos.manifest.Category(c, names[c]["key"], _in(names[c]["name"], lang))
                             for c in sorted(p["categories"])),
            recipients=tuple(custos.manifest.Recipient(r["name"], r["country"], r.get("role"))
                             for r in sorted(p.get("recipients", []), key=lambda r: r["name"])),
            retention=kept if isinstance(kept, str) else None,
            retention_days=_days(kept) if isinstance(kept, str) else 0,
            retention_until=kept["until"] if isinstance(kept, dict) else None))
    return screen


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_screen_shows_every_declared_purpose_in_id_order_in_the_language(compiled, declared, lang):
    assert custos.consent_screen(compiled.data, lang) == _expected(declared, lang)


def test_screen_is_in_english_by_default(compiled, declared):
    assert custos.consent_screen(compiled.data) == _expected(declared, "en")


def test_japanese_screen_has_the_japanese_titles(compiled):
    titles = {p.id: p.title for p in custos.consent_screen(compiled.data, "ja")}
    assert titles[2] == "クラウド録画" and titles[4] == "スマート人物検知"


def test_required_purposes_are_those_declared_necessary(compiled):
    screen = custos.consent_screen(compiled.data)
    assert [p.id for p in screen if p.required] == [1, 5, 6]
    assert [p.id for p in screen if not p.required] == [2, 3, 4]
    assert all(p.legal_basis == "consent" for p in screen if not p.required)


def test_a_purpose_without_description_or_recipients_shows_empty_ones(compiled):
    alerts = next(p for p in custos.consent_screen(compiled.data, "ja") if p.id == 5)
    assert alerts.description == "" and alerts.recipients == ()


def test_retention_until_an_event_has_no_duration(compiled):
    operate = custos.consent_screen(compiled.data)[0]
    assert (operate.retention, operate.retention_days, operate.retention_until) == (None, 0, "device_reset")


def test_screen_values_are_immutable(compiled):
    p = custos.consent_screen(compiled.data)[1]
    with pytest.raises(AttributeError):
        p.title = "changed"
    with pytest.raises(AttributeError):
        p.categories[0].name = "changed"
    assert isinstance(p.categories, tuple) and isinstance(p.recipients, tuple)


@pytest.mark.parametrize("lang", ["fr", "xx", "", "EN"])
def test_a_language_the_manifest_does_not_declare_is_invalid(compiled, lang):
    with pytest.raises(custos.InvalidArgument) as e:
        custos.consent_screen(compiled.data, lang)
    assert "'%s'" % lang in e.value.detail  # the core's reason, naming the language


def test_a_language_with_a_nul_is_invalid_not_cut_short(compiled):
    with pytest.raises(custos.InvalidArgument):
        custos.consent_screen(compiled.data, "en\0ja")


def test_a_truncated_compiled_manifest_is_corrupt(compiled):
    with pytest.raises(custos.Corrupt) as e:
        custos.consent_screen(compiled.data[:-5], "en")
    assert "truncated" in e.value.detail


def test_an_altered_compiled_manifest_is_corrupt(compiled):
    damaged = bytearray(compiled.data)
    damaged[len(damaged) // 2] ^= 0x01
    with pytest.raises(custos.Corrupt) as e:
        custos.consent_screen(bytes(damaged), "ja")
    assert e.value.detail


@pytest.mark.parametrize("data", [b"", (CAMERA / "privacy.yaml").read_bytes()], ids=["empty", "yaml"])
def test_what_is_not_a_compiled_manifest_is_corrupt(data):
    with pytest.raises(custos.Corrupt) as e:
        custos.consent_screen(data)
    assert e.value.detail


# --- the notice hash -------------------------------------------------------

# The vectors the Java and Swift tests hard-code (ConsentScreenTest.java,
# ConsentScreenTests.swift): the three bindings must agree byte for byte.
SHARED_VECTORS = [
    ("abc", "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"),
    ("カメラの映像をクラウドに保存します。", "b2a533b2cd48aa95a1974c75c75fb8ca16dac8af3d9a7a7950520c02df8d423e"),
    ("\U0001F600 ok", "e8a86acabbbddd2f3872479d93b4a36544314528f6c07d318cf4a96622018181"),
    ("", "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"),
]


@pytest.mark.parametrize("text,want", SHARED_VECTORS)
def test_notice_hash_agrees_with_java_and_swift(text, want):
    assert custos.notice_hash(text).hex() == want


@pytest.mark.parametrize("text", ["", "Privacy notice\n", "# プライバシーのお知らせ\n\nカメラの映像をクラウドに保存します。\n",
                                  "caf\u00e9 \U0001F600"])
def test_notice_hash_of_a_str_is_blake2b_256_of_its_utf8(text):
    assert custos.notice_hash(text) == hashlib.blake2b(text.encode("utf-8"), digest_size=32).digest()


def test_notice_hash_of_bytes_hashes_them_as_they_are():
    shown = "お知らせ".encode("utf-8")
    assert custos.notice_hash(shown) == custos.notice_hash("お知らせ")
    assert custos.notice_hash(bytearray(shown)) == custos.notice_hash(memoryview(shown))
    latin1 = "café".encode("latin-1")
    assert custos.notice_hash(latin1) == hashlib.blake2b(latin1, digest_size=32).digest()


def test_notice_hash_of_empty_bytes_is_that_of_the_empty_text():
    assert custos.notice_hash(b"") == custos.notice_hash("") == hashlib.blake2b(b"", digest_size=32).digest()


def test_notice_hash_refuses_what_is_not_text():
    with pytest.raises(TypeError):
        custos.notice_hash(5)
    with pytest.raises(UnicodeEncodeError):
        custos.notice_hash("\ud800")


def test_notice_of_the_disclosure_is_hashed_as_written(compiled):
    notice = custos.manifest.disclose(compiled.data, "notice-md", lang="ja", date="2026-01-01")
    assert custos.notice_hash(notice) == hashlib.blake2b(notice.encode("utf-8"), digest_size=32).digest()


def test_the_receipt_of_a_decision_names_its_notice_hash(store):
    from conftest import P_CLOUD_RECORDING
    alice = store.add_subject("alice@example.com")
    h = custos.notice_hash("# プライバシーのお知らせ\n")
    store.consent(alice, P_CLOUD_RECORDING, custos.store.GIVEN, lang="ja", notice_hash=h)
    assert ("urn:blake2b256:" + h.hex()).encode() in store.consent_receipt(alice)


@pytest.mark.parametrize("size", [0, 31, 33])
def test_a_notice_hash_of_another_size_is_refused(store, size):
    from conftest import P_CLOUD_RECORDING
    alice = store.add_subject("alice@example.com")
    with pytest.raises(custos.InvalidArgument):
        store.consent(alice, P_CLOUD_RECORDING, custos.store.GIVEN, notice_hash=bytes(size))
