import CCustos

/// Bytes that are wiped when the last reference goes away: for keys,
/// passphrases and personal data passed to Custos. Unlike `[UInt8]` and
/// `Data`, which are copy-on-write and may leave copies behind, the storage
/// here is one allocation, never copied by Swift, zeroed by the core's wipe
/// routine in `deinit`.
public final class SecureBytes: @unchecked Sendable {
    private let storage: UnsafeMutableRawBufferPointer

    public var count: Int { length }

    /// Copies `bytes` into wiped-on-release storage.
    public init<S: Collection>(_ bytes: S) where S.Element == UInt8 {
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        storage.copyBytes(from: bytes)
        self.length = bytes.count
    }

    /// `count` zero bytes, to be filled by the core.
    public init(zeroed count: Int) {
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        self.length = count
    }

    private let length: Int

    /// Borrow the bytes for the duration of `body`; the pointer must not escape.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<length]))
    }

    /// Borrow the bytes mutably for the duration of `body`.
    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(rebasing: storage[0..<length]))
    }

    /// The first byte, for C calls that must hold several buffers at once
    /// (`putMany`); valid while this object is alive.
    var baseAddress: UnsafeRawPointer { UnsafeRawPointer(storage.baseAddress!) }

    deinit {
        custos_wipe(storage.baseAddress, storage.count)
        storage.deallocate()
    }
}
