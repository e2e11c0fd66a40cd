"""What the consent module offers without a store (Java: io.custos.Consent's
static methods; Swift: the Consent enum). Decisions themselves are recorded
on a Store (Store.consent)."""
from typing import Union

from ._errors import check_verifier
from ._native import ffi, lib


def notice_hash(text: Union[str, bytes]) -> bytes:
    """The notice hash to record with a decision (Store.consent's
    ``notice_hash``): BLAKE2b-256, unkeyed, of the notice exactly as shown.
    A str is hashed as its UTF-8 bytes, as Java and Swift do; pass bytes to
    hash a notice file as written (e.g. by manifest.disclose) without
    re-encoding it. Raises UnicodeEncodeError for a str that is not valid
    Unicode (a lone surrogate), which has no UTF-8 form, and TypeError for
    anything but str or bytes."""
    if isinstance(text, str):
        data = text.encode("utf-8")
    elif isinstance(text, (bytes, bytearray, memoryview)):
        data = bytes(text)
    else:  # bytes(5) would hash five zero bytes
        raise TypeError("notice_hash takes str or bytes, not %s" % type(text).__name__)
    out = ffi.new("uint8_t[32]")
    check_verifier(lib.custos_notice_hash(out, data, len(data)), "notice hash")
    return bytes(out)
