import CCustos

/// The disclosures a product needs, generated from its compiled manifest
/// (disclose.h). Output is deterministic: the same manifest and options give
/// the same text.
public enum Disclosure {
    /// Generates one disclosure. `language` ("en", "ja") matters for the
    /// notices only; `date` (ISO 8601) is printed as the document date.
    /// Throws `.manifest` if the manifest cannot be expressed in the format.
    public static func generate(_ format: DisclosureFormat, from manifest: CompiledManifest,
                                language: String? = nil, date: String? = nil) throws -> String {
        var out: UnsafeMutablePointer<CChar>?
        var len = 0
        var err = custos_manifest_error()
        let rc = withOptions(language: language, date: date) { opts in
            withBytes(manifest.bytes) { custos_disclose(&out, &len, $0, $1, format.c, opts, &err) }
        }
        defer { custos_disclose_free(out) }
        try checkManifest(rc, err)
        return String(decoding: UnsafeRawBufferPointer(start: out, count: len), as: UTF8.self)
    }

    static func withOptions<R>(language: String?, date: String?,
                               _ body: (UnsafePointer<custos_disclose_options>) -> R) -> R {
        withOptionalCString(language) { lang in
            withOptionalCString(date) { d in
                var o = custos_disclose_options()
                o.version = UInt32(CUSTOS_DISCLOSE_OPTIONS_VERSION)
                o.lang = lang
                o.date = d
                return withUnsafePointer(to: &o, body)
            }
        }
    }
}

private func withOptionalCString<R>(_ s: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let s else { return body(nil) }
    return s.withCString { body($0) }
}

extension Custos {
    /// The access report for one subject (GDPR Art. 15, APPI): per purpose,
    /// the consent state, the categories and number of records held, and
    /// until when. `manifest` must be the one loaded (else `.invalidState`);
    /// `format` is `.noticeMarkdown` or `.noticeHTML`.
    public func accessReport(subject: Subject, manifest: CompiledManifest,
                             format: DisclosureFormat = .noticeMarkdown, language: String = "en") throws -> String {
        try withHandle { h in
            var out: UnsafeMutablePointer<CChar>?
            var len = 0
            let rc = Disclosure.withOptions(language: language, date: nil) { opts in
                withBytes(manifest.bytes) {
                    custos_disclose_access_report(h, &out, &len, subject.rawValue, $0, $1, format.c, opts)
                }
            }
            defer { custos_disclose_free(out) }
            try checkCall(rc, h)
            return String(decoding: UnsafeRawBufferPointer(start: out, count: len), as: UTF8.self)
        }
    }
}
