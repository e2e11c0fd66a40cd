import Custos
import Foundation
import XCTest

/// The vault's sealed streams from Swift: VaultStreamWriter and
/// VaultStreamReader round trips of any size (also as an AsyncSequence),
/// discard on close and release, the gate at create and finish, erasure,
/// corruption, and streams outliving their store.
final class VaultStreamTests: StoreTestCase {
    private var owner: Subject!

    override func setUpWithError() throws {
        try super.setUpWithError()
        owner = try store.addSubject(externalId: "owner", role: .owner)
        try store.giveConsent(subject: owner, purpose: Camera.cloudRecording)
    }

    // MARK: the test streams' bytes

    /// Byte i of every test stream is pattern[i % pattern.count]: a prime
    /// length, so pieces never line up with it, and nothing the size of a
    /// stream is held in memory.
    private static let pattern: [UInt8] = {
        var g = SystemRandomNumberGenerator()
        return (0..<65_521).map { _ in UInt8.random(in: 0...255, using: &g) }
    }()

    /// Bytes [from, from + n) of a test stream.
    private static func bytes(_ from: Int, _ n: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(n)
        var at = from % pattern.count
        while out.count < n {
            let k = min(n - out.count, pattern.count - at)
            out.append(contentsOf: pattern[at..<(at + k)])
            at = 0
        }
        return out
    }

    /// Piece lengths that straddle 64 KiB; each goes in through another overload.
    private static let pieces = [1, 13, 4096, 70_000, 1, 65_536, 200_000, 65_537]

    private func writeAll(_ w: VaultStreamWriter, _ size: Int) throws {
        var pos = 0
        var k = 0
        while pos < size {
            let n = min(Self.pieces[k % Self.pieces.count], size - pos)
            let b = Self.bytes(pos, n)
            switch k % 5 {
            case 0: try w.write(Data(b))
            case 1: try w.write(b)
            case 2: try w.write(SecureBytes(b))
            case 3: try b.withUnsafeBytes { try w.write($0) }
            default: try w.write(contentsOf: b.lazy.map { $0 }) // not contiguous: through the wiped buffer
            }
            pos += n
            k += 1
        }
    }

    /// Checks that `chunk` is bytes [pos, pos + chunk.count) of a test stream.
    private func check(_ chunk: Data, at pos: Int, file: StaticString = #filePath, line: UInt = #line) {
        let expected = Self.bytes(pos, chunk.count)
        let same = chunk.withUnsafeBytes { c in
            expected.withUnsafeBytes { e in c.count == 0 || memcmp(c.baseAddress!, e.baseAddress!, c.count) == 0 }
        }
        XCTAssertTrue(same, "bytes from \(pos) differ", file: file, line: line)
    }

    /// Reads to the end with read(upTo:) and read(into:), checking every byte;
    /// the end must come exactly after `size` bytes.
    private func readAll(_ r: VaultStreamReader, _ size: Int,
                         file: StaticString = #filePath, line: UInt = #line) throws {
        var pos = 0
        var k = 3
        var buf = [UInt8](repeating: 0, count: 300_000)
        while true {
            let want = Self.pieces[k % Self.pieces.count]
            k += 1
            let chunk: Data
            if k % 2 == 0 {
                chunk = try r.read(upTo: want)
            } else {
                let n = try buf.withUnsafeMutableBytes {
                    try r.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want]))
                }
                chunk = Data(buf[0..<n])
            }
            if chunk.isEmpty { break }
            XCTAssertLessThanOrEqual(chunk.count, want, file: file, line: line)
            check(chunk, at: pos, file: file, line: line)
            pos += chunk.count
        }
        XCTAssertEqual(pos, size, "the end came after \(pos) of \(size) bytes", file: file, line: line)
        XCTAssertEqual(try r.read(upTo: 10), Data(), file: file, line: line)
        XCTAssertEqual(try buf.withUnsafeMutableBytes { try r.read(into: $0) }, 0, file: file, line: line)
    }

    private func storeStream(_ size: Int) throws -> RecordID {
        let w = try store.createStream(subject: owner, purpose: Camera.cloudRecording, category: Camera.video)
        try writeAll(w, size)
        return try w.finish()
    }

    /// Every file under the store's streams/ (the core's <hex>.cvs of a
    /// stored stream, <hex>.part of one being written).
    private func streamFiles() -> [URL] {
        let d = dir.appendingPathComponent("streams")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: d.path)) ?? []
        return names.sorted().map { d.appendingPathComponent($0) }
    }

    /// The one stored stream's file.
    private func theStreamFile(file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        let files = streamFiles()
        XCTAssertEqual(files.count, 1, "\(files)", file: file, line: line)
        let url = try XCTUnwrap(files.first, file: file, line: line)
        XCTAssertEqual(url.pathExtension, "cvs", file: file, line: line)
        return url
    }

    private func roundTrip(_ size: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let before = Date().addingTimeInterval(-5)
        let id = try storeStream(size)
        XCTAssertGreaterThan(id, 0, file: file, line: line)
        let r = try store.openStream(id: id)
        XCTAssertEqual(r.info.id, id, file: file, line: line)
        XCTAssertTrue(r.info.isStreamed, file: file, line: line)
        XCTAssertEqual(r.info.size, size, file: file, line: line)
        XCTAssertEqual(r.info.purpose, Camera.cloudRecording, file: file, line: line)
        XCTAssertEqual(r.info.category, Camera.video, file: file, line: line)
        XCTAssertGreaterThanOrEqual(r.info.created, before, file: file, line: line)
        let expires = try XCTUnwrap(r.info.expires, "retention P30D", file: file, line: line)
        XCTAssertGreaterThan(expires, r.info.created, file: file, line: line)
        try readAll(r, size, file: file, line: line)
        r.close()
        XCTAssertEqual(try store.records(of: owner), [id], file: file, line: line)
        // A stream is a record `get` refuses (the core's CUSTOS_ESTATE).
        XCTAssertThrowsCustos(.invalidState, try store.get(id), file: file, line: line)
        XCTAssertEqual(streamFiles().count, 1, file: file, line: line)
    }

    // MARK: round trips

    func testAnEmptyStreamRoundTrips() throws {
        try roundTrip(0)
    }

    func testAOneByteStreamRoundTrips() throws {
        try roundTrip(1)
    }

    func testSeveralMegabytesRoundTrip() throws {
        try roundTrip(5 * 1024 * 1024 + 7)
    }

    func testAStreamLongerThanTheLargestRecordRoundTrips() throws {
        try roundTrip(Custos.maxPayloadSize + 100_003)
    }

    func testForTryAwaitYieldsTheChunksToTheAuthenticatedEnd() async throws {
        let size = 1024 * 1024 + 5
        let id = try storeStream(size)
        let reader = try store.openStream(id: id)
        var pos = 0
        for try await chunk in reader {
            XCTAssertFalse(chunk.isEmpty)
            XCTAssertLessThanOrEqual(chunk.count, VaultStreamReader.chunkSize)
            check(chunk, at: pos)
            pos += chunk.count
        }
        XCTAssertEqual(pos, size)
        var again = 0
        for try await _ in try store.openStream(id: try storeStream(0)) { again += 1 }
        XCTAssertEqual(again, 0)
    }

    func testARecordIsNotAStream() throws {
        let id = try store.put(SecureBytes([1, 2]), subject: owner, purpose: Camera.cloudRecording,
                               category: Camera.audio)
        let info = try store.get(id).info
        XCTAssertFalse(info.isStreamed)
        XCTAssertEqual(info.size, 2)
        XCTAssertThrowsCustos(.invalidState, try store.openStream(id: id))
        XCTAssertThrowsCustos(.notFound, try store.openStream(id: id + 1000))
        // isStreamed round-trips through Codable; a value encoded before it existed decodes as not streamed.
        let json = try JSONEncoder().encode(info)
        XCTAssertEqual(try JSONDecoder().decode(VaultRecordInfo.self, from: json), info)
        var old = try XCTUnwrap(JSONSerialization.jsonObject(with: json) as? [String: Any])
        XCTAssertNotNil(old.removeValue(forKey: "isStreamed"))
        let decoded = try JSONDecoder().decode(VaultRecordInfo.self, from: JSONSerialization.data(withJSONObject: old))
        XCTAssertEqual(decoded, info)
    }

    // MARK: discard, finish, misuse

    func testCloseWithoutFinishStoresNothing() throws {
        let w = try store.createStream(subject: owner, purpose: Camera.cloudRecording, category: Camera.video)
        try writeAll(w, 300_000)
        w.close()
        XCTAssertEqual(try store.records(of: owner), [])
        XCTAssertEqual(streamFiles(), [])
        w.close() // harmless twice
        XCTAssertThrowsCustos(.invalidState, try w.write([1, 2, 3]))
        XCTAssertThrowsCustos(.invalidState, try w.finish())

        // Released without finish or close: the same.
        do {
            let dropped = try store.createStream(subject: owner, purpose: Camera.cloudRecording, category: Camera.video)
            try dropped.write(Data([1, 2, 3]))
        }
        XCTAssertEqual(try store.records(of: owner), [])
        XCTAssertEqual(streamFiles(), [])
    }

    func testWriteAfterFinishFails() throws {
        let w = try store.createStream(subject: owner, purpose: Camera.cloudRecording, category: Camera.video)
        try w.write([4, 5, 6])
        let id = try w.finish()
        XCTAssertThrowsError(try w.write([7])) { error in
            XCTAssertEqual((error as? CustosError)?.code, .invalidState)
            XCTAssertTrue("\(error)".contains("after finish()"), "\(error)")
        }
        XCTAssertThrowsCustos(.invalidState, try w.finish())
        w.close() // after finish: nothing to discard
        XCTAssertEqual(try store.records(of: owner), [id])
        let r = try store.openStream(id: id)
        XCTAssertEqual(try r.read(upTo: 8), Data([4, 5, 6]))
        XCTAssertEqual(try r.read(upTo: 8), Data())
        r.close()
        XCTAssertThrowsCustos(.invalidState, try r.read(upTo: 1))
        XCTAssertThrowsCustos(.invalidArgument, try store.openStream(id: id).read(upTo: 0))
    }

    func testReadAfterTheSubjectsEraseFails() throws {
        let id = try storeStream(1 << 20)
        let r = try store.openStream(id: id)
        XCTAssertEqual(try r.read(upTo: 1000).count, 1000)
        _ = try store.erase(subject: owner)
        XCTAssertThrowsCustos(.key, try r.read(upTo: 1000))
        XCTAssertThrowsCustos(.key, try r.read(upTo: 1)) // failed for good
        r.close()
        XCTAssertThrowsError(try store.openStream(id: id)) { error in
            let code = (error as? CustosError)?.code
            XCTAssertTrue(code == .notFound || code == .key, "\(error)")
        }
        XCTAssertEqual(streamFiles(), [])
    }

    func testAnEraseDuringWritingStoresNothing() throws {
        let w = try store.createStream(subject: owner, purpose: Camera.cloudRecording, category: Camera.video)
        try writeAll(w, 200_000)
        _ = try store.erase(subject: owner)
        // the next write is refused (the subject is gone, so the gate denies) and the file removed
        XCTAssertThrowsCustos(.denied, try writeAll(w, 100_000))
        XCTAssertEqual(streamFiles(), [])
        XCTAssertThrowsError(try w.finish())
        w.close()
        XCTAssertEqual(streamFiles(), [])
        XCTAssertThrowsCustos(.notFound, try store.records(of: owner))
    }

    // MARK: corruption

    /// A corrupt stream throws `.corrupt` (from openStream, or from a read),
    /// never an end, and never an altered byte. Returns how many bytes came first.
    @discardableResult
    private func assertCorrupt(_ id: RecordID, _ size: Int,
                               file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let r: VaultStreamReader
        do {
            r = try store.openStream(id: id)
        } catch let e as CustosError where e.code == .corrupt {
            return 0
        }
        defer { r.close() }
        var pos = 0
        do {
            while true {
                let chunk = try r.read(upTo: 65_536)
                if chunk.isEmpty {
                    XCTFail("a corrupt stream ended after \(pos) of \(size) bytes", file: file, line: line)
                    return pos
                }
                check(chunk, at: pos, file: file, line: line)
                pos += chunk.count
            }
        } catch let e as CustosError {
            XCTAssertEqual(e.code, .corrupt, e.message, file: file, line: line)
        }
        XCTAssertThrowsCustos(.corrupt, try r.read(upTo: 1), file: file, line: line)
        return pos
    }

    func testACorruptStreamThrowsAndNeverEnds() throws {
        let size = 1 << 20
        let id = try storeStream(size)
        let url = try theStreamFile()
        var bytes = try Data(contentsOf: url)
        XCTAssertGreaterThan(bytes.count, size, "the file holds the sealed stream")
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: url)
        XCTAssertLessThan(try assertCorrupt(id, size), size)
    }

    func testATruncatedStreamThrowsAndNeverEnds() throws {
        let size = 300_000
        let id = try storeStream(size)
        let url = try theStreamFile()
        let bytes = try Data(contentsOf: url)
        for cut in [bytes.count - 1, bytes.count - 17, bytes.count / 2] {
            try bytes.prefix(cut).write(to: url)
            try assertCorrupt(id, size)
        }
    }

    // MARK: the gate, the store

    func testTheGateIsAskedAtCreateAndAtFinish() throws {
        XCTAssertThrowsCustos(.denied, try store.createStream(subject: owner, purpose: Camera.performance,
                                                              category: Camera.telemetry))
        let w = try store.createStream(subject: owner, purpose: Camera.cloudRecording, category: Camera.video)
        try writeAll(w, 100_000)
        try store.withdrawConsent(subject: owner, purpose: Camera.cloudRecording)
        XCTAssertThrowsCustos(.denied, try w.finish())
        XCTAssertThrowsCustos(.invalidState, try w.finish())
        w.close()
        XCTAssertEqual(try store.records(of: owner), [])
        XCTAssertEqual(streamFiles(), [])
    }

    func testClosingTheStoreClosesItsStreams() throws {
        let id = try storeStream(10_000)
        let w = try store.createStream(subject: owner, purpose: Camera.cloudRecording, category: Camera.video)
        try writeAll(w, 100_000)
        let r = try store.openStream(id: id)
        XCTAssertEqual(try r.read(upTo: 1).count, 1)
        store.close()
        XCTAssertThrowsCustos(.closed, try w.write([1]))
        XCTAssertThrowsCustos(.closed, try w.finish())
        XCTAssertThrowsCustos(.closed, try r.read(upTo: 1))
        w.close()
        r.close()
        let again = try Custos(path: dir.path, create: false)
        defer { again.close() }
        let person = try again.findSubject(externalId: "owner")
        XCTAssertEqual(try again.records(of: person), [id], "the unfinished stream was discarded")
        try readAll(try again.openStream(id: id), 10_000)
        XCTAssertEqual(streamFiles().count, 1)
    }

    func testAFactoryResetClosesOpenStreams() throws {
        let w = try store.createStream(subject: owner, purpose: Camera.cloudRecording, category: Camera.video)
        try w.write(Data(count: 1000))
        _ = try store.factoryReset()
        XCTAssertThrowsCustos(.invalidState, try w.write([1]))
        w.close()
        XCTAssertEqual(streamFiles(), [])
    }

    func testStreamsInSeveralTasksAtOnce() async throws {
        let store = self.store!
        let owner = self.owner!
        let ids = try await withThrowingTaskGroup(of: RecordID.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let w = try store.createStream(subject: owner, purpose: Camera.cloudRecording,
                                                   category: Camera.video)
                    try w.write(Self.bytes(0, 700_000))
                    return try w.finish()
                }
            }
            var ids: [RecordID] = []
            for try await id in group { ids.append(id) }
            return ids
        }
        try await withThrowingTaskGroup(of: Int.self) { group in
            for id in ids {
                group.addTask {
                    var n = 0
                    for try await chunk in try store.openStream(id: id) { n += chunk.count }
                    return n
                }
            }
            for try await n in group { XCTAssertEqual(n, 700_000) }
        }
        XCTAssertEqual(Set(try store.records(of: owner)), Set(ids))
    }
}
