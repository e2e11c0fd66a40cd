"""Custos for Python: the privacy SDK's C core (libcustos) through cffi.

    import custos
    compiled = custos.manifest.compile(open("privacy.yaml").read())
    custos.manifest.disclose(compiled.data, "notice-md", lang="ja")
    for p in custos.consent_screen(compiled.data, lang="ja"): ...
    custos.verify_receipt(receipt_bytes, device_public_key)
    with custos.Store("/var/lib/gateway/custos") as st:
        st.consent(subject, purpose, custos.store.GIVEN, lang="ja", notice_hash=custos.notice_hash(shown))

Every failure raises a subclass of CustosError, one per CUSTOS_E* code.
"""
from . import consent, manifest
from ._errors import (BadSignature, Busy, Canceled, Corrupt, CryptoError, CustosError, Denied, Exists,
                      InternalError, InvalidArgument, IOFailure, KeyFailure, ManifestError, NoSpace,
                      NotAStore, NotFound, OutOfMemory, RangeError, Replay, StateError, Unsupported,
                      VersionError, error_for)
from ._native import ffi as _ffi, lib as _lib
from .consent import notice_hash
from .manifest import PurposeInfo, consent_screen
from .store import Store
from .verify import (AuditReport, EraseRequest, ReplayState, receipt_json, verify_audit_export,
                     verify_consent_receipt, verify_receipt)


def core_version() -> str:
    """The version of the libcustos this package is linked with."""
    return _ffi.string(_lib.custos_version()).decode()


__version__ = "0.1.0"
