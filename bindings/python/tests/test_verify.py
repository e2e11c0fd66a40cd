import pytest

import custos
from conftest import P_CLOUD_RECORDING, P_ANALYTICS


def test_receipt_verifies_with_the_device_key(erased):
    store, receipt = erased
    doc = custos.verify_receipt(receipt, store.public_key)
    assert doc["subject_hash"] and "alice" not in str(doc)
    assert store.receipts()[-1] == receipt


def test_receipt_with_another_key_is_a_bad_signature(erased, tmp_path):
    _, receipt = erased
    with custos.Store(tmp_path / "other") as other:
        with pytest.raises(custos.BadSignature, match="signed by another key"):
            custos.verify_receipt(receipt, other.public_key)


def test_altered_or_truncated_receipt_is_refused(erased):
    store, receipt = erased
    flipped = bytearray(receipt)
    flipped[len(flipped) // 2] ^= 1
    with pytest.raises((custos.BadSignature, custos.Corrupt)):
        custos.verify_receipt(bytes(flipped), store.public_key)
    with pytest.raises(custos.Corrupt):
        custos.verify_receipt(receipt[:10], store.public_key)


def test_a_short_key_is_invalid(erased):
    _, receipt = erased
    with pytest.raises(custos.InvalidArgument):
        custos.verify_receipt(receipt, b"short")


def test_erase_request_is_accepted_once(erased):
    store, _ = erased
    (seq, msg), = store.outbox()
    state = custos.ReplayState()
    req = state.accept(msg, store.public_key)
    assert req.device_id == store.device_id and req.scope == 1 and len(req.subject_hash) == 32
    saved = custos.ReplayState.from_bytes(state.to_bytes())
    with pytest.raises(custos.Replay):
        saved.accept(msg, store.public_key)
    store.outbox_ack(seq)
    assert store.outbox() == []


def test_erase_request_signed_by_another_key_leaves_state_unchanged(erased, tmp_path):
    store, _ = erased
    (_, msg), = store.outbox()
    state = custos.ReplayState()
    with custos.Store(tmp_path / "other") as other:
        with pytest.raises(custos.BadSignature):
            state.accept(msg, other.public_key)
    assert state.last_counter == 0


def test_replay_state_of_the_wrong_size_is_invalid():
    with pytest.raises(custos.InvalidArgument):
        custos.ReplayState.from_bytes(b"\0" * 3)


def test_consent_receipt_round_trip_and_tamper(store):
    bob = store.add_subject("bob")
    store.consent(bob, P_CLOUD_RECORDING, custos.store.GIVEN)
    store.consent(bob, P_ANALYTICS, custos.store.REFUSED)
    for fmt in (custos.store.RECEIPT_ISO27560_JSONLD, custos.store.RECEIPT_KANTARA):
        receipt = store.consent_receipt(bob, fmt)
        assert custos.verify_consent_receipt(receipt, store.public_key) == 2
        assert b"bob" not in receipt
        changed = receipt.replace(b"Given", b"Giveo", 1)
        assert changed != receipt
        with pytest.raises((custos.BadSignature, custos.Corrupt)):
            custos.verify_consent_receipt(changed, store.public_key)


def test_ledger_verifies(store):
    s = store.add_subject("carol")
    store.consent(s, P_CLOUD_RECORDING, custos.store.GIVEN)
    store.consent(s, P_CLOUD_RECORDING, custos.store.WITHDRAWN)
    store.verify_ledger()
    assert store.consent_status(s, P_CLOUD_RECORDING) == "dpv:ConsentWithdrawn"


def test_audit_export_verifies_and_names_an_altered_entry(erased):
    store, _ = erased
    export = store.export_audit()
    report = custos.verify_audit_export(export, store.public_key)
    assert report.ok and report.entries >= 3
    assert store.verify_audit().ok
    damaged = custos.verify_audit_export(export[:-7], store.public_key)
    assert not damaged.ok and damaged.failure != "ok"
