import CCustos
import Foundation

// Bytes at the boundary. The rule of the public API: a parameter that takes
// bytes is `some DataProtocol` (Data, [UInt8], a slice of either,
// DispatchData); a property or return value that gives bytes is `Data`
// (always starting at index 0); the bytes stored in a public value type are
// `Data`, also in its initializer. Secrets are `SecureBytes`, never `Data`.
// The two functions below are the only place a byte collection becomes a C
// pointer.

/// Runs `body` with `bytes` as one contiguous buffer: Data, an array or a
/// slice of one is borrowed in place (whatever its `startIndex`), anything
/// else (DispatchData in several regions) is copied first. The pointer is
/// never nil, also for no bytes, and must not escape `body`.
func withBytes<D: DataProtocol, R>(_ bytes: D, _ body: (UnsafePointer<UInt8>, Int) throws -> R) rethrows -> R {
    if bytes.isEmpty {
        var none: UInt8 = 0
        return try withUnsafePointer(to: &none) { try body($0, 0) }
    }
    if let r = try bytes.withContiguousStorageIfAvailable({ try body($0.baseAddress!, $0.count) }) {
        return r
    }
    return try Array(bytes).withUnsafeBufferPointer { try body($0.baseAddress!, $0.count) }
}

/// `withBytes` for an argument the core reads as exactly `count` bytes and
/// takes no length for (a key, a device id, a hash): any other length throws
/// `.invalidArgument` naming `name`, instead of letting the core read past
/// the end. `bytes` nil passes a null pointer (the core's "none").
func withFixedBytes<D: DataProtocol, R>(_ bytes: D?, count: Int, _ name: String,
                                        _ body: (UnsafePointer<UInt8>?) throws -> R) throws -> R {
    guard let bytes else { return try body(nil) }
    guard bytes.count == count else {
        throw CustosError(.invalidArgument, detail: "\(name) must be \(count) bytes, not \(bytes.count)")
    }
    return try withBytes(bytes) { p, _ in try body(p) }
}

/// A copy of `bytes` as a fresh `Data` whose indices start at 0, for the
/// bytes a public value keeps (a slice of a `Data` passed in keeps its
/// `startIndex`, which would break `bytes[0]` in the caller's code).
func dataCopy<D: DataProtocol>(_ bytes: D) -> Data {
    withBytes(bytes) { Data(bytes: $0, count: $1) }
}
