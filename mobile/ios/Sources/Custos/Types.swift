import CCustos
import Foundation

// The core's enumerations as Swift enums. Raw values are the C values, which
// are stable (common.h, consent.h, gate.h, disclose.h).

/// A person the device serves: the store-local number `addSubject` returns.
/// `Codable` as the bare number.
public struct Subject: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public var description: String { "subject #\(rawValue)" }
}

/// A subject's role (subject.h).
public enum Role: UInt32, Sendable, CaseIterable, Codable {
    case owner = 1
    case householdMember = 2
    case guest = 3
    /// Consents are given by a guardian (`ConsentActor.guardian`).
    case child = 4
}

/// DPV 2.3 consent statuses (consent.h).
public enum ConsentStatus: UInt32, Sendable, CaseIterable, Codable {
    case unknown = 0
    case requested = 1
    case requestDeferred = 2
    case given = 3
    case renewed = 4
    case refused = 5
    case withdrawn = 6
    case revoked = 7
    case expired = 8
    case invalidated = 9

    /// The DPV term, e.g. "dpv:ConsentGiven".
    public var dpvTerm: String {
        String(cString: custos_consent_status_str(custos_consent_status(rawValue: rawValue)))
    }

    /// True for exactly `.given` and `.renewed` (DPV ConsentStatusValidForProcessing).
    public var isValidForProcessing: Bool {
        custos_consent_valid_for_processing(custos_consent_status(rawValue: rawValue)) == 1
    }

    /// Whether a caller may move a consent from `self` to `next` (docs/consent.md).
    public func canTransition(to next: ConsentStatus) -> Bool {
        custos_consent_transition_allowed(custos_consent_status(rawValue: rawValue),
                                          custos_consent_status(rawValue: next.rawValue)) == 1
    }
}

/// How a consent decision was expressed (dpv:hasIndicationMethod).
public enum ConsentMethod: UInt32, Sendable, CaseIterable, Codable {
    case unspecified = 0
    case companionApp = 1
    case deviceButton = 2
    case voice = 3
    case postedNotice = 4
    case api = 5
    /// Recorded by Custos itself.
    case system = 6
}

/// Who expressed a consent decision (dpv:isIndicatedBy).
public enum ConsentActor: UInt32, Sendable, CaseIterable, Codable {
    case unspecified = 0
    case subject = 1
    /// Required for a `.child` subject.
    case guardian = 2
    case controller = 3
    /// Recorded by Custos only.
    case system = 4
}

/// How far an event's time can be trusted (store.h).
public enum TimeConfidence: UInt32, Sendable, Codable {
    case monotonicOnly = 0
    case appSigned = 1
    case trustedClock = 2
}

/// The gate's answer (gate.h): `.allow` or the reason for a denial.
public enum Decision: UInt32, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case allow = 0
    case denyNoManifest = 1
    case denyUnknownSubject = 2
    case denyUnknownPurpose = 3
    case denyCategoryNotDeclared = 4
    case denyNoConsent = 5
    case denyRefused = 6
    case denyWithdrawn = 7
    case denyRevoked = 8
    case denyExpired = 9
    case denyInvalidated = 10
    /// A closed store or an internal failure: the gate fails closed.
    case denyError = 11
    /// The consent state failed its integrity check (changed outside the
    /// library): `repair()` re-folds it from the verified ledger.
    case denyIntegrity = 12

    public var isAllowed: Bool { self == .allow }

    /// The core's text, e.g. "deny: consent withdrawn".
    public var description: String {
        String(cString: custos_decision_str(custos_decision(rawValue: rawValue)))
    }
}

/// The disclosures Custos generates from a manifest (disclose.h).
public enum DisclosureFormat: UInt32, Sendable, CaseIterable, Codable {
    case noticeMarkdown = 1
    case noticeHTML = 2
    case xcprivacy = 3
    case playCSV = 4
    case androidLabels = 5
    case dpvJSONLD = 6
    case fideslang = 7
    case icsJSON = 8
    case icsMarkdown = 9
    case ixitJSON = 10
    case ixitMarkdown = 11
    case jcstarMarkdown = 12
    case en18031Markdown = 13
    case craMarkdown = 14

    var c: custos_disclose_format { custos_disclose_format(rawValue: rawValue) }

    /// The command-line name ("notice-md", "xcprivacy", ...).
    public var name: String { String(cString: custos_disclose_format_name(c)) }

    /// True for the formats that depend on the language (the notices).
    public var isLocalized: Bool { custos_disclose_format_localized(c) == 1 }

    /// The conventional file name ("PrivacyInfo.xcprivacy", "privacy-notice.ja.html", ...).
    public func fileName(language: String = "en") throws -> String {
        let bytes = try fetchBytes(initial: 64, nil) { out, size, len in
            out.withMemoryRebound(to: CChar.self, capacity: size) {
                custos_disclose_file_name($0, size, &len, c, language)
            }
        }
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// The format named `name`, or nil.
    public init?(name: String) {
        guard let f = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = f
    }
}
