"""What the receiver does with each body, independent of HTTP: verify with
the C core (through the custos package) first, store second, all in one
transaction, so that a refused body leaves no row.

Errors are Refused(status, reason): status is the HTTP code the API answers
with, reason a stable machine-readable word. The texts name the failure,
never a subject."""
import hashlib
import json
import time
from typing import Any, Callable, Dict, List, Optional

import custos

from .db import Database, Tx

MAX_RECEIPT = custos.verify.RECEIPT_MAX          # CUSTOS_ERASE_RECEIPT_MAX
MAX_ERASE_REQUEST = 1024                          # CUSTOS_SYNC_MAX_MESSAGE
MAX_CONSENT_BATCH = 256 * 1024                    # a consent receipt with its signed events
EMPTY_REPLAY_STATE = custos.ReplayState().to_bytes()


class Refused(Exception):
    def __init__(self, status: int, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.reason, self.detail = status, reason, detail


def _digest(*parts: bytes) -> bytes:
    h = hashlib.blake2b(digest_size=32)
    for p in parts:
        h.update(len(p).to_bytes(4, "big"))
        h.update(p)
    return h.digest()


def _size(body: bytes, limit: int, what: str) -> None:
    if not body:
        raise Refused(400, "empty", "%s: empty body" % what)
    if len(body) > limit:
        raise Refused(413, "too_large", "%s: %d bytes, at most %d" % (what, len(body), limit))


def _verified(call: Callable[[], Any], what: str) -> Any:
    """Map the core's verdict to a precise 4xx."""
    try:
        return call()
    except custos.BadSignature:
        raise Refused(403, "bad_signature", "%s: the signature does not verify with the device key" % what)
    except custos.Replay:
        raise Refused(409, "replay", "%s: counter or request id already accepted" % what)
    except (custos.Corrupt, custos.RangeError, custos.VersionError) as e:
        raise Refused(400, "malformed", "%s: %s" % (what, e.name))


# An erase hook is the maker's code that erases one person's cloud data.
# It runs inside the acknowledging transaction and returns the rows erased.
EraseHook = Callable[[Tx, bytes, int, Optional[bytes], Optional[int]], int]


def sample_erase_hook(tx: Tx, device_id: bytes, scope: int, subject_hash: Optional[bytes],
                      purpose: Optional[int]) -> int:
    """The reference hook: delete from the sample table cloud_clip."""
    if scope in (3,):                                   # factory reset: everything of the device
        return tx.execute("DELETE FROM cloud_clip WHERE device_id = %s", (device_id,))
    if scope == 2:
        return tx.execute("DELETE FROM cloud_clip WHERE device_id = %s AND subject_hash = %s AND purpose = %s",
                          (device_id, subject_hash, purpose))
    if scope == 1:
        return tx.execute("DELETE FROM cloud_clip WHERE device_id = %s AND subject_hash = %s",
                          (device_id, subject_hash))
    return 0                                            # expired records: the cloud keeps its own clock


class Receiver:
    def __init__(self, db: Database, erase_hook: EraseHook = sample_erase_hook) -> None:
        self.db = db
        self.erase_hook = erase_hook

    # --- devices -------------------------------------------------------------
    def register(self, device_id: bytes, public_key: bytes) -> bool:
        """Pair a device's key. True if new; the same pair again is a no-op;
        another key for a known device is refused (re-keying is a new device)."""
        if len(device_id) != 16 or len(public_key) != 32:
            raise Refused(422, "malformed", "device_id is 16 bytes, public_key 32")
        with self.db.transaction() as tx:
            row = tx.one("SELECT public_key FROM device WHERE device_id = %s", (device_id,))
            if row:
                if row[0] != public_key:
                    raise Refused(409, "conflict", "device already registered with another key")
                return False
            tx.execute("INSERT INTO device VALUES (%s, %s, %s, %s)",
                       (device_id, public_key, EMPTY_REPLAY_STATE, int(time.time())))
            return True

    def _device(self, tx: Tx, device_id: bytes, lock: bool = False) -> tuple:
        row = tx.one("SELECT public_key, replay_state FROM device WHERE device_id = %s" +
                     (self.db.lock_suffix if lock else ""), (device_id,))
        if not row:
            raise Refused(404, "unknown_device", "no device registered with this id")
        return row

    # --- deletion receipts -------------------------------------------------
    def ingest_receipt(self, device_id: bytes, body: bytes) -> Dict[str, Any]:
        _size(body, MAX_RECEIPT, "deletion receipt")
        with self.db.transaction() as tx:
            pk, _ = self._device(tx, device_id)
            doc = _verified(lambda: custos.verify_receipt(body, pk), "deletion receipt")
            if bytes.fromhex(doc["device_id"]) != device_id:
                raise Refused(403, "wrong_device", "deletion receipt: made by another device")
            n = tx.execute("INSERT INTO deletion_receipt VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s) "
                           "ON CONFLICT DO NOTHING", receipt_row(device_id, body, doc, int(time.time())))
            return {"stored": n == 1, "receipt_id": doc["receipt_id"], "scope": doc["scope"]}

    def receipts(self, device_id: bytes) -> List[Dict[str, Any]]:
        with self.db.transaction() as tx:
            self._device(tx, device_id)
            rows = tx.all("SELECT receipt_id, scope, subject_hash, purpose, erased_at, body FROM deletion_receipt "
                          "WHERE device_id = %s ORDER BY erased_at, receipt_id", (device_id,))
        return [{"receipt_id": r[0].hex(), "scope": r[1], "subject_hash": r[2].hex() if r[2] else None,
                 "purpose": r[3], "time": r[4], "receipt": r[5].hex()} for r in rows]

    # --- erase requests ------------------------------------------------------
    def ingest_erase_request(self, device_id: bytes, body: bytes) -> Dict[str, Any]:
        _size(body, MAX_ERASE_REQUEST, "erase request")
        h = _digest(body)
        with self.db.transaction() as tx:
            pk, state_bytes = self._device(tx, device_id, lock=True)
            dup = tx.one("SELECT request_id, counter FROM erase_request WHERE device_id = %s AND body_hash = %s",
                         (device_id, h))
            if dup:                                      # the same body again: idempotent
                return {"stored": False, "request_id": dup[0].hex(), "counter": dup[1]}
            state = custos.ReplayState.from_bytes(state_bytes)
            req = _verified(lambda: state.accept(body, pk), "erase request")
            if req.device_id != device_id:
                raise Refused(403, "wrong_device", "erase request: made by another device")
            tx.execute("UPDATE device SET replay_state = %s WHERE device_id = %s", (state.to_bytes(), device_id))
            tx.execute("INSERT INTO erase_request VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,NULL,NULL)",
                       erase_request_row(device_id, req, h, body, int(time.time())))
            return {"stored": True, "request_id": req.request_id.hex(), "counter": req.counter}

    def acknowledge(self, device_id: bytes, request_id: bytes) -> Dict[str, Any]:
        """Run the erase hook for a pending request and mark it done (once)."""
        with self.db.transaction() as tx:
            row = tx.one("SELECT scope, subject_hash, purpose, acked_at, rows_erased FROM erase_request "
                         "WHERE device_id = %s AND request_id = %s" + self.db.lock_suffix, (device_id, request_id))
            if not row:
                raise Refused(404, "unknown_request", "no such erase request for this device")
            scope, subject_hash, purpose, acked_at, erased = row
            if acked_at is None:
                erased = self.erase_hook(tx, device_id, scope, subject_hash, purpose)
                acked_at = int(time.time())
                tx.execute("UPDATE erase_request SET acked_at = %s, rows_erased = %s "
                           "WHERE device_id = %s AND request_id = %s", (acked_at, erased, device_id, request_id))
            return {"request_id": request_id.hex(), "acked_at": acked_at, "rows_erased": erased}

    def pending(self, device_id: Optional[bytes] = None, limit: int = 100) -> List[Dict[str, Any]]:
        sql = ("SELECT device_id, request_id, counter, scope, subject_hash, purpose, requested_at "
               "FROM erase_request WHERE acked_at IS NULL")
        params: tuple = ()
        if device_id is not None:
            sql += " AND device_id = %s"
            params = (device_id,)
        with self.db.transaction() as tx:
            rows = tx.all(sql + " ORDER BY received_at, counter LIMIT %d" % int(limit), params)
        return [{"device_id": r[0].hex(), "request_id": r[1].hex(), "counter": r[2], "scope": r[3],
                 "subject_hash": r[4].hex() if r[4] else None, "purpose": r[5], "time": r[6]} for r in rows]

    # --- consent -------------------------------------------------------------
    def ingest_consent(self, device_id: bytes, body: bytes) -> Dict[str, Any]:
        """A consent receipt (ISO/IEC TS 27560 JSON-LD, as custos_consent_receipt
        writes it): verified as a whole, then one row per event it carries."""
        _size(body, MAX_CONSENT_BATCH, "consent batch")
        with self.db.transaction() as tx:
            pk, _ = self._device(tx, device_id)
            _verified(lambda: custos.verify_consent_receipt(body, pk), "consent batch")
            batch, events = consent_rows(device_id, body, int(time.time()))
            tx.execute("INSERT INTO consent_batch VALUES (%s,%s,%s,%s) ON CONFLICT DO NOTHING", batch)
            stored = 0
            for row in events:
                stored += tx.execute("INSERT INTO consent_event VALUES (%s,%s,%s,%s,%s,%s,%s) "
                                     "ON CONFLICT DO NOTHING", row)
            return {"events": len(events), "stored": stored}

    def consent_history(self, device_id: bytes, subject_hash: bytes, purpose: str,
                        at: Optional[int] = None) -> Dict[str, Any]:
        with self.db.transaction() as tx:
            self._device(tx, device_id)
            rows = tx.all("SELECT event_time, status FROM consent_event WHERE device_id = %s AND "
                          "subject_hash = %s AND purpose = %s AND event_time <= %s ORDER BY event_time",
                          (device_id, subject_hash, purpose, at if at is not None else 2 ** 62))
        history = [{"time": r[0], "status": r[1]} for r in rows]
        return {"purpose": purpose, "at": at, "status": history[-1]["status"] if history else None,
                "history": history}


# The rows a verified body becomes, in column order of the tables
# (migrations/*/001_initial.sql); bench_load.py bulk-loads the same shapes.
def receipt_row(device_id: bytes, body: bytes, doc: Dict[str, Any], now: int) -> tuple:
    return (device_id, _digest(body), bytes.fromhex(doc["receipt_id"]), doc["scope"],
            bytes.fromhex(doc["subject_hash"]) if doc.get("subject_hash") else None,
            doc.get("purpose"), int(doc["time"]), body, now)


def erase_request_row(device_id: bytes, req: "custos.EraseRequest", body_hash: bytes, body: bytes,
                      now: int) -> tuple:
    """Without its last two columns (acked_at, rows_erased: NULL until acknowledged)."""
    return (device_id, req.request_id, req.counter, req.scope, req.subject_hash, req.purpose,
            req.time, body_hash, body, now)


def consent_rows(device_id: bytes, body: bytes, now: int) -> tuple:
    """(the consent_batch row, the consent_event rows) of a verified consent receipt."""
    h = _digest(body)
    events = []
    for subject_hash, purpose, ordinal, when, status in _consent_events(body):
        key = _digest(subject_hash, purpose.encode(), ordinal.to_bytes(4, "big"),
                      when.to_bytes(8, "big"), status.encode())
        events.append((device_id, key, subject_hash, purpose, status, when, h))
    return (device_id, h, body, now), events


def _iso_time(s: str) -> int:
    import calendar
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def _consent_events(body: bytes) -> list:
    """(subject_hash, purpose, ordinal, time, status) of every event in a
    verified ISO/IEC TS 27560 receipt."""
    try:
        doc = json.loads(body)
        out = []
        for rec in doc["records"]:
            subject_hash = bytes.fromhex(rec["pii_principal_id"])
            for i, ev in enumerate(rec.get("events", [])):
                out.append((subject_hash, rec["purpose"], i, _iso_time(ev["event_time"]), ev["event_state"]))
        return out
    except (ValueError, KeyError, TypeError, AttributeError):
        raise Refused(422, "not_iso27560", "consent batch: not an ISO/IEC TS 27560 consent receipt")
