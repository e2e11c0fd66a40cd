"""One exception class per CUSTOS_E* code, each carrying the code, the
static custos_strerror() name and the detail text of the failure."""
from typing import Dict, Optional, Type

from ._native import ffi, lib


class CustosError(Exception):
    """A call into libcustos failed. ``code`` is the negative CUSTOS_E* value,
    ``name`` its static description, ``detail`` what custos_errmsg() said."""

    code: int = 0

    def __init__(self, code: int, detail: str = "") -> None:
        self.code = code
        self.name = ffi.string(lib.custos_strerror(code)).decode()
        self.detail = detail
        super().__init__("%s: %s" % (self.name, detail) if detail else self.name)


class InvalidArgument(CustosError): """CUSTOS_EINVAL: an argument is invalid."""
class OutOfMemory(CustosError): """CUSTOS_ENOMEM."""
class IOFailure(CustosError): """CUSTOS_EIO: a read, write, sync, rename or unlink failed."""
class NoSpace(CustosError): """CUSTOS_ENOSPC: the disk is full."""
class Corrupt(CustosError): """CUSTOS_ECORRUPT: data failed an integrity check or is malformed."""
class VersionError(CustosError): """CUSTOS_EVERSION: a format version this build cannot read."""
class NotAStore(CustosError): """CUSTOS_ENOTSTORE."""
class KeyFailure(CustosError): """CUSTOS_EKEY: a key is missing, wrong or could not be used."""
class Denied(CustosError): """CUSTOS_EDENIED: the gate denied the operation."""
class NotFound(CustosError): """CUSTOS_ENOTFOUND."""
class Exists(CustosError): """CUSTOS_EEXIST."""
class BadSignature(CustosError): """CUSTOS_ESIGNATURE: a signature did not verify."""
class Replay(CustosError): """CUSTOS_EREPLAY: a message was already applied."""
class ManifestError(CustosError):
    """CUSTOS_EMANIFEST: the manifest is invalid. ``line`` and ``column`` place it (1-based, 0: none)."""
    line: int = 0
    column: int = 0
class Busy(CustosError): """CUSTOS_EBUSY: the store is locked by another process."""
class RangeError(CustosError): """CUSTOS_ERANGE: a buffer is too small or a count out of range."""
class StateError(CustosError): """CUSTOS_ESTATE: not allowed in the current state."""
class CryptoError(CustosError): """CUSTOS_ECRYPTO."""
class InternalError(CustosError): """CUSTOS_EINTERNAL: a bug in Custos."""
class Canceled(CustosError): """CUSTOS_ECANCELED."""
class Unsupported(CustosError): """CUSTOS_EUNSUPPORTED: this machine lacks what the data needs (AES-256-GCM)."""


_BY_CODE: Dict[int, Type[CustosError]] = {}
for _cls, _name in [
        (InvalidArgument, "EINVAL"), (OutOfMemory, "ENOMEM"), (IOFailure, "EIO"), (NoSpace, "ENOSPC"),
        (Corrupt, "ECORRUPT"), (VersionError, "EVERSION"), (NotAStore, "ENOTSTORE"), (KeyFailure, "EKEY"),
        (Denied, "EDENIED"), (NotFound, "ENOTFOUND"), (Exists, "EEXIST"), (BadSignature, "ESIGNATURE"),
        (Replay, "EREPLAY"), (ManifestError, "EMANIFEST"), (Busy, "EBUSY"), (RangeError, "ERANGE"),
        (StateError, "ESTATE"), (CryptoError, "ECRYPTO"), (InternalError, "EINTERNAL"),
        (Canceled, "ECANCELED"), (Unsupported, "EUNSUPPORTED")]:
    _cls.code = getattr(lib, "CUSTOS_" + _name)
    _BY_CODE[_cls.code] = _cls


def error_for(code: int, detail: str = "") -> CustosError:
    """The exception instance for a CUSTOS_E* code."""
    return _BY_CODE.get(code, CustosError)(code, detail)


def check(rc: int, detail: Optional[str] = None) -> int:
    """Raise the exception of rc if it is negative; return it otherwise."""
    if rc < 0:
        raise error_for(rc, detail or "")
    return rc


def check_verifier(rc: int, what: str) -> int:
    """Like check, for a call without a handle: the detail is what the core
    kept for this thread (custos_last_error)."""
    if rc < 0:
        raise error_for(rc, what + ": " + ffi.string(lib.custos_last_error()).decode("utf-8", "replace"))
    return rc


def manifest_error(rc: int, err) -> CustosError:
    """The exception of a manifest/disclose call, with its custos_manifest_error
    (or, should that be empty, what the core kept in custos_last_error)."""
    detail = ffi.string(err.message) or ffi.string(lib.custos_last_error())
    e = error_for(rc, detail.decode("utf-8", "replace"))
    if isinstance(e, ManifestError):
        e.line, e.column = err.line, err.column
    return e
