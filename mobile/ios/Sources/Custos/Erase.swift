import CCustos
import Foundation

/// A signed deletion receipt (erase.h): the bytes the device key signed
/// (a SignedMessage holding a DeletionReceipt) and their JSON rendering.
///
/// `Codable` as its bytes alone: decoding parses them again (and throws
/// what `init(bytes:)` throws), so a decoded receipt is never unparsed.
public struct DeletionReceipt: Sendable, Hashable, Codable {
    /// The signed bytes, as kept in the store and sent to services.
    public let bytes: Data
    /// One JSON object: scope, subject_hash, purpose, method, key ids,
    /// storage, verified, records_removed, time, signer, signature. Rendered
    /// without verifying: call `verify(publicKey:)` before trusting it.
    public let json: String

    /// Parses receipt bytes; throws `.corrupt` if they are not a receipt.
    public init(bytes: some DataProtocol) throws {
        let bytes = dataCopy(bytes)
        let text = try fetchBytes(initial: 2048, nil) { out, size, len in
            out.withMemoryRebound(to: CChar.self, capacity: size) { json in
                withBytes(bytes) { custos_receipt_json(json, size, &len, $0, $1) }
            }
        }
        self.bytes = bytes
        self.json = String(decoding: text, as: UTF8.self)
    }

    /// Verifies the signature against the device key that should have
    /// signed it (32 bytes): throws `.signature` (another key, or altered)
    /// or `.corrupt`.
    public func verify(publicKey: some DataProtocol) throws {
        let rc = try withFixedBytes(publicKey, count: custos_public_key_bytes(), "publicKey") { pk in
            withBytes(bytes) { custos_receipt_verify($0, $1, pk) }
        }
        try checkNoHandle(rc)
    }

    private enum CodingKeys: String, CodingKey { case bytes }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(bytes: try c.decode(Data.self, forKey: .bytes))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(bytes, forKey: .bytes)
    }
}

/// The steps of an erase, in order, as reported to a progress closure.
public enum EraseStep: UInt32, Sendable, CaseIterable, Codable {
    /// Data keys destroyed and the KEK rotated: from here the data is unreadable.
    case keys = 1
    /// Verification done and the rows removed.
    case rows = 2
    /// The WAL checkpointed and truncated.
    case checkpoint = 3
    /// Receipt signed and request queued.
    case receipt = 4
}

/// Called after each erase step; return false to stop. The call then throws
/// `.canceled`, and the erase is finished by the next open of the store (or
/// the next erase on it); steps already done are never undone. It runs with
/// the store's write lock held: it must not call the same store.
public typealias EraseProgress = (EraseStep) -> Bool

/// A signed EraseRequest waiting in the outbox for the app's services.
public struct EraseRequest: Sendable, Hashable, Codable {
    /// Its place in the outbox: acknowledge it with `acknowledgeEraseRequest(seq)`.
    public let seq: UInt64
    /// The SignedMessage to send.
    public let bytes: Data
}

/// What `eraseExpired()` did.
public struct ExpiredErasure: Sendable, Hashable, Codable {
    /// The records removed.
    public let removed: UInt64
    /// Signed over what was removed; nil if nothing was.
    public let receipt: DeletionReceipt?
}

extension Custos {
    /// Erases everything held about `subject` (keys first, then rows) and
    /// returns the signed receipt. Throws `.notFound` for an unknown subject.
    public func erase(subject: Subject, progress: EraseProgress? = nil) throws -> DeletionReceipt {
        try withHandle { h in
            try withEraseOptions(progress) { opts in
                try eraseCall(h) { custos_erase_subject(h, $0, $1, $2, subject.rawValue, opts) }
            }
        }
    }

    /// Erases one purpose of one subject (a withdrawal): only that key and its records.
    public func erase(subject: Subject, purpose: UInt32, progress: EraseProgress? = nil) throws -> DeletionReceipt {
        try withHandle { h in
            try withEraseOptions(progress) { opts in
                try eraseCall(h) { custos_erase_purpose(h, $0, $1, $2, subject.rawValue, purpose, opts) }
            }
        }
    }

    /// Removes every record whose retention ran out; the receipt is nil if
    /// nothing was removed.
    public func eraseExpired() throws -> ExpiredErasure {
        try withHandle { h in
            var removed: UInt64 = 0
            var buf = [UInt8](repeating: 0, count: custos_erase_receipt_max())
            var len = 0
            try checkCall(custos_erase_expired(h, &buf, buf.count, &len, &removed, nil), h)
            return ExpiredErasure(removed: removed, receipt: len == 0 ? nil : try DeletionReceipt(bytes: buf[0..<len]))
        }
    }

    /// Factory reset: destroys every key, removes every file of the store but
    /// its header, and reopens it empty with fresh keys (this object then
    /// refers to the new store). The receipt is signed by the old device key.
    /// If the reset fails after it began, the store is closed (later calls
    /// throw `.closed`) and the next open of the directory finishes it.
    public func factoryReset() throws -> DeletionReceipt {
        try withExclusiveHandle { slot in
            var buf = [UInt8](repeating: 0, count: custos_erase_receipt_max())
            var len = 0
            let rc = custos_factory_reset(&slot, &buf, buf.count, &len, nil)
            try checkCall(rc, slot)
            return try DeletionReceipt(bytes: buf[0..<len])
        }
    }

    /// Every deletion receipt kept in the store, oldest first.
    public func deletionReceipts() throws -> [DeletionReceipt] {
        try withHandle { h in
            try listSeqs(h, custos_erase_receipt_list).map { seq in
                try DeletionReceipt(bytes: getBytes(h) { custos_erase_receipt_get(h, $0, $1, $2, seq) })
            }
        }
    }

    /// The EraseRequests waiting to be sent to the app's services.
    public func pendingEraseRequests() throws -> [EraseRequest] {
        try withHandle { h in
            try listSeqs(h, custos_erase_outbox_list).map { seq in
                EraseRequest(seq: seq, bytes: try getBytes(h) { custos_erase_outbox_get(h, $0, $1, $2, seq) })
            }
        }
    }

    /// Removes an EraseRequest from the outbox once its service confirmed.
    public func acknowledgeEraseRequest(_ seq: UInt64) throws {
        try withHandle { h in try checkCall(custos_erase_outbox_ack(h, seq), h) }
    }
}

/// Runs `body` with the C erase options for `progress` (nil: no options).
private func withEraseOptions<R>(_ progress: EraseProgress?,
                                 _ body: (UnsafePointer<custos_erase_options>?) throws -> R) throws -> R {
    guard let progress else { return try body(nil) }
    return try withoutActuallyEscaping(progress) { closure in
        var boxed = closure
        return try withUnsafeMutablePointer(to: &boxed) { user in
            var opts = custos_erase_options()
            opts.version = UInt32(CUSTOS_ERASE_OPTIONS_VERSION)
            opts.progress = { user, done, _ in
                let f = user!.assumingMemoryBound(to: EraseProgress.self).pointee
                return f(EraseStep(rawValue: done.rawValue) ?? .receipt) ? 0 : 1
            }
            opts.progress_user = UnsafeMutableRawPointer(user)
            return try withUnsafePointer(to: &opts) { try body($0) }
        }
    }
}

private func eraseCall(_ h: OpaquePointer,
                       _ call: (UnsafeMutablePointer<UInt8>, Int, UnsafeMutablePointer<Int>) -> Int32) throws -> DeletionReceipt {
    var buf = [UInt8](repeating: 0, count: custos_erase_receipt_max())
    var len = 0
    let rc = buf.withUnsafeMutableBufferPointer { b in call(b.baseAddress!, b.count, &len) }
    try checkCall(rc, h)
    return try DeletionReceipt(bytes: buf[0..<len])
}

private func getBytes(_ h: OpaquePointer,
                      _ call: (UnsafeMutablePointer<UInt8>, Int, UnsafeMutablePointer<Int>) -> Int32) throws -> Data {
    try fetchBytes(initial: custos_erase_receipt_max(), h) { out, size, len in call(out, size, &len) }
}

private func listSeqs(_ h: OpaquePointer,
                      _ list: (OpaquePointer?, UnsafeMutablePointer<UInt64>?, Int, UnsafeMutablePointer<Int>?) -> Int32) throws -> [UInt64] {
    var size = 32
    while true {
        var seqs = [UInt64](repeating: 0, count: size)
        var n = 0
        try checkCall(list(h, &seqs, size, &n), h)
        if n <= size { return Array(seqs[0..<n]) }
        size = n
    }
}
