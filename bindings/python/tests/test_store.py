import pytest

import custos
from conftest import C_VIDEO, P_ANALYTICS, P_CLOUD_RECORDING


def test_gate_follows_consent(store):
    s = store.add_subject("dave", custos.store.ROLE_HOUSEHOLD_MEMBER)
    assert not store.allowed(s, P_CLOUD_RECORDING, C_VIDEO)
    store.consent(s, P_CLOUD_RECORDING, custos.store.GIVEN)
    assert store.allowed(s, P_CLOUD_RECORDING, C_VIDEO)
    assert store.check(s, P_ANALYTICS, C_VIDEO) != "allow"


def test_vault_round_trip_and_denied_put(store):
    s = store.add_subject("erin")
    with pytest.raises(custos.Denied) as e:
        store.put(s, P_CLOUD_RECORDING, C_VIDEO, b"x")
    assert e.value.detail
    store.consent(s, P_CLOUD_RECORDING, custos.store.GIVEN)
    rid = store.put(s, P_CLOUD_RECORDING, C_VIDEO, b"frame")
    assert store.get(rid) == b"frame"


def test_unknown_subject_is_not_found(store):
    with pytest.raises(custos.NotFound):
        store.find_subject("nobody")
    with pytest.raises(custos.NotFound):
        store.erase_subject(999)


def test_child_consent_needs_a_guardian(store):
    kid = store.add_subject("kid", custos.store.ROLE_CHILD)
    with pytest.raises(custos.InvalidArgument):
        store.consent(kid, P_CLOUD_RECORDING, custos.store.GIVEN)
    store.consent(kid, P_CLOUD_RECORDING, custos.store.GIVEN, actor=custos.store.ACTOR_GUARDIAN)


def test_open_without_create_is_not_found(tmp_path):
    with pytest.raises(custos.NotFound) as e:
        custos.Store(tmp_path / "absent", create=False)
    assert e.value.code == -10


def test_closed_store_raises_state_error(tmp_path):
    st = custos.Store(tmp_path / "s")
    st.close()
    st.close()
    with pytest.raises(custos.StateError):
        st.device_id


def test_passphrase_store_reopens_with_the_same_identity(tmp_path):
    with custos.Store(tmp_path / "p", passphrase=b"correct horse") as st:
        dev = st.device_id
    with custos.Store(tmp_path / "p", passphrase=b"correct horse", create=False) as st:
        assert st.device_id == dev


def test_every_error_class_has_its_code_and_name():
    for code in range(-1, -21, -1):
        e = custos.error_for(code, "detail")
        assert e.code == code and type(e) is not custos.CustosError
        assert e.name.startswith("CUSTOS_E") and "detail" in str(e)
