import json

import pytest

import custos


def test_compile_gives_an_id_that_manifest_id_confirms(compiled):
    assert len(compiled.manifest_id) == 32
    assert custos.manifest.manifest_id(compiled.data) == compiled.manifest_id


def test_check_names_line_and_column_of_a_bad_manifest():
    with pytest.raises(custos.ManifestError) as e:
        custos.manifest.check("product: [unclosed\n", "bad.yaml")
    assert e.value.code == -14 and e.value.line >= 1
    assert "bad.yaml:" in e.value.detail


def test_truncated_compiled_file_is_corrupt(compiled):
    with pytest.raises(custos.Corrupt):
        custos.manifest.manifest_id(compiled.data[:-5])


def test_show_json_is_json(compiled):
    doc = json.loads(custos.manifest.show(compiled.data, custos.manifest.SHOW_JSON))
    assert doc
    assert "Cloud" in custos.manifest.show(compiled.data) or "cloud" in custos.manifest.show(compiled.data)


def test_diff_names_what_needs_consent_again(compiled, compiled_v2):
    changes = custos.manifest.diff(compiled.data, compiled_v2.data)
    assert changes and all(c.reasons for c in changes)
    assert any(c.needs_consent for c in changes)
    assert custos.manifest.diff_text(compiled.data, compiled_v2.data)


def test_compile_refuses_going_back_to_an_older_version(compiled_v2):
    from conftest import CAMERA
    with pytest.raises(custos.ManifestError) as e:
        custos.manifest.compile((CAMERA / "privacy.yaml").read_text(), previous=compiled_v2.data)
    assert e.value.detail


@pytest.mark.parametrize("fmt", custos.manifest.disclosure_formats())
def test_every_disclosure_format_renders(compiled, fmt):
    text = custos.manifest.disclose(compiled.data, fmt, date="2026-01-01")
    assert len(text) > 100
    assert custos.manifest.disclosure_file_name(fmt)


def test_japanese_notice(compiled):
    assert "プライバシー" in custos.manifest.disclose(compiled.data, "notice-md", lang="ja")


def test_unknown_format_and_language_are_invalid(compiled):
    with pytest.raises(custos.InvalidArgument):
        custos.manifest.disclose(compiled.data, "no-such-format")
    with pytest.raises(custos.InvalidArgument):
        custos.manifest.disclose(compiled.data, "notice-md", lang="xx")
