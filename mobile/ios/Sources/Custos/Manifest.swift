import CCustos
import Foundation

/// A compiled privacy manifest (manifest.h): the bytes `custos manifest
/// compile` writes, which apps embed and load into a store. Nothing parses
/// YAML on a device; `compile` is here for tools and tests.
public struct CompiledManifest: Sendable, Equatable {
    /// The compiled file.
    public let bytes: Data
    /// Its id: BLAKE2b-256 of the canonical payload.
    public let id: Data

    /// Verifies compiled bytes (a damaged file throws `.corrupt`).
    public init(bytes: some DataProtocol) throws {
        let bytes = dataCopy(bytes)
        var id = [UInt8](repeating: 0, count: custos_hash_bytes())
        var err = custos_manifest_error()
        try checkManifest(withBytes(bytes) { custos_manifest_id(&id, $0, $1, &err) }, err)
        self.bytes = bytes
        self.id = Data(id)
    }

    /// Compiles manifest YAML. `filename` only names the input in messages.
    /// `previous`, if given, is the compiled earlier version: an id that
    /// changed meaning, or a policy version that did not increase, throws
    /// `.manifest`.
    public static func compile(yaml: String, filename: String = "manifest.yaml",
                               previous: CompiledManifest? = nil) throws -> CompiledManifest {
        var out: UnsafeMutablePointer<UInt8>?
        var len = 0
        var id = [UInt8](repeating: 0, count: custos_hash_bytes())
        var err = custos_manifest_error()
        var opts = custos_manifest_compile_options()
        opts.version = UInt32(CUSTOS_MANIFEST_COMPILE_OPTIONS_VERSION)
        let utf8 = Array(yaml.utf8)
        let rc: Int32 = withBytes(previous?.bytes ?? Data()) { prev, prevLen in
            opts.previous = previous == nil ? nil : prev
            opts.previous_len = previous == nil ? 0 : prevLen
            return utf8.withUnsafeBufferPointer { y in
                y.withMemoryRebound(to: CChar.self) {
                    custos_manifest_compile(&out, &len, &id, $0.baseAddress, $0.count, filename, &opts, &err)
                }
            }
        }
        defer { custos_manifest_free(out) }
        try checkManifest(rc, err)
        return CompiledManifest(bytes: Data(UnsafeBufferPointer(start: out, count: len)), id: Data(id))
    }

    /// Validates manifest YAML without compiling it; throws `.manifest` with
    /// "file:line:col: why" in the message.
    public static func validate(yaml: String, filename: String = "manifest.yaml") throws {
        var err = custos_manifest_error()
        let utf8 = Array(yaml.utf8)
        let rc = utf8.withUnsafeBufferPointer { y in
            y.withMemoryRebound(to: CChar.self) { custos_manifest_check($0.baseAddress, $0.count, filename, &err) }
        }
        try checkManifest(rc, err)
    }

    private init(bytes: Data, id: Data) {
        self.bytes = bytes
        self.id = id
    }

    /// A summary for people, or JSON for programs.
    public func show(json: Bool = false) throws -> String {
        var out: UnsafeMutablePointer<CChar>?
        var err = custos_manifest_error()
        let format = json ? CUSTOS_MANIFEST_SHOW_JSON : CUSTOS_MANIFEST_SHOW_TEXT
        let rc = withBytes(bytes) { custos_manifest_show(&out, $0, $1, format, &err) }
        defer { custos_manifest_free(out) }
        try checkManifest(rc, err)
        return String(cString: out!)
    }

    /// The purposes that changed materially from `older` to `self`.
    public func changes(since older: CompiledManifest) throws -> [ManifestChange] {
        var out: UnsafeMutablePointer<custos_manifest_change>?
        var n = 0
        var err = custos_manifest_error()
        let rc = withBytes(older.bytes) { o, oLen in withBytes(bytes) { custos_manifest_diff(&out, &n, o, oLen, $0, $1, &err) } }
        defer { custos_manifest_free(out) }
        try checkManifest(rc, err)
        return UnsafeBufferPointer(start: out, count: n).map(ManifestChange.init)
    }

    /// The same diff as a readable report (text, or JSON).
    public func diffReport(since older: CompiledManifest, json: Bool = false) throws -> String {
        var out: UnsafeMutablePointer<CChar>?
        var err = custos_manifest_error()
        let format = json ? CUSTOS_MANIFEST_SHOW_JSON : CUSTOS_MANIFEST_SHOW_TEXT
        let rc = withBytes(older.bytes) { o, oLen in
            withBytes(bytes) { custos_manifest_diff_text(&out, o, oLen, $0, $1, format, &err) }
        }
        defer { custos_manifest_free(out) }
        try checkManifest(rc, err)
        return String(cString: out!)
    }
}

/// One purpose as a consent screen shows it (`CompiledManifest.consentScreen`):
/// its texts in the screen's language and the facts the person decides on.
/// Java: `io.custos.PurposeInfo`, with the same names.
public struct PurposeInfo: Sendable, Codable, Hashable {
    /// A data category the purpose uses.
    public struct Category: Sendable, Codable, Hashable {
        /// The category's stable id (what `check(subject:purpose:category:)` takes).
        public let id: UInt32
        /// The taxonomy key, e.g. "user.sensor.video".
        public let key: String
        /// The localized name.
        public let name: String
    }

    /// Someone the data is shared with.
    public struct Recipient: Sendable, Codable, Hashable {
        public let name: String
        /// ISO 3166-1 alpha-2, e.g. "JP", "US".
        public let country: String
        /// "processor", "third-party", or nil when the manifest does not say.
        public let role: String?
    }

    /// The purpose id consent is given for.
    public let id: UInt32
    /// The manifest key, e.g. "functional.service".
    public let key: String
    /// The localized name.
    public let title: String
    /// The localized description; "" when the manifest gives none.
    public let description: String
    /// The manifest's word for the legal basis: "consent", "contract",
    /// "legal_obligation", "vital_interest", "public_task" or
    /// "legitimate_interest". Only "consent" purposes take a decision.
    public let legalBasis: String
    /// True if the purpose is required (shown, not switchable); false if optional.
    public let isRequired: Bool
    /// The data categories it uses, sorted by id.
    public let categories: [Category]
    /// Who the data is shared with, sorted by name; empty if nobody.
    public let recipients: [Recipient]
    /// The retention as an ISO 8601 duration ("P30D"), or nil when it lasts
    /// until an event or is not declared.
    public let retention: String?
    /// The length of `retention` in whole days (1 Y = 365, 1 M = 30, rounded up); 0 without one.
    public let retentionDays: Int
    /// The event the data is kept until (e.g. "device_reset"), or nil.
    public let retentionUntil: String?

    init(_ p: custos_manifest_screen_purpose) {
        id = p.id
        key = String(cString: p.key)
        title = String(cString: p.title)
        description = String(cString: p.description)
        legalBasis = String(cString: p.legal_basis)
        isRequired = p.required != 0
        categories = UnsafeBufferPointer(start: p.categories, count: p.n_categories).map {
            Category(id: $0.id, key: String(cString: $0.key), name: String(cString: $0.name))
        }
        recipients = UnsafeBufferPointer(start: p.recipients, count: p.n_recipients).map {
            Recipient(name: String(cString: $0.name), country: String(cString: $0.country),
                      role: $0.role.map { String(cString: $0) })
        }
        retention = p.retention.map { String(cString: $0) }
        retentionDays = Int(clamping: p.retention_days)
        retentionUntil = p.retention_until.map { String(cString: $0) }
    }
}

extension CompiledManifest {
    /// What a consent screen shows: every purpose, in id order, with its
    /// texts in `language` ("en", "ja": a language the manifest declares;
    /// another throws `.invalidArgument`). A text the manifest does not give
    /// in `language` is given in English. Java: `Manifest.consentScreen`.
    public func consentScreen(language: String = "en") throws -> [PurposeInfo] {
        var out: UnsafeMutablePointer<custos_manifest_screen>?
        var err = custos_manifest_error()
        let rc = withBytes(bytes) { custos_manifest_consent_screen(&out, $0, $1, language, &err) }
        defer { custos_manifest_free(out) }
        try checkManifest(rc, err)
        guard let s = out?.pointee else { return [] }
        return UnsafeBufferPointer(start: s.purposes, count: s.n_purposes).map(PurposeInfo.init)
    }
}

/// One purpose that needs consent again between two manifest versions.
public struct ManifestChange: Sendable, Hashable, Codable {
    /// Why a purpose changed materially (manifest.h CUSTOS_MANIFEST_CHANGE_*).
    /// Codable as its raw value.
    public struct Reasons: OptionSet, Sendable, Hashable, Codable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let newPurpose = Reasons(rawValue: 1 << 0)
        public static let newCategory = Reasons(rawValue: 1 << 1)
        public static let newRecipient = Reasons(rawValue: 1 << 2)
        public static let longerRetention = Reasons(rawValue: 1 << 3)
        public static let legalBasis = Reasons(rawValue: 1 << 4)
        public static let removed = Reasons(rawValue: 1 << 5)
        public static let newLocation = Reasons(rawValue: 1 << 6)
        public static let longerConsent = Reasons(rawValue: 1 << 7)
    }

    public let purpose: UInt32
    public let reasons: Reasons
    /// True if the purpose, in the newer version, rests on consent.
    public let needsConsent: Bool

    /// The core's words for each reason ("new recipient", ...).
    public var reasonNames: [String] {
        (0..<32).compactMap { bit -> String? in
            let r = UInt32(1) << UInt32(bit)
            return reasons.rawValue & r != 0 ? String(cString: custos_manifest_change_str(r)) : nil
        }
    }

    init(_ c: custos_manifest_change) {
        purpose = c.purpose
        reasons = Reasons(rawValue: c.reasons)
        needsConsent = c.needs_consent != 0
    }
}

/// Throws for a manifest-module failure, with the detail of `err`.
func checkManifest(_ rc: Int32, _ err: custos_manifest_error) throws {
    guard rc == 0 else {
        var e = err
        let detail = withUnsafeBytes(of: &e.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        throw CustosError(rawCode: rc, detail: detail)
    }
}

extension Custos {
    /// Loads a compiled manifest into the store. Purposes that changed
    /// materially since the loaded version have their consents invalidated.
    public func load(_ manifest: CompiledManifest) throws {
        try withHandle { h in try checkCall(withBytes(manifest.bytes) { custos_manifest_load(h, $0, $1) }, h) }
    }

    /// The loaded manifest's id and policy version; throws `.notFound` if none.
    public func currentPolicy() throws -> PolicyInfo {
        try withHandle { h in
            var id = [UInt8](repeating: 0, count: custos_hash_bytes())
            var version: UInt32 = 0
            try checkCall(custos_policy_current(h, &id, &version), h)
            return PolicyInfo(id: Data(id), version: version)
        }
    }
}

/// The manifest a store has loaded (`currentPolicy()`).
public struct PolicyInfo: Sendable, Hashable, Codable {
    /// The manifest's id (`CompiledManifest.id`, 32 bytes).
    public let id: Data
    /// Its policy version, which consents are bound to.
    public let version: UInt32

    public init(id: Data, version: UInt32) {
        self.id = id
        self.version = version
    }
}
