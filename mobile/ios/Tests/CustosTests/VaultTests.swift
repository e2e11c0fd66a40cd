import Custos
import Foundation
import XCTest

/// Personal data sealed at rest: put, get, list, delete, batches, export and
/// import, maintenance, key rotation, the passphrase key provider.
final class VaultTests: StoreTestCase {
    private var owner: Subject!

    override func setUpWithError() throws {
        try super.setUpWithError()
        owner = try store.addSubject(externalId: "owner", role: .owner)
        try store.giveConsent(subject: owner, purpose: Camera.cloudRecording)
    }

    func testPutGetListDelete() throws {
        let payload = Array("a clip".utf8)
        let id = try store.put(SecureBytes(payload), subject: owner, purpose: Camera.cloudRecording, category: Camera.video)
        XCTAssertGreaterThan(id, 0)
        let record = try store.get(id)
        let info = record.info
        record.payload.withUnsafeBytes { XCTAssertEqual(Array($0), payload) }
        XCTAssertEqual(info.id, id)
        XCTAssertEqual(info.purpose, Camera.cloudRecording)
        XCTAssertEqual(info.category, Camera.video)
        XCTAssertEqual(info.size, payload.count)
        let expires = try XCTUnwrap(info.expires) // retention P30D
        XCTAssertEqual(expires.timeIntervalSince(info.created), 30 * 86400, accuracy: 86400)
        XCTAssertEqual(try store.records(of: owner), [id])
        try store.delete(id)
        XCTAssertEqual(try store.records(of: owner), [])
        XCTAssertThrowsCustos(.notFound, try store.get(id))
        XCTAssertThrowsCustos(.notFound, try store.delete(id))
    }

    func testLargeAndEmptyPayloadsRoundTrip() throws {
        let big = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let bigId = try store.put(SecureBytes(big), subject: owner, purpose: Camera.cloudRecording, category: Camera.video)
        try store.get(bigId).payload.withUnsafeBytes { XCTAssertEqual(Array($0), big) }
        let emptyId = try store.put(SecureBytes([]), subject: owner, purpose: Camera.cloudRecording, category: Camera.audio)
        XCTAssertEqual(try store.get(emptyId).payload.count, 0)
        XCTAssertEqual(Custos.maxPayloadSize, 16 * 1024 * 1024)
    }

    func testPutThroughADenyingGateWritesNothing() throws {
        let guest = try store.addSubject(externalId: "guest", role: .guest)
        XCTAssertThrowsError(try store.put(SecureBytes([1]), subject: guest, purpose: Camera.cloudRecording, category: Camera.video)) { error in
            let e = error as? CustosError
            XCTAssertEqual(e?.code, .denied)
            XCTAssertTrue(e?.message.contains("deny") ?? false, e?.message ?? "")
        }
        XCTAssertEqual(try store.records(of: guest), [])
        XCTAssertThrowsCustos(.notFound, try store.records(of: Subject(rawValue: 4242)))
    }

    func testPutManyIsAllOrNothing() throws {
        let ids = try store.putMany([VaultItem(payload: SecureBytes([1]), purpose: Camera.cloudRecording,
                                               category: Camera.video),
                                     VaultItem(payload: SecureBytes([2, 2]), purpose: Camera.operate,
                                               category: Camera.video)], subject: owner)
        XCTAssertEqual(ids.count, 2)
        XCTAssertEqual(try store.get(ids[1]).payload.count, 2)
        XCTAssertEqual(try store.get(ids[1]).info.purpose, Camera.operate)
        XCTAssertThrowsCustos(.denied, try store.putMany(
            [VaultItem(payload: SecureBytes([3]), purpose: Camera.cloudRecording, category: Camera.video),
             VaultItem(payload: SecureBytes([4]), purpose: Camera.performance, category: Camera.telemetry)],
            subject: owner))
        XCTAssertEqual(try store.records(of: owner), ids)
    }

    func testPutManyOfNoItemsIsAnInvalidArgument() throws {
        // As in C and Java; `[]` also picks the VaultItem overload, not the deprecated tuples.
        XCTAssertThrowsCustos(.invalidArgument, try store.putMany([], subject: owner))
        XCTAssertEqual(try store.records(of: owner), [])
    }

    func testExportImportRoundTripBetweenStores() throws {
        let id = try store.put(SecureBytes(Array("export me".utf8)), subject: owner,
                               purpose: Camera.cloudRecording, category: Camera.video)
        let keys = try ExportKeyPair.generate()
        XCTAssertEqual(keys.publicKey.count, 32)
        XCTAssertEqual(keys.secretKey.count, 32)
        let file = dir.appendingPathComponent("export.bin").path
        try store.exportRecords(of: owner, to: file, recipientPublicKey: keys.publicKey)

        let otherDir = Fixture.storeDirectory()
        defer { try? FileManager.default.removeItem(at: otherDir) }
        let other = try Custos(path: otherDir.path)
        try other.load(Fixture.camera)
        let person = try other.addSubject(externalId: "owner", role: .owner)
        XCTAssertThrowsCustos(.denied, try other.importRecords(from: file, subject: person, keyPair: keys))
        try other.giveConsent(subject: person, purpose: Camera.cloudRecording)
        let wrongKeys = try ExportKeyPair.generate()
        XCTAssertThrowsCustos(.key, try other.importRecords(from: file, subject: person, keyPair: wrongKeys))
        XCTAssertEqual(try other.importRecords(from: file, subject: person, keyPair: keys), 1)
        let imported = try other.records(of: person)
        XCTAssertEqual(imported.count, 1)
        try other.get(imported[0]).payload.withUnsafeBytes { XCTAssertEqual(Array($0), Array("export me".utf8)) }
        _ = id
        other.close()
    }

    func testMaintainAndRotateKeepRecordsReadable() throws {
        let id = try store.put(SecureBytes([9, 9]), subject: owner, purpose: Camera.cloudRecording, category: Camera.video)
        XCTAssertEqual(try store.maintain(), 0)
        try store.rotateKEK()
        try store.get(id).payload.withUnsafeBytes { XCTAssertEqual(Array($0), [9, 9]) }
    }

    func testPassphraseProviderReopensOnlyWithThePassphrase() throws {
        let pdir = Fixture.storeDirectory()
        defer { try? FileManager.default.removeItem(at: pdir) }
        let first = try Custos(path: pdir.path, passphrase: SecureBytes(Array("correct horse".utf8)))
        try first.load(Fixture.camera)
        let s = try first.addSubject(externalId: "s", role: .owner)
        let id = try first.put(SecureBytes([5]), subject: s, purpose: Camera.operate, category: Camera.video)
        first.close()
        XCTAssertThrowsCustos(.key, try Custos(path: pdir.path, create: false, passphrase: SecureBytes(Array("wrong".utf8))))
        let again = try Custos(path: pdir.path, create: false, passphrase: SecureBytes(Array("correct horse".utf8)))
        try again.get(id).payload.withUnsafeBytes { XCTAssertEqual(Array($0), [5]) }
        again.close()
    }
}
