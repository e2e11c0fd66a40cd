import CCustos
import Foundation

/// An open Custos store.
///
/// Why `Custos` is `Sendable` although it holds a raw C pointer: the C
/// handle is itself thread-safe (store.h: writers are serialised inside the
/// library, the gate reads an immutable snapshot without a lock), so the
/// only thing Swift must add is lifetime safety. Every call borrows the
/// handle under the read side of a `pthread_rwlock_t`; `close()` and
/// `factoryReset()` take the write side, so the handle is never freed or
/// replaced while a call is using it. Calls therefore run in parallel with
/// each other and never with a close. Every call after `close()` throws
/// `CustosError` with code `.closed`. The store is closed in `deinit` if you
/// never call `close()`.
public final class Custos: @unchecked Sendable {
    private var handle: OpaquePointer?
    /// Heap-allocated: a pthread lock must not move, and Swift does not
    /// promise a stable address for `&storedProperty`.
    private let lock: UnsafeMutablePointer<pthread_rwlock_t> = {
        let p = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
        p.initialize(to: pthread_rwlock_t())
        pthread_rwlock_init(p, nil)
        return p
    }()
    /// The Swift key provider bridged to C, kept alive for the store's lifetime.
    private var bridge: KeyProviderBridge?
    /// A C key provider this object created (the passphrase provider), freed after close.
    private var ownedProvider: UnsafeMutablePointer<custos_key_provider>?
    /// The streams of `consentChanges()`.
    let consentBroadcaster = ConsentBroadcaster()
    /// The vault streams still open (`VaultStreamWriter`, `VaultStreamReader`):
    /// closed before the handle is closed or replaced, since a C stream
    /// handle must not outlive its `custos_t`.
    let openStreams = StreamRegistry()

    /// Opens (creating if `create`) the store in directory `path`, with its
    /// keys in the store's own key file (the core's file key provider).
    public convenience init(path: String, create: Bool = true) throws {
        try self.init(path: path, create: create, bridge: nil)
    }

    /// Opens (creating if `create`) the store in directory `path`, with its
    /// keys held by `keyProvider` (the Keychain on iOS). The provider is
    /// retained until the store is closed.
    public convenience init(path: String, create: Bool = true, keyProvider: any KeyProvider) throws {
        try self.init(path: path, create: create, bridge: KeyProviderBridge(keyProvider))
    }

    /// Opens (creating if `create`) the store in directory `path`, with its
    /// key file sealed under a key derived from `passphrase` (Argon2id). A
    /// wrong passphrase throws `.key`. The core copies the passphrase into
    /// guarded memory; `passphrase` may be released at once.
    public convenience init(path: String, create: Bool = true, passphrase: SecureBytes) throws {
        var kp: UnsafeMutablePointer<custos_key_provider>?
        let rc = passphrase.withUnsafeBytes {
            custos_key_provider_passphrase(&kp, $0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count)
        }
        try checkCall(rc, nil)
        try self.init(path: path, create: create, bridge: nil, owned: kp)
    }

    private init(path: String, create: Bool, bridge: KeyProviderBridge?,
                 owned: UnsafeMutablePointer<custos_key_provider>? = nil) throws {
        var opts = custos_open_options()
        opts.version = UInt32(CUSTOS_OPEN_OPTIONS_VERSION)
        opts.flags = create ? UInt32(CUSTOS_OPEN_CREATE) : 0
        opts.key_provider = bridge?.cProvider ?? owned
        var h: OpaquePointer?
        let rc = custos_open(&h, path, &opts)
        guard rc == 0, let h else {
            // Swift runs deinit for a class whose init throws once every
            // property is set: it destroys the lock, and finds no handle to close.
            bridge?.release()
            custos_key_provider_free(owned)
            throw CustosError(rawCode: rc, detail: String(cString: custos_last_error()))
        }
        handle = h
        self.bridge = bridge
        self.ownedProvider = owned
    }

    deinit {
        close()
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    /// Closes the store and wipes its secrets. Calling it twice is harmless.
    public func close() {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        if let h = handle {
            openStreams.closeAll()
            custos_close(h)
            handle = nil
        }
        releaseBridge()
        consentBroadcaster.finish()
    }

    public var isClosed: Bool {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return handle == nil
    }

    /// The library version, "MAJOR.MINOR.PATCH".
    public static var version: String { String(cString: custos_version()) }

    /// The store's directory.
    public func directory() throws -> String {
        try withHandle { String(cString: custos_store_dir($0)) }
    }

    /// This device's Ed25519 public key: verifies its receipts, events and audit checkpoints.
    public func devicePublicKey() throws -> Data {
        try withHandle { h in
            var pk = Data(count: custos_public_key_bytes())
            try checkCall(pk.withUnsafeMutableBytes { custos_device_public_key(h, $0.bindMemory(to: UInt8.self).baseAddress) }, h)
            return pk
        }
    }

    /// This device's 16-byte id.
    public func deviceId() throws -> Data {
        try withHandle { h in
            var id = Data(count: custos_device_id_bytes())
            try checkCall(id.withUnsafeMutableBytes { custos_device_id(h, $0.bindMemory(to: UInt8.self).baseAddress) }, h)
            return id
        }
    }

    /// Runs `body` with the open handle; the handle stays valid until `body` returns.
    func withHandle<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        guard let h = handle else { throw CustosError.closed }
        return try body(h)
    }

    /// Runs `body` with exclusive access to the handle slot, for the calls
    /// that replace the handle (factory reset). A nil handle after `body`
    /// means the core closed it.
    func withExclusiveHandle<R>(_ body: (inout OpaquePointer?) throws -> R) throws -> R {
        pthread_rwlock_wrlock(lock)
        defer {
            if handle == nil { releaseBridge() }
            pthread_rwlock_unlock(lock)
        }
        guard handle != nil else { throw CustosError.closed }
        openStreams.closeAll() // they belong to the handle being replaced
        return try body(&handle)
    }

    /// Called with the write lock held once the C handle is gone.
    private func releaseBridge() {
        bridge?.release()
        bridge = nil
        custos_key_provider_free(ownedProvider)
        ownedProvider = nil
    }
}

/// Throws the `CustosError` for `rc` (with the handle's detail) unless it is 0.
func checkCall(_ rc: Int32, _ h: OpaquePointer?) throws {
    guard rc == 0 else {
        let detail = h.map { String(cString: custos_errmsg($0)) }
        throw CustosError(rawCode: rc, detail: detail)
    }
}

/// Throws for a failed call that takes no handle (a verifier), with the
/// detail the core kept for this thread (`custos_last_error`).
func checkNoHandle(_ rc: Int32) throws {
    guard rc == 0 else {
        throw CustosError(rawCode: rc, detail: String(cString: custos_last_error()))
    }
}

/// Calls a C function that fills a caller-owned buffer and answers
/// CUSTOS_ERANGE with the size needed: tries `initial` bytes, then the size
/// the core asked for. The result is a fresh `Data` (index 0 first).
func fetchBytes(initial: Int, _ h: OpaquePointer?,
                _ call: (UnsafeMutablePointer<UInt8>, Int, inout Int) -> Int32) throws -> Data {
    var size = max(initial, 1)
    for _ in 0..<3 {
        var buf = [UInt8](repeating: 0, count: size)
        var len = 0
        let rc = buf.withUnsafeMutableBufferPointer { call($0.baseAddress!, size, &len) }
        if rc == 0 { return Data(buf[0..<len]) }
        guard rc == Int32(CUSTOS_ERANGE), len > size else { try checkCall(rc, h); break }
        size = len
    }
    throw CustosError(rawCode: Int32(CUSTOS_EINTERNAL), detail: "the size the core asked for kept changing")
}
