import CCustos
import Foundation

// Sealed streams (vault.h, custos_vault_stream_*): one vault record of any
// size, written and read in pieces with constant memory (a video clip).
//
// Lifetimes: a C stream handle belongs to the custos_t it came from and
// must be closed before it, so every open writer and reader is registered
// with its store (`Custos.openStreams`); `close()` and `factoryReset()`
// close them first, under the store's write lock (a writer not finished is
// then discarded). The stream's own calls run under the store's read lock,
// like every other call, and under the stream's lock: the core wants one
// thread at a time per stream, and the lock gives that to a type that is
// `Sendable`. Lock order: the stream's lock, then the store's.

/// The C handle of one open writer or reader. `pointer` is read and written
/// under the store's lock: by the stream with the read side (and its own
/// lock held), by the store with the write side.
final class StreamSlot: @unchecked Sendable {
    var pointer: OpaquePointer?

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }
}

/// The streams a store must close before its handle goes.
final class StreamRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var open: [ObjectIdentifier: StreamSlot] = [:]

    func add(_ slot: StreamSlot) {
        lock.lock()
        open[ObjectIdentifier(slot)] = slot
        lock.unlock()
    }

    func remove(_ slot: StreamSlot) {
        lock.lock()
        open[ObjectIdentifier(slot)] = nil
        lock.unlock()
    }

    /// Closes every stream still open; the caller holds the store's write lock.
    func closeAll() {
        lock.lock()
        let slots = Array(open.values)
        open.removeAll()
        lock.unlock()
        for slot in slots {
            custos_vault_stream_close(slot.pointer)
            slot.pointer = nil
        }
    }
}

extension Custos {
    /// Begins writing a sealed stream for (subject, purpose, category): one
    /// record of any size (beyond `maxPayloadSize`), sealed in chunks as it
    /// is written under the same key as the subject's other records of the
    /// purpose, in a file the store owns. The gate is asked now, before any
    /// byte is accepted (a denial throws `.denied` and nothing is written),
    /// and again by `finish()`, which stores the record and returns its id.
    /// A writer closed or released without `finish()` stores nothing. The
    /// record is then like any other: listed by `records(of:)`, expired with
    /// its purpose's retention, erased with its subject or purpose.
    public func createStream(subject: Subject, purpose: UInt32, category: UInt32) throws -> VaultStreamWriter {
        let slot = try registerStream { h in
            var s: OpaquePointer?
            try checkCall(custos_vault_stream_create(h, &s, subject.rawValue, purpose, category), h)
            return s!
        }
        return VaultStreamWriter(store: self, slot: slot)
    }

    /// Opens a sealed stream record for reading; `info` says what the vault
    /// knows about it (`info.size` is the stream's length). Throws
    /// `.notFound`, `.key` (its key was destroyed: erased), `.invalidState`
    /// (the record is not a stream: use `get`) or `.corrupt`.
    public func openStream(id: RecordID) throws -> VaultStreamReader {
        var info = custos_vault_info()
        let slot = try registerStream { h in
            var s: OpaquePointer?
            try checkCall(custos_vault_stream_open(h, &s, &info, id), h)
            return s!
        }
        return VaultStreamReader(store: self, slot: slot, info: VaultRecordInfo(info))
    }

    /// Opens a C stream under the read lock and registers it.
    private func registerStream(_ open: (OpaquePointer) throws -> OpaquePointer) throws -> StreamSlot {
        try withHandle { h in
            let slot = StreamSlot(try open(h))
            openStreams.add(slot)
            return slot
        }
    }

    /// Runs `body` with the store's and the stream's handles under the read
    /// lock; the caller holds the stream's lock.
    func withStream<R>(_ slot: StreamSlot, _ body: (OpaquePointer, OpaquePointer) throws -> R) throws -> R {
        try withHandle { h in
            guard let s = slot.pointer else {
                throw CustosError(.invalidState, detail: "this vault stream was closed when its store was reset")
            }
            return try body(h, s)
        }
    }

    /// A stream the core freed (finish): forget it. The caller holds the read lock.
    func forgetStream(_ slot: StreamSlot) {
        slot.pointer = nil
        openStreams.remove(slot)
    }

    /// Frees a stream (discarding one not finished); harmless if the store
    /// already closed it.
    func closeStream(_ slot: StreamSlot) {
        _ = try? withHandle { _ in
            if let p = slot.pointer {
                slot.pointer = nil
                custos_vault_stream_close(p)
            }
            openStreams.remove(slot)
        }
    }
}

/// A sealed stream being written: from `Custos.createStream(subject:purpose:category:)`.
///
/// Nothing is stored until `finish()`, which returns the record id; `close()`
/// (or releasing the writer) without `finish()` discards it: nothing is
/// stored and its file is removed. Each write hands the bytes to the core,
/// which seals them in chunks; nothing is buffered in Swift.
///
/// After `finish()` or `close()` every write throws `.invalidState`. A write
/// the core refused (`.diskFull`, `.key` if the subject was erased
/// meanwhile, ...) leaves the writer unusable: later writes and `finish()`
/// throw `.invalidState`, and `close()` discards it. Closing the store
/// discards a writer still open (its calls then throw `.closed`), and so does
/// `factoryReset()`.
///
/// `Sendable`: calls from several tasks are serialised by a lock (the core
/// takes one thread at a time per stream); bytes from concurrent writers
/// would interleave in no useful order, so write from one task.
public final class VaultStreamWriter: @unchecked Sendable {
    private enum State {
        case open, finished, closed
        case failed(CustosError)
    }

    private let store: Custos
    private let slot: StreamSlot
    private let lock = NSLock()
    private var state = State.open // guarded by lock

    /// The size of the pieces `write(contentsOf:)` hands to the core.
    static let chunkSize = 64 * 1024

    init(store: Custos, slot: StreamSlot) {
        self.store = store
        self.slot = slot
    }

    deinit {
        close()
    }

    /// Appends `bytes` (`Data`, `[UInt8]`, a slice, `UnsafeRawBufferPointer`, ...).
    public func write(_ bytes: some DataProtocol) throws {
        try withBytes(bytes) { p, n in try append(p, n) }
    }

    /// Appends the bytes of `bytes`, borrowed in place (no copy in Swift).
    public func write(_ bytes: SecureBytes) throws {
        try bytes.withUnsafeBytes { try append($0.baseAddress, $0.count) }
    }

    /// Appends every byte of a sequence, in pieces of 64 KiB through a
    /// buffer that is wiped afterwards (a contiguous one is borrowed in place).
    public func write(contentsOf bytes: some Sequence<UInt8>) throws {
        if try bytes.withContiguousStorageIfAvailable({ try append($0.baseAddress, $0.count) }) != nil {
            return
        }
        let chunk = SecureBytes(zeroed: VaultStreamWriter.chunkSize)
        try chunk.withUnsafeMutableBytes { buf in
            var n = 0
            for b in bytes {
                buf[n] = b
                n += 1
                if n == buf.count {
                    try append(buf.baseAddress, n)
                    n = 0
                }
            }
            if n > 0 {
                try append(buf.baseAddress, n)
            }
        }
    }

    private func append(_ p: UnsafeRawPointer?, _ n: Int) throws {
        lock.lock()
        defer { lock.unlock() }
        try ensureWritable("write to")
        guard n > 0 else { return }
        try store.withStream(slot) { h, s in
            let rc = custos_vault_stream_write(s, p, n)
            if rc != 0 {
                let e = CustosError(rawCode: rc, detail: String(cString: custos_errmsg(h)))
                state = .failed(e)
                throw e
            }
        }
    }

    /// Seals the last chunk, makes the stream durable and stores the record;
    /// returns its id. The gate is asked again: a purpose withdrawn while the
    /// stream was written throws `.denied` and stores nothing. Whatever the
    /// result, the writer is then finished (`close()` does nothing more).
    /// Throws `.invalidState` if it was already finished or closed, or an
    /// earlier write failed (nothing is stored: close it).
    public func finish() throws -> RecordID {
        lock.lock()
        defer { lock.unlock() }
        try ensureWritable("finish")
        state = .finished
        return try store.withStream(slot) { h, s in
            store.forgetStream(slot) // the core frees it whatever the result
            var id: custos_record_id = 0
            try checkCall(custos_vault_stream_finish(s, &id), h)
            return id
        }
    }

    /// Discards the stream unless it was finished; harmless twice. Called by `deinit`.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        switch state {
        case .finished, .closed:
            return
        case .open, .failed:
            state = .closed
            store.closeStream(slot)
        }
    }

    private func ensureWritable(_ what: String) throws {
        switch state {
        case .open:
            return
        case .finished:
            throw CustosError(.invalidState, detail: "cannot \(what) a vault stream after finish()")
        case .closed:
            throw CustosError(.invalidState, detail: "cannot \(what) a vault stream after close()")
        case .failed(let e):
            throw CustosError(.invalidState,
                              detail: "cannot \(what) a vault stream after a failed write (\(e.message))")
        }
    }
}

/// A sealed stream being read: from `Custos.openStream(id:)`.
///
/// Every byte it returns has been authenticated, and it ends (an empty
/// `Data` from `read(upTo:)`, the end of a `for try await` loop) only once
/// the stream's final chunk has authenticated: a truncated, reordered or
/// altered stream throws `.corrupt`, never a short end. Once the stream's
/// key is destroyed (its subject or purpose erased) the next read throws
/// `.key`. A read that failed leaves the reader failed: every later read
/// throws the same error.
///
/// ```swift
/// let reader = try store.openStream(id: clip)
/// for try await chunk in reader { player.enqueue(chunk) }   // Data, up to 64 KiB each
/// ```
///
/// `close()` (or releasing the reader) frees it; closing the store or
/// `factoryReset()` closes it too. `Sendable`: calls from several tasks are
/// serialised by a lock, each getting the next bytes.
public final class VaultStreamReader: AsyncSequence, @unchecked Sendable {
    public typealias Element = Data

    private enum State {
        case open, ended, closed
        case failed(CustosError)
    }

    /// What the vault knows about the record; `info.size` is the stream's
    /// length and `info.isStreamed` is true.
    public let info: VaultRecordInfo

    private let store: Custos
    private let slot: StreamSlot
    private let lock = NSLock()
    private var state = State.open // guarded by lock
    private var delivered = 0      // guarded by lock

    /// The size of the chunks `for try await` yields.
    public static let chunkSize = 64 * 1024

    init(store: Custos, slot: StreamSlot, info: VaultRecordInfo) {
        self.store = store
        self.slot = slot
        self.info = info
    }

    deinit {
        close()
    }

    /// The next bytes of the stream, at most `count` (at least 1); fewer
    /// only when the stream has fewer left. An empty `Data` only at the
    /// authenticated end (and on every call after it).
    public func read(upTo count: Int) throws -> Data {
        guard count > 0 else {
            throw CustosError(.invalidArgument, detail: "read(upTo:) needs a count of at least 1, not \(count)")
        }
        lock.lock()
        defer { lock.unlock() }
        // As many bytes as the stream still holds by its length (1 to see the end).
        let capacity = Swift.max(1, Swift.min(count, info.size - delivered))
        var out = Data(count: capacity)
        let n = try out.withUnsafeMutableBytes { try fill($0.baseAddress!, capacity) }
        out.count = n
        return out
    }

    /// Reads into `buffer` (not empty) and returns how many bytes it
    /// filled: all of it, fewer only when the stream has fewer left; 0 only
    /// at the authenticated end.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else {
            throw CustosError(.invalidArgument, detail: "read(into:) needs a buffer of at least 1 byte")
        }
        lock.lock()
        defer { lock.unlock() }
        return try fill(base, buffer.count)
    }

    /// Fills p[0..<capacity] until full or at the end; the caller holds the lock.
    private func fill(_ p: UnsafeMutableRawPointer, _ capacity: Int) throws -> Int {
        switch state {
        case .open:
            break
        case .ended:
            return 0
        case .closed:
            throw CustosError(.invalidState, detail: "cannot read a vault stream after close()")
        case .failed(let e):
            throw e
        }
        let buf = p.assumingMemoryBound(to: UInt8.self)
        var got = 0
        do {
            try store.withStream(slot) { h, s in
                while got < capacity {
                    var n = 0
                    let rc = custos_vault_stream_read(s, buf + got, capacity - got, &n)
                    if rc != 0 {
                        let e = CustosError(rawCode: rc, detail: String(cString: custos_errmsg(h)))
                        state = .failed(e)
                        throw e
                    }
                    if n == 0 {
                        state = .ended
                        break
                    }
                    got += n
                }
            }
        } catch {
            custos_wipe(p, got) // nothing of a failed read is delivered
            throw error
        }
        delivered += got
        return got
    }

    /// Frees the stream; harmless twice. Called by `deinit`.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        if case .closed = state { return }
        state = .closed
        store.closeStream(slot)
    }

    /// Yields the stream in chunks of up to `chunkSize` bytes, and ends at the
    /// authenticated end; throws what `read(upTo:)` throws.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let reader: VaultStreamReader

        public mutating func next() async throws -> Data? {
            let chunk = try reader.read(upTo: VaultStreamReader.chunkSize)
            return chunk.isEmpty ? nil : chunk
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(reader: self)
    }
}
