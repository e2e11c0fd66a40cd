import CCustos
import Foundation

/// Why an audit chain failed verification (audit.h).
public enum AuditFailure: Int32, Sendable, CaseIterable, Codable {
    case none = 0
    case entryMalformed = 1
    case entryChanged = 2
    case entryRemoved = 3
    case entryReordered = 4
    case tailTruncated = 5
    case checkpointInvalid = 6
    case exportMalformed = 7

    public var name: String { String(cString: custos_audit_failure_name(custos_audit_failure(rawValue: UInt32(bitPattern: rawValue)))) }
}

/// The result of verifying an audit chain. A broken chain is reported
/// here (`failure`, `failedSeq`), not thrown: the caller decides what to do.
public struct AuditReport: Sendable, Hashable, Codable {
    public let failure: AuditFailure
    /// The first entry changed, removed or reordered; 0 if none.
    public let failedSeq: UInt64
    public let entries: UInt64
    public let lastSeq: UInt64
    /// Checkpoints whose signature verified.
    public let checkpoints: UInt64
    public let lastCheckpointSeq: UInt64
    /// Entries after the last checkpoint: chained but not yet signed.
    public let unsignedTail: UInt64
    /// The core's words for the failure ("" if intact).
    public let message: String

    public var isIntact: Bool { failure == .none }

    init(_ r: custos_audit_report, message: String) {
        failure = AuditFailure(rawValue: r.failure) ?? .entryMalformed
        failedSeq = r.failed_seq
        entries = r.entries
        lastSeq = r.last_seq
        checkpoints = r.checkpoints
        lastCheckpointSeq = r.last_checkpoint_seq
        unsignedTail = r.unsigned_tail
        self.message = message
    }
}

/// Audit event kinds (custos.v1.AuditKind).
public enum AuditKind: Int32, Sendable, CaseIterable, Codable {
    case storeCreated = 1, consentChanged, erase, factoryReset, export, keyFailure,
         integrityViolation, manifestLoaded, keyRotated, pairing, settingsChanged, access

    /// "consent_changed", ...
    public var name: String { String(cString: custos_audit_kind_name(custos_audit_kind(rawValue: UInt32(bitPattern: rawValue)))) }
    /// False for the kinds the user may switch off (`setOptionalAuditEvents`).
    public var isMandatory: Bool { custos_audit_kind_is_mandatory(custos_audit_kind(rawValue: UInt32(bitPattern: rawValue))) == 1 }
}

/// One entry of the audit chain. It never holds personal data.
public struct AuditEntry: Sendable, Hashable, Codable {
    public let seq: UInt64
    /// nil for a kind this build does not know.
    public let kind: AuditKind?
    public let time: Date
    /// The subject's keyed hash, if the entry concerns one.
    public let subjectHash: Data?
    public let purpose: UInt32?
    /// A CUSTOS_E* code, or 0.
    public let code: Int32
    public let detail: String
    public let hash: Data

    init(_ e: custos_audit_entry) {
        var e = e
        seq = e.seq
        kind = AuditKind(rawValue: e.kind)
        time = Date(timeIntervalSince1970: TimeInterval(e.time))
        subjectHash = e.has_subject != 0 ? withUnsafeBytes(of: &e.subject_hash) { Data($0) } : nil
        purpose = e.purpose < 0 ? nil : UInt32(e.purpose)
        code = e.code
        detail = e.detail.map { String(cString: $0) } ?? ""
        hash = withUnsafeBytes(of: &e.hash) { Data($0) }
    }
}

extension Custos {
    /// Verifies the store's audit chain and checkpoints. A broken chain is
    /// a report with `isIntact == false`; other failures throw.
    public func verifyAudit() throws -> AuditReport {
        try withHandle { h in
            var r = custos_audit_report()
            r.version = UInt32(CUSTOS_AUDIT_REPORT_VERSION)
            let rc = custos_audit_verify(h, &r)
            if rc == Int32(CUSTOS_ECORRUPT) { return AuditReport(r, message: String(cString: custos_errmsg(h))) }
            try checkCall(rc, h)
            return AuditReport(r, message: "")
        }
    }

    /// The chain as an encoded custos.v1.AuditExport, to verify off the device.
    public func exportAudit() throws -> Data {
        try withHandle { h in
            try fetchBytes(initial: 64 * 1024, h) { out, size, len in custos_audit_export(h, out, size, &len) }
        }
    }

    /// Verifies an exported chain trusting only `publicKey` (32 bytes).
    public static func verifyAuditExport(_ bytes: some DataProtocol, publicKey: some DataProtocol) throws -> AuditReport {
        var r = custos_audit_report()
        r.version = UInt32(CUSTOS_AUDIT_REPORT_VERSION)
        let rc = try withFixedBytes(publicKey, count: custos_public_key_bytes(), "publicKey") { pk in
            withBytes(bytes) { custos_audit_verify_export(&r, $0, $1, pk) }
        }
        if rc == Int32(CUSTOS_ECORRUPT) {
            return AuditReport(r, message: AuditFailure(rawValue: r.failure)?.name ?? "")
        }
        try checkNoHandle(rc)
        return AuditReport(r, message: "")
    }

    /// Signs a checkpoint over the newest entry now.
    public func auditCheckpoint() throws {
        try withHandle { h in try checkCall(custos_audit_checkpoint(h), h) }
    }

    /// Whether optional events (accesses) are recorded; persisted in the store.
    public func optionalAuditEvents() throws -> Bool {
        try withHandle { h in
            var on: Int32 = 0
            try checkCall(custos_audit_get_optional(h, &on), h)
            return on != 0
        }
    }

    public func setOptionalAuditEvents(_ enabled: Bool) throws {
        try withHandle { h in try checkCall(custos_audit_set_optional(h, enabled ? 1 : 0), h) }
    }

    /// The audit entries from `seq` on (1: the whole chain), in order.
    public func auditEntries(from seq: UInt64 = 1) throws -> [AuditEntry] {
        try withHandle { h in
            var entries: [AuditEntry] = []
            let rc = withUnsafeMutablePointer(to: &entries) { p in
                custos_audit_foreach(h, seq, { user, entry in
                    user!.assumingMemoryBound(to: [AuditEntry].self).pointee.append(AuditEntry(entry!.pointee))
                    return 0
                }, p)
            }
            try checkCall(rc, h)
            return entries
        }
    }
}
