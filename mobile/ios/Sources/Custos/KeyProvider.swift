import CCustos
import Foundation

/// Holds a store's key-encryption keys (KEKs), its Ed25519 device signing
/// key and its index key, so that none of them is in the store's directory.
/// On iOS, implement it over the Keychain (see README.md); the store asks it
/// to wrap, unwrap and sign and never sees a KEK.
///
/// The methods are called from whichever thread is using the store (the
/// store serialises its writers, but reads such as `get` may unwrap in
/// parallel), hence `Sendable`. Throw from any of them to fail the call: a
/// thrown `CustosError` passes its code to the core unchanged; any other
/// error becomes `CUSTOS_EKEY` ("a key is missing, wrong or could not be
/// used"), which the caller then sees as `CustosError.Code.key`. Bytes
/// cross as `Data` both ways (CryptoKit takes and gives `Data`); secrets as
/// `SecureBytes`.
public protocol KeyProvider: AnyObject, Sendable {
    /// Opens the keys for the store in `directory`, creating them (a first
    /// KEK generation, a signing key, an index key) if `create` and there
    /// are none. Throw if there are none and `create` is false.
    func open(directory: String, create: Bool) throws
    /// The store is closed: drop any key material held in memory.
    func close()
    /// The newest live KEK generation.
    func currentKEKGeneration() throws -> UInt32
    /// Creates the next KEK generation and returns its number.
    func createKEK() throws -> UInt32
    /// Destroys one KEK generation (never the last one: throw `.invalidState`).
    func destroyKEK(generation: UInt32) throws
    /// Encrypts a data key under KEK `generation`, bound to `associatedData`.
    /// The result is at most `key.count + 40` bytes (CUSTOS_WRAP_OVERHEAD).
    func wrap(_ key: SecureBytes, generation: UInt32, associatedData: Data) throws -> Data
    /// Opens what `wrap` produced; throw if it does not authenticate.
    func unwrap(_ wrapped: Data, generation: UInt32, associatedData: Data) throws -> SecureBytes
    /// An Ed25519 signature (64 bytes) of `message` by the device key.
    func sign(_ message: Data) throws -> Data
    /// The device's Ed25519 public key (32 bytes).
    func publicKey() throws -> Data
    /// The 32-byte secret for keyed hashes of subject ids.
    func indexKey() throws -> SecureBytes
    /// Destroys every key (factory reset). The next `open(create: true)` makes fresh ones.
    func destroyAll() throws
    /// True if the keys live in hardware (Secure Enclave, TEE).
    var isHardwareBacked: Bool { get }

    /// True if this provider keeps the store's anchor (`storeAnchor`,
    /// `loadAnchor`) somewhere the store's directory cannot take back; then
    /// opening a directory restored whole from an older copy throws
    /// `.corrupt`. Read once, when the store opens. The default, false,
    /// leaves the anchor in `<store>/anchor` (store.h, `anchor_store`).
    var keepsAnchor: Bool { get }
    /// Replaces the kept anchor (at most 128 bytes) with `anchor`, atomically:
    /// after a crash, `loadAnchor` returns the old value or the new one.
    /// Called after each commit that grows the consent ledger or the audit
    /// chain, and only if `keepsAnchor`.
    func storeAnchor(_ anchor: Data) throws
    /// The anchor last stored, or nil if none was (a new store, or one
    /// anchored in its file until now: the core then moves it here).
    /// Called when the store opens, and only if `keepsAnchor`.
    func loadAnchor() throws -> Data?
}

/// The anchor calls are optional: a provider that does not implement them
/// does not keep the anchor, and the core keeps it in the store's directory.
/// Implement them in the class that declares the conformance: Swift does not
/// see a subclass's `keepsAnchor` through the protocol when the conforming
/// superclass uses these defaults.
extension KeyProvider {
    public var keepsAnchor: Bool { false }

    public func storeAnchor(_ anchor: Data) throws {
        throw CustosError(.invalidState, detail: "this key provider does not keep the store's anchor")
    }

    public func loadAnchor() throws -> Data? { nil }
}

/// The C `custos_key_provider` struct whose callbacks call a Swift
/// `KeyProvider`. Its `state` is an `Unmanaged` pointer to this object,
/// retained from creation until `release()` (after the store is closed), so
/// the provider outlives every callback the core can make.
final class KeyProviderBridge {
    let provider: any KeyProvider
    let cProvider: UnsafeMutablePointer<custos_key_provider>
    private var retained = true

    init(_ provider: any KeyProvider) {
        self.provider = provider
        cProvider = .allocate(capacity: 1)
        cProvider.initialize(to: custos_key_provider())
        cProvider.pointee.state = Unmanaged.passRetained(self).toOpaque()
        Self.installCallbacks(cProvider)
        // Version 2 added the anchor calls; a version-1 provider is one
        // whose anchor is the file in the store's directory.
        cProvider.pointee.version = 1
        if provider.keepsAnchor {
            cProvider.pointee.version = 2
            Self.installAnchorCallbacks(cProvider)
        }
    }

    /// Drops the retain taken for the C side. Called once the store is closed.
    func release() {
        guard retained else { return }
        retained = false
        cProvider.pointee.state = nil
        cProvider.deinitialize(count: 1)
        cProvider.deallocate()
        Unmanaged.passUnretained(self).release()
    }

    private static func installCallbacks(_ p: UnsafeMutablePointer<custos_key_provider>) {

        p.pointee.open = { state, dir, create in
            bridgeCall { try from(state).open(directory: String(cString: dir!), create: create != 0) }
        }
        p.pointee.close = { state in from(state).close() }
        p.pointee.kek_current = { state, out in
            bridgeCall { out!.pointee = try from(state).currentKEKGeneration() }
        }
        p.pointee.kek_create = { state, out in
            bridgeCall { out!.pointee = try from(state).createKEK() }
        }
        p.pointee.kek_destroy = { state, gen in
            bridgeCall { try from(state).destroyKEK(generation: gen) }
        }
        p.pointee.wrap = { state, gen, out, size, outLen, key, keyLen, ad, adLen in
            bridgeCall {
                let k = SecureBytes(UnsafeBufferPointer(start: key, count: keyLen))
                let wrapped = try from(state).wrap(k, generation: gen, associatedData: data(ad, adLen))
                try wrapped.withUnsafeBytes { try copyOut($0, out, size, outLen) }
            }
        }
        p.pointee.unwrap = { state, gen, out, size, outLen, wrapped, wrappedLen, ad, adLen in
            bridgeCall {
                let key = try from(state).unwrap(data(wrapped, wrappedLen), generation: gen,
                                                 associatedData: data(ad, adLen))
                try key.withUnsafeBytes { try copyOut($0, out, size, outLen) }
            }
        }
        p.pointee.sign = { state, sig, msg, len in
            bridgeCall {
                let s = try from(state).sign(data(msg, len))
                guard s.count == 64 else { throw CustosError(rawCode: Int32(CUSTOS_EKEY), detail: nil) }
                s.withUnsafeBytes { UnsafeMutableRawPointer(sig!).copyMemory(from: $0.baseAddress!, byteCount: 64) }
            }
        }
        p.pointee.public_key = { state, pk in
            bridgeCall {
                let k = try from(state).publicKey()
                guard k.count == 32 else { throw CustosError(rawCode: Int32(CUSTOS_EKEY), detail: nil) }
                k.withUnsafeBytes { UnsafeMutableRawPointer(pk!).copyMemory(from: $0.baseAddress!, byteCount: 32) }
            }
        }
        p.pointee.index_key = { state, key in
            bridgeCall {
                let k = try from(state).indexKey()
                guard k.count == 32 else { throw CustosError(rawCode: Int32(CUSTOS_EKEY), detail: nil) }
                k.withUnsafeBytes { UnsafeMutableRawPointer(key!).copyMemory(from: $0.baseAddress!, byteCount: 32) }
            }
        }
        p.pointee.destroy_all = { state in bridgeCall { try from(state).destroyAll() } }
        p.pointee.hardware_backed = { state in from(state).isHardwareBacked ? 1 : 0 }
    }

    private static func installAnchorCallbacks(_ p: UnsafeMutablePointer<custos_key_provider>) {
        p.pointee.anchor_store = { state, anchor, len in
            bridgeCall { try from(state).storeAnchor(data(anchor, len)) }
        }
        p.pointee.anchor_load = { state, out, size, outLen in
            bridgeCall {
                guard let anchor = try from(state).loadAnchor() else {
                    throw CustosError(rawCode: Int32(CUSTOS_ENOTFOUND), detail: nil)
                }
                try anchor.withUnsafeBytes { try copyOut($0, out, size, outLen) }
            }
        }
    }
}

/// The bytes of a C input as `Data` (a null pointer is no bytes).
fileprivate func data(_ p: UnsafePointer<UInt8>?, _ n: Int) -> Data {
    guard let p, n > 0 else { return Data() }
    return Data(bytes: p, count: n)
}

fileprivate func from(_ state: UnsafeMutableRawPointer?) -> any KeyProvider {
    Unmanaged<KeyProviderBridge>.fromOpaque(state!).takeUnretainedValue().provider
}

/// Runs `body`, mapping a thrown error to a C code.
fileprivate func bridgeCall(_ body: () throws -> Void) -> Int32 {
    do {
        try body()
        return 0
    } catch let e as CustosError where e.rawCode < 0 && e.rawCode > Int32(CUSTOS_E__LAST) {
        return e.rawCode
    } catch {
        return Int32(CUSTOS_EKEY)
    }
}

/// Copies `bytes` into a C output buffer, or reports the size needed.
fileprivate func copyOut(_ bytes: UnsafeRawBufferPointer, _ out: UnsafeMutablePointer<UInt8>?, _ size: Int,
                    _ outLen: UnsafeMutablePointer<Int>?) throws {
    outLen?.pointee = bytes.count
    guard bytes.count <= size, let out else { throw CustosError(rawCode: Int32(CUSTOS_ERANGE), detail: nil) }
    guard let base = bytes.baseAddress else { return } // no bytes (an empty Data may have no address)
    UnsafeMutableRawPointer(out).copyMemory(from: base, byteCount: bytes.count)
}
