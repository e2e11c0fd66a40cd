"""The privacy declaration and the disclosures generated from it. None of
these need a store: a build pipeline compiles, checks, diffs and renders."""
from typing import List, NamedTuple, Optional, Tuple, Union

from ._errors import InvalidArgument, manifest_error
from ._native import ffi, lib

SHOW_TEXT = 0
SHOW_JSON = 1


def _err():
    return ffi.new("custos_manifest_error *")


def _yaml(yaml: Union[str, bytes]) -> bytes:
    return yaml.encode("utf-8") if isinstance(yaml, str) else bytes(yaml)


def _text(p) -> str:
    return ffi.string(p).decode("utf-8")


def _maybe_text(p) -> Optional[str]:
    return None if p == ffi.NULL else _text(p)


def _take_string(pp, free) -> str:
    try:
        return _text(pp[0])
    finally:
        free(pp[0])


class Compiled(NamedTuple):
    """A compiled manifest: its file bytes and its 32-byte manifest id."""
    data: bytes
    manifest_id: bytes


def compile(yaml: Union[str, bytes], filename: Optional[str] = None,
            previous: Optional[bytes] = None) -> Compiled:
    """Compile manifest YAML. With ``previous`` (the last compiled version),
    refuse an id that changed meaning or a policy version that did not grow.
    Raises ManifestError with ``line``/``column`` on a bad manifest."""
    src = _yaml(yaml)
    out = ffi.new("uint8_t **")
    out_len = ffi.new("size_t *")
    mid = ffi.new("uint8_t[32]")
    opts = ffi.NULL
    keep = None
    if previous is not None:
        opts = ffi.new("custos_manifest_compile_options *")
        opts.version = lib.CUSTOS_MANIFEST_COMPILE_OPTIONS_VERSION
        keep = ffi.from_buffer(previous)
        opts.previous = keep
        opts.previous_len = len(previous)
    err = _err()
    rc = lib.custos_manifest_compile(out, out_len, mid, src, len(src),
                                     filename.encode() if filename else ffi.NULL, opts, err)
    del keep
    if rc < 0:
        raise manifest_error(rc, err)
    try:
        return Compiled(bytes(ffi.buffer(out[0], out_len[0])), bytes(mid))
    finally:
        lib.custos_manifest_free(out[0])


def check(yaml: Union[str, bytes], filename: Optional[str] = None) -> None:
    """Validate manifest YAML without compiling; raises ManifestError."""
    src = _yaml(yaml)
    err = _err()
    rc = lib.custos_manifest_check(src, len(src), filename.encode() if filename else ffi.NULL, err)
    if rc < 0:
        raise manifest_error(rc, err)


def manifest_id(compiled: bytes) -> bytes:
    """Verify a compiled manifest and return its id (Corrupt if damaged)."""
    mid = ffi.new("uint8_t[32]")
    err = _err()
    rc = lib.custos_manifest_id(mid, compiled, len(compiled), err)
    if rc < 0:
        raise manifest_error(rc, err)
    return bytes(mid)


def show(compiled: bytes, fmt: int = SHOW_TEXT) -> str:
    """A compiled manifest as a summary (SHOW_TEXT) or JSON (SHOW_JSON)."""
    out = ffi.new("char **")
    err = _err()
    rc = lib.custos_manifest_show(out, compiled, len(compiled), fmt, err)
    if rc < 0:
        raise manifest_error(rc, err)
    return _take_string(out, lib.custos_manifest_free)


class Change(NamedTuple):
    """One purpose that changed materially between two versions."""
    purpose: int
    reasons: List[str]
    needs_consent: bool


def diff(older: bytes, newer: bytes) -> List[Change]:
    """The semantic diff: the purposes that need attention, by purpose id."""
    out = ffi.new("custos_manifest_change **")
    n = ffi.new("size_t *")
    err = _err()
    rc = lib.custos_manifest_diff(out, n, older, len(older), newer, len(newer), err)
    if rc < 0:
        raise manifest_error(rc, err)
    try:
        changes = []
        for i in range(n[0]):
            c = out[0][i]
            reasons = [ffi.string(lib.custos_manifest_change_str(1 << b)).decode()
                       for b in range(32) if c.reasons & (1 << b)]
            changes.append(Change(c.purpose, reasons, bool(c.needs_consent)))
        return changes
    finally:
        lib.custos_manifest_free(out[0])


def diff_text(older: bytes, newer: bytes, fmt: int = SHOW_TEXT) -> str:
    """The same diff as a readable report (SHOW_TEXT) or JSON (SHOW_JSON)."""
    out = ffi.new("char **")
    err = _err()
    rc = lib.custos_manifest_diff_text(out, older, len(older), newer, len(newer), fmt, err)
    if rc < 0:
        raise manifest_error(rc, err)
    return _take_string(out, lib.custos_manifest_free)


class Category(NamedTuple):
    """A data category a purpose uses (Java/Swift: PurposeInfo.Category)."""
    id: int
    """The category's stable id (what Store.check takes)."""
    key: str
    """The taxonomy key, e.g. "user.sensor.video"."""
    name: str
    """The localized name."""


class Recipient(NamedTuple):
    """Someone a purpose's data is shared with (Java/Swift: PurposeInfo.Recipient)."""
    name: str
    country: str
    """ISO 3166-1 alpha-2, e.g. "JP", "US"."""
    role: Optional[str]
    """"processor", "third-party", or None when the manifest does not say."""


class PurposeInfo(NamedTuple):
    """One purpose as a consent screen shows it (consent_screen): its texts in
    the screen's language and the facts the person decides on. Java and
    Swift: PurposeInfo, with the same names in snake_case (``required`` is
    their isRequired)."""
    id: int
    """The purpose id consent is given for."""
    key: str
    """The manifest key, e.g. "functional.service"."""
    title: str
    """The localized name."""
    description: str
    """The localized description; "" when the manifest gives none."""
    legal_basis: str
    """The manifest's word: "consent", "contract", "legal_obligation",
    "vital_interest", "public_task" or "legitimate_interest". Only "consent"
    purposes take a decision."""
    required: bool
    """True if the purpose is required (shown, not switchable); False if optional."""
    categories: Tuple[Category, ...]
    """The data categories it uses, sorted by id."""
    recipients: Tuple[Recipient, ...]
    """Who the data is shared with, sorted by name; empty if nobody."""
    retention: Optional[str]
    """An ISO 8601 duration ("P30D"), or None when it lasts until an event or is not declared."""
    retention_days: int
    """The length of ``retention`` in whole days (1 Y = 365, 1 M = 30, rounded up); 0 without one."""
    retention_until: Optional[str]
    """The event the data is kept until (e.g. "device_reset"), or None."""


def _purpose(p) -> PurposeInfo:
    categories = tuple(Category(c.id, _text(c.key), _text(c.name))
                       for c in (p.categories[i] for i in range(p.n_categories)))
    recipients = tuple(Recipient(_text(r.name), _text(r.country), _maybe_text(r.role))
                       for r in (p.recipients[i] for i in range(p.n_recipients)))
    return PurposeInfo(p.id, _text(p.key), _text(p.title), _text(p.description), _text(p.legal_basis),
                       bool(p.required), categories, recipients, _maybe_text(p.retention),
                       p.retention_days, _maybe_text(p.retention_until))


def consent_screen(compiled: bytes, lang: str = "en") -> List[PurposeInfo]:
    """What a consent screen shows: every purpose of a compiled manifest, in
    id order, with its texts in ``lang`` (one of the manifest's
    product.languages, e.g. "en", "ja"). A text the manifest does not give in
    ``lang`` is given in English. Raises InvalidArgument for a language the
    manifest does not declare, Corrupt (or VersionError) for a damaged
    compiled manifest, with the core's reason as ``detail``."""
    if "\0" in lang:
        raise InvalidArgument(lib.CUSTOS_EINVAL, "language %r contains a NUL character" % lang)
    out = ffi.new("custos_manifest_screen **")
    err = _err()
    rc = lib.custos_manifest_consent_screen(out, compiled, len(compiled), lang.encode("utf-8"), err)
    if rc < 0:
        raise manifest_error(rc, err)
    try:
        s = out[0]
        return [_purpose(s.purposes[i]) for i in range(s.n_purposes)]
    finally:
        lib.custos_manifest_free(out[0])


def disclosure_formats() -> List[str]:
    """The names of every disclosure format ("notice-md", "xcprivacy", ...)."""
    return [ffi.string(lib.custos_disclose_format_name(f)).decode()
            for f in range(lib.CUSTOS_DISCLOSE_FORMAT_FIRST, lib.CUSTOS_DISCLOSE_FORMAT_LAST + 1)]


def _format(name: str) -> int:
    f = ffi.new("custos_disclose_format *")
    err = _err()
    rc = lib.custos_disclose_format_parse(f, name.encode(), err)
    if rc < 0:
        raise manifest_error(rc, err)
    return int(f[0])


def disclose(compiled: bytes, fmt: str, lang: str = "en", date: Optional[str] = None) -> str:
    """Generate one disclosure (format by name, see disclosure_formats())."""
    f = _format(fmt)
    opts = ffi.new("custos_disclose_options *")
    opts.version = lib.CUSTOS_DISCLOSE_OPTIONS_VERSION
    c_lang = ffi.new("char[]", lang.encode())
    c_date = ffi.new("char[]", date.encode()) if date else ffi.NULL
    opts.lang = c_lang
    opts.date = c_date
    out = ffi.new("char **")
    out_len = ffi.new("size_t *")
    err = _err()
    rc = lib.custos_disclose(out, out_len, compiled, len(compiled), f, opts, err)
    if rc < 0:
        raise manifest_error(rc, err)
    try:
        return bytes(ffi.buffer(out[0], out_len[0])).decode("utf-8")
    finally:
        lib.custos_disclose_free(out[0])


def disclosure_file_name(fmt: str, lang: str = "en") -> str:
    """The conventional file name of a format's output."""
    f = _format(fmt)
    buf = ffi.new("char[256]")
    n = ffi.new("size_t *")
    rc = lib.custos_disclose_file_name(buf, 256, n, f, lang.encode())
    if rc < 0:
        from ._errors import error_for
        raise error_for(rc, "format %s, language %s" % (fmt, lang))
    return ffi.string(buf).decode()
