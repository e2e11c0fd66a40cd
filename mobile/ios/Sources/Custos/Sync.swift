import CCustos
import Foundation

/// One consent change carried from the companion app to a device.
public struct ConsentChange: Sendable, Hashable, Codable {
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
public struct CompactConsentState: Sendable, Hashable, Codable {
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
public struct StateReport: Sendable, Hashable, Codable {
    /// The reporting device's 16-byte id.
    public let deviceId: Data
    public let counter: UInt32
    public let states: [CompactConsentState]
}

/// A verified ManifestOffer: a new manifest and the purposes that need consent again.
public struct ManifestOffer: Sendable, Hashable, Codable {
    /// The offered manifest's id (`CompiledManifest.id`).
    public let manifestId: Data
    public let policyVersion: UInt32
    public let reconsent: [UInt32]
}

extension Custos {
    /// The longest signed message a peer accepts.
    public static var maxSyncMessage: Int { custos_sync_max_message() }

    /// Registers a peer's Ed25519 key: the companion app's on a device
    /// (no `deviceId`), the device's (with its 16-byte id) in an app's store.
    /// Keys are 32 bytes; another length throws `.invalidArgument`.
    public func pair(peerPublicKey: some DataProtocol) throws {
        try pair(peerPublicKey, deviceId: Data?.none)
    }

    public func pair(peerPublicKey: some DataProtocol, deviceId: some DataProtocol) throws {
        try pair(peerPublicKey, deviceId: deviceId)
    }

    private func pair<K: DataProtocol, I: DataProtocol>(_ peerPublicKey: K, deviceId: I?) throws {
        try withHandle { h in
            let rc = try withFixedBytes(peerPublicKey, count: custos_public_key_bytes(), "peerPublicKey") { pk in
                try withFixedBytes(deviceId, count: custos_device_id_bytes(), "deviceId") { custos_pair(h, pk, $0) }
            }
            try checkCall(rc, h)
        }
    }

    public func unpair(peerPublicKey: some DataProtocol) throws {
        try withHandle { h in
            let rc = try withFixedBytes(peerPublicKey, count: custos_public_key_bytes(), "peerPublicKey") {
                custos_unpair(h, $0)
            }
            try checkCall(rc, h)
        }
    }

    /// A signed ConsentUpdate for the paired device `deviceId` (16 bytes), with the next counter.
    public func encodeConsentUpdate(for deviceId: some DataProtocol, changes: [ConsentChange]) throws -> Data {
        let c = changes.map {
            custos_consent_change(subject: $0.subject.rawValue, purpose: $0.purpose,
                                  status: custos_consent_status(rawValue: $0.status.rawValue),
                                  valid_until: $0.validUntil.map { UInt64($0.timeIntervalSince1970) } ?? 0)
        }
        return try withHandle { h in
            try withFixedBytes(deviceId, count: custos_device_id_bytes(), "deviceId") { id in
                try fetchBytes(initial: custos_sync_max_message(), h) { out, size, len in
                    custos_sync_encode_update(h, out, size, &len, id, c, c.count)
                }
            }
        }
    }

    /// Verifies and applies a ConsentUpdate from the paired app, all or
    /// nothing; returns the number of events recorded. Throws `.signature`
    /// (unpaired or bad signature), `.replay` (counter not above the last
    /// applied), `.corrupt`, ...
    @discardableResult
    public func applyConsentUpdate(_ message: some DataProtocol) throws -> Int {
        try withHandle { h in
            var applied = 0
            try checkCall(withBytes(message) { custos_sync_apply_update(h, &applied, $0, $1) }, h)
            return applied
        }
    }

    /// This store's consent state of every subject, signed.
    public func encodeStateReport() throws -> Data {
        try withHandle { h in
            try fetchBytes(initial: custos_sync_max_message(), h) { out, size, len in
                custos_sync_encode_state_report(h, out, size, &len)
            }
        }
    }

    /// Verifies a state report signed by a paired device and decodes it.
    public func decodeStateReport(_ message: some DataProtocol) throws -> StateReport {
        try withHandle { h in
            let max = custos_sync_max_states()
            var states = [custos_compact_state](repeating: custos_compact_state(), count: max)
            var n = 0
            var deviceId = [UInt8](repeating: 0, count: custos_device_id_bytes())
            var counter: UInt32 = 0
            try checkCall(withBytes(message) {
                custos_sync_decode_state_report(h, &states, max, &n, &deviceId, &counter, $0, $1)
            }, h)
            return StateReport(deviceId: Data(deviceId), counter: counter, states: states[0..<n].map {
                CompactConsentState(subject: Subject(rawValue: $0.subject), given: $0.given, decided: $0.decided,
                                    policyVersion: $0.policy_version, counter: $0.counter)
            })
        }
    }

    /// A signed ManifestOffer for the loaded manifest, naming the purposes that need consent again.
    public func encodeManifestOffer(reconsent: [UInt32]) throws -> Data {
        try withHandle { h in
            try fetchBytes(initial: custos_sync_max_message(), h) { out, size, len in
                custos_sync_encode_manifest_offer(h, out, size, &len, reconsent, reconsent.count)
            }
        }
    }

    /// Verifies (paired signer) and decodes a ManifestOffer.
    public func decodeManifestOffer(_ message: some DataProtocol) throws -> ManifestOffer {
        try withHandle { h in
            var id = [UInt8](repeating: 0, count: custos_hash_bytes())
            var version: UInt32 = 0
            var purposes = [UInt32](repeating: 0, count: 64)
            var n = 0
            try checkCall(withBytes(message) {
                custos_sync_decode_manifest_offer(h, &id, &version, &purposes, purposes.count, &n, $0, $1)
            }, h)
            return ManifestOffer(manifestId: Data(id), policyVersion: version, reconsent: Array(purposes[0..<n]))
        }
    }
}
