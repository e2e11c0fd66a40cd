import CCustos
import Foundation

/// What the person saw and how they answered (custos_consent_info).
public struct ConsentInfo: Sendable, Hashable, Codable {
    /// BLAKE2b-256 of the notice shown (32 bytes: `Consent.noticeHash`), or
    /// nil if none. Another length throws `.invalidArgument` when recorded.
    public var noticeHash: Data?
    /// BCP 47 language of the notice ("en", "ja"); at most 16 characters.
    public var noticeLanguage: String
    public var method: ConsentMethod
    public var actor: ConsentActor

    public init(noticeHash: Data? = nil, noticeLanguage: String = "en",
                method: ConsentMethod = .api, actor: ConsentActor = .subject) {
        self.noticeHash = noticeHash
        self.noticeLanguage = noticeLanguage
        self.method = method
        self.actor = actor
    }

    /// Runs `body` with the C struct; its pointers are valid only inside.
    func withC<R>(_ body: (UnsafePointer<custos_consent_info>) -> R) throws -> R {
        try withFixedBytes(noticeHash, count: custos_hash_bytes(), "noticeHash") { hash in
            noticeLanguage.withCString { lang in
                var c = custos_consent_info()
                c.version = UInt32(CUSTOS_CONSENT_INFO_VERSION)
                c.notice_hash = hash
                c.notice_lang = lang
                c.method = custos_consent_method(rawValue: method.rawValue)
                c.actor = custos_consent_actor(rawValue: actor.rawValue)
                return withUnsafePointer(to: &c, body)
            }
        }
    }
}

/// What the consent module offers without a store. Java: `io.custos.Consent`'s static methods.
public enum Consent {
    /// The notice hash to record with a decision (`ConsentInfo.noticeHash`):
    /// BLAKE2b-256 of the notice text exactly as shown, as UTF-8 bytes
    /// (custos_notice_hash).
    public static func noticeHash(_ shownText: String) -> Data {
        noticeHash(Data(shownText.utf8))
    }

    /// The notice hash of the exact bytes shown (e.g. a notice file as `Disclosure` wrote it).
    public static func noticeHash(_ shownBytes: some DataProtocol) -> Data {
        var h = Data(count: custos_hash_bytes())
        let rc = h.withUnsafeMutableBytes { out in
            withBytes(shownBytes) { custos_notice_hash(out.bindMemory(to: UInt8.self).baseAddress, $0, $1) }
        }
        // The only failure left once the arguments are valid is libsodium
        // failing to start, after which no store could have opened either.
        precondition(rc == 0, "custos_notice_hash failed: \(String(cString: custos_strerror(rc)))")
        return h
    }
}

/// One decision recorded through a `Custos`, as `consentChanges()` tells
/// it. Java: `io.custos.RecordedConsent`.
public struct RecordedConsent: Sendable, Hashable, Codable {
    public let subject: Subject
    public let purpose: UInt32
    /// `.given`, `.withdrawn`, `.refused`, `.renewed`, `.requested`, `.requestDeferred` or `.revoked`.
    public let status: ConsentStatus
}

/// The streams of `consentChanges()`: each gets every decision recorded
/// after it was made; all finish when the store closes.
final class ConsentBroadcaster: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var streams: [Int: AsyncStream<RecordedConsent>.Continuation] = [:]
    private var finished = false

    func stream() -> AsyncStream<RecordedConsent> {
        AsyncStream { c in
            lock.lock()
            guard !finished else {
                lock.unlock()
                c.finish()
                return
            }
            let id = next
            next += 1
            streams[id] = c
            lock.unlock()
            c.onTermination = { [weak self] _ in self?.remove(id) }
        }
    }

    func yield(_ r: RecordedConsent) {
        lock.lock()
        let targets = Array(streams.values)
        lock.unlock()
        for c in targets { c.yield(r) }
    }

    func finish() {
        lock.lock()
        finished = true
        let targets = Array(streams.values)
        streams.removeAll()
        lock.unlock()
        for c in targets { c.finish() }
    }

    private func remove(_ id: Int) {
        lock.lock()
        streams[id] = nil
        lock.unlock()
    }
}

/// The current consent of one (subject, purpose).
public struct ConsentState: Sendable, Hashable, Codable {
    public let status: ConsentStatus
    /// When the consent expires; nil for no expiry.
    public let validUntil: Date?
    /// When the last event was recorded (nil if none).
    public let time: Date?
    /// Policy version of the manifest the last event bound to.
    public let policyVersion: UInt32
    /// The last event's position in the ledger; 0 if none.
    public let seq: UInt64
    /// True when back at `.requested` after an invalidation.
    public let invalidated: Bool
}

/// One immutable, signed event of a subject's consent history.
public struct ConsentEvent: Sendable, Hashable, Codable {
    public let seq: UInt64
    public let eventId: Data
    public let purpose: UInt32
    public let status: ConsentStatus
    public let method: ConsentMethod
    public let actor: ConsentActor
    public let time: Date
    public let timeConfidence: TimeConfidence
    /// nil: no expiry.
    public let validUntil: Date?
    public let policyVersion: UInt32
    public let manifestId: Data
    public let noticeHash: Data?
    public let noticeLanguage: String
    /// True if the paired companion app also signed the event.
    public let appSigned: Bool

    init(_ e: custos_consent_event_info) {
        var e = e
        seq = e.seq
        eventId = withUnsafeBytes(of: &e.event_id) { Data($0) }
        purpose = e.purpose
        status = ConsentStatus(rawValue: e.status.rawValue) ?? .unknown
        method = ConsentMethod(rawValue: e.method.rawValue) ?? .unspecified
        actor = ConsentActor(rawValue: e.actor.rawValue) ?? .unspecified
        time = Date(timeIntervalSince1970: TimeInterval(e.time))
        timeConfidence = TimeConfidence(rawValue: e.time_confidence.rawValue) ?? .monotonicOnly
        validUntil = e.valid_until == 0 ? nil : Date(timeIntervalSince1970: TimeInterval(e.valid_until))
        policyVersion = e.policy_version
        manifestId = withUnsafeBytes(of: &e.manifest_id) { Data($0) }
        noticeHash = e.has_notice_hash != 0 ? withUnsafeBytes(of: &e.notice_hash) { Data($0) } : nil
        noticeLanguage = withUnsafeBytes(of: &e.notice_lang) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        appSigned = e.app_signed != 0
    }
}

/// The JSON format of a consent receipt.
public enum ConsentReceiptFormat: UInt32, Sendable, Codable {
    /// ISO/IEC TS 27560 record, JSON-LD with DPV terms.
    case iso27560 = 1
    /// Kantara Consent Receipt v1.1.
    case kantara = 2
}

/// A subject's consents as a signed JSON receipt.
public struct ConsentReceipt: Sendable, Hashable, Codable {
    /// The UTF-8 JSON, ending with the device's signature over every byte before it.
    public let bytes: Data
    public var json: String { String(decoding: bytes, as: UTF8.self) }

    public init(bytes: some DataProtocol) { self.bytes = dataCopy(bytes) }

    /// Verifies the receipt and every event it embeds against the device
    /// key that should have signed it (32 bytes); returns the number of
    /// events. Throws `.signature` or `.corrupt` on any change.
    @discardableResult
    public func verify(publicKey: some DataProtocol) throws -> Int {
        try withFixedBytes(publicKey, count: custos_public_key_bytes(), "publicKey") { try verify($0) }
    }

    /// The same, accepting the key the receipt names: proves the receipt is
    /// intact, not who signed it.
    @discardableResult
    public func verify() throws -> Int { try verify(nil) }

    private func verify(_ publicKey: UnsafePointer<UInt8>?) throws -> Int {
        var events = 0
        let rc = withBytes(bytes) { b, n in
            b.withMemoryRebound(to: CChar.self, capacity: n) {
                custos_consent_receipt_verify(&events, $0, n, publicKey)
            }
        }
        try checkNoHandle(rc)
        return events
    }
}

extension Custos {
    // MARK: Subjects

    /// Registers a person by the maker's own identifier for them (only a
    /// keyed hash of it is stored). Throws `.alreadyExists` if registered.
    public func addSubject(externalId: String, role: Role) throws -> Subject {
        try withHandle { h in
            var s: custos_subject = 0
            try checkCall(custos_subject_add(h, &s, externalId, custos_role(rawValue: role.rawValue)), h)
            return Subject(rawValue: s)
        }
    }

    /// Finds a registered person; throws `.notFound` if none.
    public func findSubject(externalId: String) throws -> Subject {
        try withHandle { h in
            var s: custos_subject = 0
            try checkCall(custos_subject_find(h, &s, externalId), h)
            return Subject(rawValue: s)
        }
    }

    public func role(of subject: Subject) throws -> Role {
        try withHandle { h in
            var r = custos_role(rawValue: 0)
            try checkCall(custos_subject_role(h, &r, subject.rawValue), h)
            guard let role = Role(rawValue: r.rawValue) else {
                throw CustosError(rawCode: Int32(CUSTOS_EINTERNAL), detail: "unknown role \(r.rawValue)")
            }
            return role
        }
    }

    /// Makes `newOwner` the owner; the previous owners' consents are invalidated.
    public func transferOwnership(to newOwner: Subject) throws {
        try withHandle { h in try checkCall(custos_subject_transfer_ownership(h, newOwner.rawValue), h) }
    }

    // MARK: Consent decisions

    /// Records any decision a caller may record (not `.expired`, `.invalidated`:
    /// those are recorded by Custos only and throw `.invalidArgument`).
    /// A withdrawal or revocation also erases the data kept for that purpose
    /// (as `erase(subject:purpose:)` does, with a receipt kept in the store).
    public func recordConsent(_ status: ConsentStatus, subject: Subject, purpose: UInt32,
                              info: ConsentInfo = ConsentInfo()) throws {
        try withHandle { h in
            let rc = try info.withC { i -> Int32 in
                switch status {
                case .requested: return custos_consent_request(h, subject.rawValue, purpose, i)
                case .given: return custos_consent_give(h, subject.rawValue, purpose, i)
                case .renewed: return custos_consent_renew(h, subject.rawValue, purpose, i)
                case .refused: return custos_consent_refuse(h, subject.rawValue, purpose, i)
                case .withdrawn: return custos_consent_withdraw(h, subject.rawValue, purpose, i)
                case .revoked: return custos_consent_revoke(h, subject.rawValue, purpose, i)
                default:
                    return custos_consent_record(h, subject.rawValue, purpose,
                                                 custos_consent_status(rawValue: status.rawValue), i)
                }
            }
            try checkCall(rc, h)
        }
        consentBroadcaster.yield(RecordedConsent(subject: subject, purpose: purpose, status: status))
    }

    /// Every decision recorded through this object from now on (give,
    /// withdraw, refuse, renew, request, revoke), each after it is recorded
    /// and `check` answers with it; a failed call yields nothing. Each call
    /// makes a new stream (unbounded buffer); all of them finish when the
    /// store closes. Decisions that arrive otherwise (an applied
    /// ConsentUpdate, an expiry) are not in it. Java: `Consent.addListener`.
    public func consentChanges() -> AsyncStream<RecordedConsent> {
        consentBroadcaster.stream()
    }

    public func requestConsent(subject: Subject, purpose: UInt32, info: ConsentInfo = ConsentInfo()) throws {
        try recordConsent(.requested, subject: subject, purpose: purpose, info: info)
    }

    public func giveConsent(subject: Subject, purpose: UInt32, info: ConsentInfo = ConsentInfo()) throws {
        try recordConsent(.given, subject: subject, purpose: purpose, info: info)
    }

    public func renewConsent(subject: Subject, purpose: UInt32, info: ConsentInfo = ConsentInfo()) throws {
        try recordConsent(.renewed, subject: subject, purpose: purpose, info: info)
    }

    public func refuseConsent(subject: Subject, purpose: UInt32, info: ConsentInfo = ConsentInfo()) throws {
        try recordConsent(.refused, subject: subject, purpose: purpose, info: info)
    }

    /// Withdrawing takes exactly the same arguments as giving. It also
    /// erases the data kept for the purpose (keys destroyed, records removed,
    /// a deletion receipt kept in the store, an EraseRequest queued).
    public func withdrawConsent(subject: Subject, purpose: UInt32, info: ConsentInfo = ConsentInfo()) throws {
        try recordConsent(.withdrawn, subject: subject, purpose: purpose, info: info)
    }

    /// Revocation by someone other than the subject (a guardian, the
    /// controller). Like a withdrawal, it erases the purpose's data.
    public func revokeConsent(subject: Subject, purpose: UInt32,
                              info: ConsentInfo = ConsentInfo(actor: .controller)) throws {
        try recordConsent(.revoked, subject: subject, purpose: purpose, info: info)
    }

    /// The current state of (subject, purpose).
    public func consentState(subject: Subject, purpose: UInt32) throws -> ConsentState {
        try withHandle { h in
            var s = custos_consent_state_info()
            try checkCall(custos_consent_state(h, &s, subject.rawValue, purpose), h)
            return ConsentState(
                status: ConsentStatus(rawValue: s.status.rawValue) ?? .unknown,
                validUntil: s.valid_until == 0 ? nil : Date(timeIntervalSince1970: TimeInterval(s.valid_until)),
                time: s.seq == 0 ? nil : Date(timeIntervalSince1970: TimeInterval(s.time)),
                policyVersion: s.policy_version, seq: s.seq, invalidated: s.invalidated != 0)
        }
    }

    /// A subject's events, oldest first.
    public func consentHistory(subject: Subject) throws -> [ConsentEvent] {
        try withHandle { h in
            var size = 16
            while true {
                var events = [custos_consent_event_info](repeating: custos_consent_event_info(), count: size)
                var n = 0
                let rc = custos_consent_history(h, &events, size, &n, subject.rawValue)
                if rc == Int32(CUSTOS_ERANGE), n > size { size = n; continue }
                try checkCall(rc, h)
                return events[0..<n].map(ConsentEvent.init)
            }
        }
    }

    /// Walks the whole ledger: every signature and the chain. Throws
    /// `LedgerError` naming the first bad position if it is not intact.
    public func verifyConsentLedger() throws {
        try withHandle { h in
            var bad: UInt64 = 0
            let rc = custos_consent_verify(h, &bad)
            if rc != 0 {
                throw LedgerError(error: CustosError(rawCode: rc, detail: String(cString: custos_errmsg(h))), badSeq: bad)
            }
        }
    }

    /// Re-folds the consent state from the verified ledger, after a check
    /// answered `.denyIntegrity` or `verifyConsentLedger()` reported the
    /// state changed outside the library. Returns how many subjects were
    /// re-folded; throws (changing nothing) if the ledger itself is broken.
    @discardableResult
    public func repairConsentState() throws -> Int {
        try withHandle { h in
            var n = 0
            let rc = custos_consent_repair(h, &n)
            if rc != 0 {
                throw CustosError(rawCode: rc, detail: String(cString: custos_errmsg(h)))
            }
            return n
        }
    }

    /// A subject's consents as a signed receipt.
    public func consentReceipt(subject: Subject, format: ConsentReceiptFormat = .iso27560) throws -> ConsentReceipt {
        try withHandle { h in
            let bytes = try fetchBytes(initial: 4096, h) { out, size, len in
                out.withMemoryRebound(to: CChar.self, capacity: size) {
                    custos_consent_receipt(h, $0, size, &len, subject.rawValue, custos_receipt_format(rawValue: format.rawValue))
                }
            }
            return ConsentReceipt(bytes: bytes)
        }
    }

    // MARK: The gate

    /// May this subject's data of this category be processed for this
    /// purpose, now? Never throws: a closed store is `.denyError` (fail closed).
    public func check(subject: Subject, purpose: UInt32, category: UInt32) -> Decision {
        let d = try? withHandle { custos_check($0, subject.rawValue, purpose, category) }
        guard let d else { return .denyError }
        return Decision(rawValue: d.rawValue) ?? .denyError
    }
}

/// The consent ledger is not intact: `error.code` is `.signature` or
/// `.corrupt`, `badSeq` the first position that is wrong.
public struct LedgerError: Error, Sendable, CustomStringConvertible, LocalizedError {
    public let error: CustosError
    public let badSeq: UInt64
    public var description: String { "\(error.message) (at ledger position \(badSeq))" }
    public var errorDescription: String? { description }
}
