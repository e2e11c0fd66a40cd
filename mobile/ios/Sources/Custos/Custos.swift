import CCustos
import Foundation

/// An open Custos store.
///
/// The C handle underneath is thread-safe, so one `Custos` may be shared
/// between tasks and threads (it is `Sendable`). A read-write lock keeps
/// `close()` from freeing the handle while a call is running; every call
/// after `close()` throws `CustosError` with code `.closed`. The store is
/// closed in `deinit` if you never call `close()`.
public final class Custos: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var lock = pthread_rwlock_t()

    /// Opens (creating if `create`) the store in directory `path`.
    public init(path: String, create: Bool = true) throws {
        pthread_rwlock_init(&lock, nil)
        var opts = custos_open_options()
        opts.version = UInt32(CUSTOS_OPEN_OPTIONS_VERSION)
        opts.flags = create ? UInt32(CUSTOS_OPEN_CREATE) : 0
        var h: OpaquePointer?
        let rc = custos_open(&h, path, &opts)
        guard rc == 0, let h else {
            pthread_rwlock_destroy(&lock)
            throw CustosError(rawCode: rc, detail: String(cString: custos_last_open_error()))
        }
        handle = h
    }

    deinit {
        close()
        pthread_rwlock_destroy(&lock)
    }

    /// Closes the store and wipes its secrets. Calling it twice is harmless.
    public func close() {
        pthread_rwlock_wrlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        if let h = handle {
            custos_close(h)
            handle = nil
        }
    }

    public var isClosed: Bool {
        pthread_rwlock_rdlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        return handle == nil
    }

    /// The library version, "MAJOR.MINOR.PATCH".
    public static var version: String { String(cString: custos_version()) }

    /// This device's Ed25519 public key: verifies its receipts, events and audit checkpoints.
    public func devicePublicKey() throws -> [UInt8] {
        try withHandle { h in
            var pk = [UInt8](repeating: 0, count: custos_public_key_bytes())
            try check(custos_device_public_key(h, &pk), h)
            return pk
        }
    }

    /// This device's 16-byte id.
    public func deviceId() throws -> [UInt8] {
        try withHandle { h in
            var id = [UInt8](repeating: 0, count: custos_device_id_bytes())
            try check(custos_device_id(h, &id), h)
            return id
        }
    }

    /// Runs `body` with the open handle; the handle stays valid until `body` returns.
    func withHandle<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
        pthread_rwlock_rdlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        guard let h = handle else { throw CustosError.closed }
        return try body(h)
    }
}

/// Throws the `CustosError` for `rc` (with the handle's detail) unless it is 0.
func check(_ rc: Int32, _ h: OpaquePointer?) throws {
    guard rc == 0 else {
        let detail = h.map { String(cString: custos_errmsg($0)) }
        throw CustosError(rawCode: rc, detail: detail)
    }
}
