import Custos
import Foundation

/// A `KeyProvider` that keeps the store's anchor outside the store's
/// directory, as one over a Keychain item or a hardware monotonic counter
/// would: here, this object's memory. Its keys are an `InMemoryKeyProvider`'s,
/// which implements none of the anchor calls (the protocol's defaults).
final class AnchorKeepingProvider: KeyProvider, @unchecked Sendable {
    let keys = InMemoryKeyProvider()
    private let lock = NSLock()
    private var kept: Data?
    private(set) var stores = 0
    /// Make `loadAnchor` throw a non-Custos error, as a Keychain read that fails would.
    var failLoad = false

    private func locked<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    var keepsAnchor: Bool { true }

    func storeAnchor(_ anchor: Data) throws {
        locked {
            kept = anchor
            stores += 1
        }
    }

    func loadAnchor() throws -> Data? {
        try locked {
            if failLoad { throw InMemoryKeyProvider.Failure() }
            return kept
        }
    }

    func open(directory: String, create: Bool) throws { try keys.open(directory: directory, create: create) }
    func close() { keys.close() }
    func currentKEKGeneration() throws -> UInt32 { try keys.currentKEKGeneration() }
    func createKEK() throws -> UInt32 { try keys.createKEK() }
    func destroyKEK(generation: UInt32) throws { try keys.destroyKEK(generation: generation) }
    func wrap(_ key: SecureBytes, generation: UInt32, associatedData: Data) throws -> Data {
        try keys.wrap(key, generation: generation, associatedData: associatedData)
    }
    func unwrap(_ wrapped: Data, generation: UInt32, associatedData: Data) throws -> SecureBytes {
        try keys.unwrap(wrapped, generation: generation, associatedData: associatedData)
    }
    func sign(_ message: Data) throws -> Data { try keys.sign(message) }
    func publicKey() throws -> Data { try keys.publicKey() }
    func indexKey() throws -> SecureBytes { try keys.indexKey() }
    func destroyAll() throws { try keys.destroyAll() }
    var isHardwareBacked: Bool { false }
}
