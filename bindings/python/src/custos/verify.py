"""Service-side verification: what a back end checks with only a device's
public key. Nothing here needs a store."""
import json
from typing import Any, Dict, NamedTuple, Optional

from ._errors import InvalidArgument, check_verifier
from ._native import ffi, lib

RECEIPT_MAX = lib.CUSTOS_ERASE_RECEIPT_MAX
REPLAY_STATE_BYTES = ffi.sizeof("custos_erase_replay_state")


def _key(public_key: bytes) -> bytes:
    if not isinstance(public_key, (bytes, bytearray)) or len(public_key) != 32:
        raise InvalidArgument(lib.CUSTOS_EINVAL, "a device public key is 32 bytes")
    return bytes(public_key)


def verify_receipt(receipt: bytes, public_key: bytes) -> Dict[str, Any]:
    """Verify a signed deletion receipt against the device key and return it
    decoded (scope, subject_hash, purpose, method, time, ...). Raises
    BadSignature (another key, altered bytes) or Corrupt (not a receipt)."""
    check_verifier(lib.custos_receipt_verify(receipt, len(receipt), _key(public_key)), "deletion receipt")
    return receipt_json(receipt)


def receipt_json(receipt: bytes) -> Dict[str, Any]:
    """Decode a receipt WITHOUT verifying it (call verify_receipt for proof)."""
    n = ffi.new("size_t *")
    size = 4096
    while True:
        buf = ffi.new("char[]", size)
        rc = lib.custos_receipt_json(buf, size, n, receipt, len(receipt))
        if rc == lib.CUSTOS_ERANGE and n[0] + 1 > size:
            size = n[0] + 1
            continue
        check_verifier(rc, "deletion receipt")
        return json.loads(bytes(ffi.buffer(buf, n[0])).decode("utf-8"))


class EraseRequest(NamedTuple):
    """A verified EraseRequest (ETSI EN 303 645 5.11-2)."""
    device_id: bytes
    request_id: bytes
    counter: int
    scope: int                      # 1 subject, 2 subject+purpose, 3 reset, 4 expired
    subject_hash: Optional[bytes]   # the keyed hash, never the subject id
    purpose: Optional[int]
    time: int


class ReplayState:
    """What a service keeps per device to refuse replayed erase requests.
    It holds no secret; persist ``to_bytes()`` and rebuild with ``from_bytes``."""

    def __init__(self) -> None:
        self._c = ffi.new("custos_erase_replay_state *")

    @classmethod
    def from_bytes(cls, data: bytes) -> "ReplayState":
        if len(data) != REPLAY_STATE_BYTES:
            raise InvalidArgument(lib.CUSTOS_EINVAL, "replay state is %d bytes" % REPLAY_STATE_BYTES)
        s = cls()
        ffi.memmove(s._c, data, len(data))
        return s

    def to_bytes(self) -> bytes:
        return bytes(ffi.buffer(self._c))

    @property
    def last_counter(self) -> int:
        return int(self._c.last_counter)

    def accept(self, message: bytes, public_key: bytes) -> EraseRequest:
        """Verify a signed EraseRequest and accept it once. Raises BadSignature,
        Corrupt or Replay; on failure the state is unchanged."""
        info = ffi.new("custos_erase_request_info *")
        check_verifier(lib.custos_erase_request_accept(info, self._c, message, len(message), _key(public_key)),
              "erase request")
        return EraseRequest(bytes(info.device_id), bytes(info.request_id), int(info.counter),
                            int(info.scope), bytes(info.subject_hash) if info.has_subject_hash else None,
                            int(info.purpose) if info.has_purpose else None, int(info.time))


def verify_consent_receipt(receipt: bytes, public_key: Optional[bytes] = None) -> int:
    """Verify a signed consent receipt (ISO/IEC TS 27560 or Kantara JSON):
    its signature, then every embedded ledger event's signature and order.
    Returns the number of events. ``public_key`` None accepts the key the
    receipt names (then check that key yourself)."""
    n = ffi.new("size_t *")
    pk = _key(public_key) if public_key is not None else ffi.NULL
    check_verifier(lib.custos_consent_receipt_verify(n, receipt, len(receipt), pk), "consent receipt")
    return int(n[0])


class AuditReport(NamedTuple):
    """The outcome of an audit chain verification."""
    ok: bool
    failure: str
    failed_seq: int
    entries: int
    last_seq: int
    checkpoints: int
    last_checkpoint_seq: int
    unsigned_tail: int


def audit_report(r, ok: bool) -> AuditReport:
    return AuditReport(ok, ffi.string(lib.custos_audit_failure_name(r.failure)).decode(), r.failed_seq,
                       r.entries, r.last_seq, r.checkpoints, r.last_checkpoint_seq, r.unsigned_tail)


def new_audit_report():
    r = ffi.new("custos_audit_report *")
    r.version = lib.CUSTOS_AUDIT_REPORT_VERSION
    return r


def verify_audit_export(export: bytes, public_key: bytes) -> AuditReport:
    """Verify an exported audit chain trusting only the device key. A damaged
    chain is reported (ok False, failure and failed_seq naming the entry), not
    raised; an argument error raises."""
    r = new_audit_report()
    rc = lib.custos_audit_verify_export(r, export, len(export), _key(public_key))
    if rc == lib.CUSTOS_ECORRUPT:
        return audit_report(r, False)
    check_verifier(rc, "audit export")
    return audit_report(r, True)


__all__ = ["verify_receipt", "receipt_json", "EraseRequest", "ReplayState", "verify_consent_receipt",
           "AuditReport", "verify_audit_export"]
