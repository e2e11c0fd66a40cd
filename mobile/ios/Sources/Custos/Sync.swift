import CCustos
import Foundation

/// One consent change carried from the companion app to a device.
public struct ConsentChange: Sendable, Equatable {
    /// The receiving store's subject number.
    public var subject: Subject
    public var purpose: UInt32
    /// `.given`, `.renewed`, `.refused`, `.withdrawn`, `.revoked` or `.requested`.
    public var status: ConsentStatus
    /// nil: the purpose's consent lifetime decides.
    public var validUntil: Date?

    public init(subject: Subject, purpose: UInt32, status: ConsentStatus, validUntil: Date? = nil) {
        self.subject = subject
        self.purpose = purpose
        self.status = status
        self.validUntil = validUntil
    }
}

/// The compact consent state of one subject, as a device reports it.
public struct CompactConsentState: Sendable, Equatable {
    public let subject: Subject
    /// Bit p: purpose p is valid for processing.
    public let given: UInt64
    /// Bit p: a decision exists for purpose p.
    public let decided: UInt64
    public let policyVersion: UInt32
    public let counter: UInt32

    public func isGiven(purpose: UInt32) -> Bool { purpose < 64 && given & (1 << UInt64(purpose)) != 0 }
    public func isDecided(purpose: UInt32) -> Bool { purpose < 64 && decided & (1 << UInt64(purpose)) != 0 }
}

/// A verified ConsentStateReport from a paired device.
public struct StateReport: Sendable, Equatable {
    public let deviceId: [UInt8]
    public let counter: UInt32
    public let states: [CompactConsentState]
}

/// A verified ManifestOffer: a new manifest and the purposes that need consent again.
public struct ManifestOffer: Sendable, Equatable {
    public let manifestId: [UInt8]
    public let policyVersion: UInt32
    public let reconsent: [UInt32]
}

extension Custos {
    /// The longest signed message a peer accepts.
    public static var maxSyncMessage: Int { custos_sync_max_message() }

    /// Registers a peer's Ed25519 key: the companion app's on a device
    /// (`deviceId` nil), the device's (with its 16-byte id) in an app's store.
    public func pair(peerPublicKey: [UInt8], deviceId: [UInt8]? = nil) throws {
        try withHandle { h in try checkCall(custos_pair(h, peerPublicKey, deviceId), h) }
    }

    public func unpair(peerPublicKey: [UInt8]) throws {
        try withHandle { h in try checkCall(custos_unpair(h, peerPublicKey), h) }
    }

    /// A signed ConsentUpdate for the paired device `deviceId`, with the next counter.
    public func encodeConsentUpdate(for deviceId: [UInt8], changes: [ConsentChange]) throws -> [UInt8] {
        let c = changes.map {
            custos_consent_change(subject: $0.subject.rawValue, purpose: $0.purpose,
                                  status: custos_consent_status(rawValue: $0.status.rawValue),
                                  valid_until: $0.validUntil.map { UInt64($0.timeIntervalSince1970) } ?? 0)
        }
        return try withHandle { h in
            try fetchBytes(initial: custos_sync_max_message(), h) { out, size, len in
                custos_sync_encode_update(h, out, size, &len, deviceId, c, c.count)
            }
        }
    }

    /// Verifies and applies a ConsentUpdate from the paired app, all or
    /// nothing; returns the number of events recorded. Throws `.signature`
    /// (unpaired or bad signature), `.replay` (counter not above the last
    /// applied), `.corrupt`, ...
    @discardableResult
    public func applyConsentUpdate(_ message: [UInt8]) throws -> Int {
        try withHandle { h in
            var applied = 0
            try checkCall(custos_sync_apply_update(h, &applied, message, message.count), h)
            return applied
        }
    }

    /// This store's consent state of every subject, signed.
    public func encodeStateReport() throws -> [UInt8] {
        try withHandle { h in
            try fetchBytes(initial: custos_sync_max_message(), h) { out, size, len in
                custos_sync_encode_state_report(h, out, size, &len)
            }
        }
    }

    /// Verifies a state report signed by a paired device and decodes it.
    public func decodeStateReport(_ message: [UInt8]) throws -> StateReport {
        try withHandle { h in
            let max = custos_sync_max_states()
            var states = [custos_compact_state](repeating: custos_compact_state(), count: max)
            var n = 0
            var deviceId = [UInt8](repeating: 0, count: custos_device_id_bytes())
            var counter: UInt32 = 0
            try checkCall(custos_sync_decode_state_report(h, &states, max, &n, &deviceId, &counter,
                                                          message, message.count), h)
            return StateReport(deviceId: deviceId, counter: counter, states: states[0..<n].map {
                CompactConsentState(subject: Subject(rawValue: $0.subject), given: $0.given, decided: $0.decided,
                                    policyVersion: $0.policy_version, counter: $0.counter)
            })
        }
    }

    /// A signed ManifestOffer for the loaded manifest, naming the purposes that need consent again.
    public func encodeManifestOffer(reconsent: [UInt32]) throws -> [UInt8] {
        try withHandle { h in
            try fetchBytes(initial: custos_sync_max_message(), h) { out, size, len in
                custos_sync_encode_manifest_offer(h, out, size, &len, reconsent, reconsent.count)
            }
        }
    }

    /// Verifies (paired signer) and decodes a ManifestOffer.
    public func decodeManifestOffer(_ message: [UInt8]) throws -> ManifestOffer {
        try withHandle { h in
            var id = [UInt8](repeating: 0, count: custos_hash_bytes())
            var version: UInt32 = 0
            var purposes = [UInt32](repeating: 0, count: 64)
            var n = 0
            try checkCall(custos_sync_decode_manifest_offer(h, &id, &version, &purposes, purposes.count, &n,
                                                            message, message.count), h)
            return ManifestOffer(manifestId: id, policyVersion: version, reconsent: Array(purposes[0..<n]))
        }
    }
}
