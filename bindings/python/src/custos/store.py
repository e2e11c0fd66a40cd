"""A Custos store on a Linux gateway or in a test: the same embedded store
the devices run, opened from Python. Use it as a context manager; every
method raises the exception of its CUSTOS_E* code with custos_errmsg()."""
import os
from typing import List, Optional, Union

from ._errors import InvalidArgument, check, error_for
from ._native import ffi, lib
from .verify import AuditReport, audit_report, new_audit_report

ROLE_OWNER, ROLE_HOUSEHOLD_MEMBER, ROLE_GUEST, ROLE_CHILD = 1, 2, 3, 4
GIVEN, RENEWED, REFUSED, WITHDRAWN, REVOKED, REQUESTED = 3, 4, 5, 6, 7, 1
RECEIPT_ISO27560_JSONLD, RECEIPT_KANTARA = 1, 2
METHOD_API, ACTOR_SUBJECT, ACTOR_GUARDIAN = 5, 1, 2


class Store:
    """An open store. ``Store(path)`` creates it if absent; ``passphrase``
    selects the passphrase key provider instead of the key file."""

    def __init__(self, path: Union[str, os.PathLike], create: bool = True,
                 passphrase: Optional[bytes] = None) -> None:
        self._kp = ffi.NULL
        opts = ffi.new("custos_open_options *")
        opts.version = lib.CUSTOS_OPEN_OPTIONS_VERSION
        opts.flags = lib.CUSTOS_OPEN_CREATE if create else 0
        if passphrase is not None:
            kpp = ffi.new("custos_key_provider **")
            check(lib.custos_key_provider_passphrase(kpp, passphrase, len(passphrase)), "key provider")
            self._kp = kpp[0]
            opts.key_provider = self._kp
        out = ffi.new("custos_t **")
        rc = lib.custos_open(out, os.fsencode(path), opts)
        if rc < 0:
            self._free_kp()
            raise error_for(rc, ffi.string(lib.custos_last_error()).decode("utf-8", "replace"))
        self._ctx = out[0]

    def _free_kp(self) -> None:
        if self._kp != ffi.NULL:
            lib.custos_key_provider_free(self._kp)
            self._kp = ffi.NULL

    def close(self) -> None:
        """Close the store and wipe its secrets; closing twice is harmless."""
        if self._ctx is not None:
            lib.custos_close(self._ctx)
            self._ctx = None
        self._free_kp()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_ctx", None) is not None:
            self.close()

    def _h(self):
        if self._ctx is None:
            raise error_for(lib.CUSTOS_ESTATE, "the store is closed")
        return self._ctx

    def _check(self, rc: int) -> int:
        if rc < 0:
            raise error_for(rc, ffi.string(lib.custos_errmsg(self._ctx)).decode("utf-8", "replace"))
        return rc

    # --- identity ---------------------------------------------------------
    @property
    def device_id(self) -> bytes:
        out = ffi.new("uint8_t[16]")
        self._check(lib.custos_device_id(self._h(), out))
        return bytes(out)

    @property
    def public_key(self) -> bytes:
        out = ffi.new("uint8_t[32]")
        self._check(lib.custos_device_public_key(self._h(), out))
        return bytes(out)

    # --- manifest, subjects, gate ------------------------------------------
    def load_manifest(self, compiled: bytes) -> None:
        self._check(lib.custos_manifest_load(self._h(), compiled, len(compiled)))

    def add_subject(self, external_id: str, role: int = ROLE_OWNER) -> int:
        out = ffi.new("custos_subject *")
        self._check(lib.custos_subject_add(self._h(), out, external_id.encode(), role))
        return int(out[0])

    def find_subject(self, external_id: str) -> int:
        out = ffi.new("custos_subject *")
        self._check(lib.custos_subject_find(self._h(), out, external_id.encode()))
        return int(out[0])

    def check(self, subject: int, purpose: int, category: int) -> str:
        """The gate's decision, "allow" or the reason it denies."""
        d = lib.custos_check(self._h(), subject, purpose, category)
        return ffi.string(lib.custos_decision_str(d)).decode()

    def allowed(self, subject: int, purpose: int, category: int) -> bool:
        return int(lib.custos_check(self._h(), subject, purpose, category)) == 0

    # --- consent ------------------------------------------------------------
    def consent(self, subject: int, purpose: int, status: int, actor: int = ACTOR_SUBJECT,
                method: int = METHOD_API, lang: str = "en", notice_hash: Optional[bytes] = None) -> None:
        """Record a decision (GIVEN, WITHDRAWN, ...): same arguments either way.
        ``notice_hash`` is the 32 bytes custos.notice_hash gave for the notice shown."""
        if notice_hash is not None and len(notice_hash) != lib.CUSTOS_HASH_BYTES:
            # cffi would zero-pad a short one into uint8_t[32] and record a hash of nothing shown
            raise InvalidArgument(lib.CUSTOS_EINVAL, "notice_hash is %d bytes, not %d"
                                  % (len(notice_hash), lib.CUSTOS_HASH_BYTES))
        info = ffi.new("custos_consent_info *")
        info.version = lib.CUSTOS_CONSENT_INFO_VERSION
        c_lang = ffi.new("char[]", lang.encode())
        info.notice_lang = c_lang
        c_hash = ffi.new("uint8_t[32]", notice_hash) if notice_hash is not None else ffi.NULL
        info.notice_hash = c_hash
        info.method = method
        info.actor = actor
        self._check(lib.custos_consent_record(self._h(), subject, purpose, status, info))

    def consent_status(self, subject: int, purpose: int) -> str:
        out = ffi.new("custos_consent_state_info *")
        self._check(lib.custos_consent_state(self._h(), out, subject, purpose))
        return ffi.string(lib.custos_consent_status_str(out.status)).decode()

    def verify_ledger(self) -> None:
        """Walk the consent ledger; raises BadSignature or Corrupt naming the seq."""
        bad = ffi.new("uint64_t *")
        rc = lib.custos_consent_verify(self._h(), bad)
        if rc < 0:
            e = error_for(rc, "ledger entry %d: %s" % (bad[0], ffi.string(lib.custos_errmsg(self._ctx)).decode()))
            e.bad_seq = int(bad[0])
            raise e

    def consent_receipt(self, subject: int, fmt: int = RECEIPT_ISO27560_JSONLD) -> bytes:
        return self._sized(lambda b, s, n: lib.custos_consent_receipt(self._h(), b, s, n, subject, fmt), "char[]")

    # --- vault --------------------------------------------------------------
    def put(self, subject: int, purpose: int, category: int, data: bytes) -> int:
        out = ffi.new("custos_record_id *")
        self._check(lib.custos_vault_put(self._h(), out, subject, purpose, category, data, len(data)))
        return int(out[0])

    def get(self, record: int) -> bytes:
        return self._sized(lambda b, s, n: lib.custos_vault_get(self._h(), b, s, n, ffi.NULL, record))

    # --- erasure ------------------------------------------------------------
    def erase_subject(self, subject: int) -> bytes:
        """Erase everything about a subject; returns the signed deletion receipt."""
        buf = ffi.new("uint8_t[]", lib.CUSTOS_ERASE_RECEIPT_MAX)
        n = ffi.new("size_t *")
        self._check(lib.custos_erase_subject(self._h(), buf, lib.CUSTOS_ERASE_RECEIPT_MAX, n, subject, ffi.NULL))
        return bytes(ffi.buffer(buf, n[0]))

    def erase_purpose(self, subject: int, purpose: int) -> bytes:
        buf = ffi.new("uint8_t[]", lib.CUSTOS_ERASE_RECEIPT_MAX)
        n = ffi.new("size_t *")
        self._check(lib.custos_erase_purpose(self._h(), buf, lib.CUSTOS_ERASE_RECEIPT_MAX, n, subject, purpose,
                                             ffi.NULL))
        return bytes(ffi.buffer(buf, n[0]))

    def _list(self, fn) -> List[int]:
        n = ffi.new("size_t *")
        self._check(fn(self._h(), ffi.NULL, 0, n))
        seqs = ffi.new("uint64_t[]", max(n[0], 1))
        self._check(fn(self._h(), seqs, n[0], n))
        return [int(seqs[i]) for i in range(n[0])]

    def receipts(self) -> List[bytes]:
        """Every deletion receipt kept in the store, oldest first."""
        return [self._sized(lambda b, s, n, q=q: lib.custos_erase_receipt_get(self._h(), b, s, n, q))
                for q in self._list(lib.custos_erase_receipt_list)]

    def outbox(self) -> List[tuple]:
        """The queued signed EraseRequests as (seq, bytes)."""
        return [(q, self._sized(lambda b, s, n, q=q: lib.custos_erase_outbox_get(self._h(), b, s, n, q)))
                for q in self._list(lib.custos_erase_outbox_list)]

    def outbox_ack(self, seq: int) -> None:
        self._check(lib.custos_erase_outbox_ack(self._h(), seq))

    # --- audit --------------------------------------------------------------
    def verify_audit(self) -> AuditReport:
        r = new_audit_report()
        rc = lib.custos_audit_verify(self._h(), r)
        if rc == lib.CUSTOS_ECORRUPT:
            return audit_report(r, False)
        self._check(rc)
        return audit_report(r, True)

    def export_audit(self) -> bytes:
        return self._sized(lambda b, s, n: lib.custos_audit_export(self._h(), b, s, n))

    def pair(self, peer_public_key: bytes, peer_device_id: Optional[bytes] = None) -> None:
        self._check(lib.custos_pair(self._h(), peer_public_key, peer_device_id or ffi.NULL))

    def _sized(self, call, ctype: str = "uint8_t[]") -> bytes:
        """Call a (buf, size, *len) function, growing the buffer on ERANGE."""
        n = ffi.new("size_t *")
        size = 4096
        while True:
            buf = ffi.new(ctype, size)
            rc = call(buf, size, n)
            if rc == lib.CUSTOS_ERANGE and n[0] > size:
                size = n[0]
                continue
            self._check(rc)
            return bytes(ffi.buffer(buf, n[0]))
