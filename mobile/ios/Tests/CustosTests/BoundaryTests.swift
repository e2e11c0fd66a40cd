import Custos
import Foundation
import XCTest

/// The Swift shape of the API: bytes in as any `DataProtocol` (slices
/// included) and out as `Data`, `CustosError` as a `LocalizedError`,
/// `Codable` values, named structs instead of tuples.
final class BoundaryTests: StoreTestCase {
    /// `bytes` preceded by five other bytes and sliced off again: a `Data`
    /// whose `startIndex` is 5, the classic way to break `data[0]` code.
    private func slice(_ bytes: Data) -> Data {
        let s = (Data([0xEE, 0xEE, 0xEE, 0xEE, 0xEE]) + bytes)[5...]
        XCTAssertEqual(s.startIndex, 5)
        return s
    }

    private func erasedReceipt() throws -> DeletionReceipt {
        let s = try store.addSubject(externalId: "s", role: .owner)
        return try store.erase(subject: s)
    }

    // MARK: Bytes in and out

    func testByteParametersTakeDataArraysAndSlices() throws {
        let text = Array("Notice v1".utf8)
        let expected = Consent.noticeHash("Notice v1")
        XCTAssertEqual(Consent.noticeHash(text), expected)
        XCTAssertEqual(Consent.noticeHash(Data(text)), expected)
        XCTAssertEqual(Consent.noticeHash(slice(Data(text))), expected)
        XCTAssertEqual(Consent.noticeHash(text[...]), expected)

        let receipt = try erasedReceipt()
        let pk = try store.devicePublicKey()
        XCTAssertNoThrow(try receipt.verify(publicKey: pk))
        XCTAssertNoThrow(try receipt.verify(publicKey: Array(pk)))
        XCTAssertNoThrow(try receipt.verify(publicKey: slice(pk)))
    }

    func testValuesMadeFromASliceStartAtZero() throws {
        let receipt = try erasedReceipt()
        let parsed = try DeletionReceipt(bytes: slice(receipt.bytes))
        XCTAssertEqual(parsed, receipt)
        XCTAssertEqual(parsed.bytes.startIndex, 0)
        XCTAssertEqual(parsed.bytes[0], receipt.bytes[0])

        let manifest = try CompiledManifest(bytes: slice(Fixture.camera.bytes))
        XCTAssertEqual(manifest, Fixture.camera)
        XCTAssertEqual(manifest.bytes.startIndex, 0)
        XCTAssertEqual(try CompiledManifest(bytes: Array(Fixture.camera.bytes)), Fixture.camera)

        let consent = ConsentReceipt(bytes: slice(Data("{}".utf8)))
        XCTAssertEqual(consent.bytes.startIndex, 0)
        XCTAssertEqual(consent.json, "{}")
    }

    func testOutputsAreDataOfTheCoreSizes() throws {
        let pk: Data = try store.devicePublicKey()
        let id: Data = try store.deviceId()
        XCTAssertEqual(pk.count, 32)
        XCTAssertEqual(id.count, 16)
        let exported: Data = try store.exportAudit()
        XCTAssertTrue(try Custos.verifyAuditExport(slice(exported), publicKey: Array(pk)).isIntact)
        XCTAssertEqual(Consent.noticeHash("x").count, 32)
    }

    func testAKeyOfTheWrongLengthIsAnInvalidArgument() throws {
        let receipt = try erasedReceipt()
        let pk = try store.devicePublicKey()
        XCTAssertThrowsError(try receipt.verify(publicKey: pk.prefix(31))) { error in
            XCTAssertEqual((error as? CustosError)?.code, .invalidArgument)
            XCTAssertTrue(error.localizedDescription.contains("publicKey must be 32 bytes, not 31"),
                          error.localizedDescription)
        }
        XCTAssertThrowsCustos(.invalidArgument, try store.pair(peerPublicKey: pk + [0]))
        XCTAssertThrowsCustos(.invalidArgument, try store.pair(peerPublicKey: pk, deviceId: Data(count: 15)))
        let s = try store.addSubject(externalId: "t", role: .owner)
        XCTAssertThrowsCustos(.invalidArgument, try store.giveConsent(
            subject: s, purpose: Camera.cloudRecording, info: ConsentInfo(noticeHash: Data(count: 31))))
        XCTAssertEqual(try store.consentHistory(subject: s), [], "nothing recorded")
    }

    // MARK: LocalizedError

    func testLocalizedDescriptionCarriesTheCoresDetail() throws {
        let receipt = try erasedReceipt()
        XCTAssertThrowsError(try receipt.verify(publicKey: Data(repeating: 9, count: 32))) { error in
            // What an app shows with `error.localizedDescription`.
            XCTAssertTrue(error.localizedDescription.contains("signed by another key"), error.localizedDescription)
            guard let e = error as? CustosError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.errorDescription, e.message)
            let detail = e.detail ?? ""
            XCTAssertTrue(detail.contains("signed by another key"), detail)
            XCTAssertTrue(e.message.hasSuffix(detail), e.message)
            let reason = e.failureReason ?? ""
            XCTAssertTrue(reason.hasPrefix("CUSTOS_ESIGNATURE"), reason)
            XCTAssertFalse(reason.contains("signed by another key"), "the reason is the code's meaning alone")
        }
    }

    func testClosedStoreSaysWhatToDo() throws {
        store.close()
        XCTAssertThrowsError(try store.deviceId()) { error in
            XCTAssertEqual((error as? CustosError)?.code, .closed)
            XCTAssertTrue(error.localizedDescription.contains("closed"), error.localizedDescription)
            XCTAssertNotNil((error as? CustosError)?.recoverySuggestion)
        }
    }

    // MARK: Codable

    private func roundTrip<T: Codable & Equatable>(_ value: T, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let json = try JSONEncoder().encode(value)
        XCTAssertEqual(try JSONDecoder().decode(T.self, from: json), value, file: file, line: line)
        return String(decoding: json, as: UTF8.self)
    }

    func testConsentEventsStatesAndChangesRoundTripThroughJSON() throws {
        let s = try store.addSubject(externalId: "s", role: .owner)
        let hash = Consent.noticeHash("shown")
        try store.giveConsent(subject: s, purpose: Camera.cloudRecording,
                              info: ConsentInfo(noticeHash: hash, noticeLanguage: "ja", method: .voice))
        let event = try XCTUnwrap(try store.consentHistory(subject: s).first)
        let json = try roundTrip(event)
        XCTAssertTrue(json.contains(hash.base64EncodedString()), "Data is base64: \(json)")
        _ = try roundTrip(try store.consentState(subject: s, purpose: Camera.cloudRecording))
        _ = try roundTrip(ConsentInfo(noticeHash: hash, noticeLanguage: "ja", method: .voice))
        _ = try roundTrip(ConsentChange(subject: s, purpose: 2, status: .withdrawn, validUntil: Date(timeIntervalSince1970: 1e9)))
        // A subject and an enum are their numbers.
        let recorded = try JSONDecoder().decode(RecordedConsent.self,
                                                from: Data(#"{"subject":\#(s.rawValue),"purpose":2,"status":3}"#.utf8))
        XCTAssertEqual(recorded.subject, s)
        XCTAssertEqual(recorded.status, .given)
        XCTAssertTrue(try roundTrip(recorded).contains("\"subject\":\(s.rawValue)"))
        let changes = try Fixture.cameraV2.changes(since: Fixture.camera)
        XCTAssertEqual(try JSONDecoder().decode([ManifestChange].self, from: try JSONEncoder().encode(changes)), changes)
    }

    func testReportsReceiptsAndAuditEntriesRoundTripThroughJSON() throws {
        let receipt = try erasedReceipt()
        _ = try roundTrip(receipt)
        _ = try roundTrip(try store.verifyAudit())
        for entry in try store.auditEntries() { _ = try roundTrip(entry) }
        _ = try roundTrip(try store.eraseExpired())
        _ = try roundTrip(try store.currentPolicy())
        // A receipt is decoded by parsing its bytes again: junk does not decode.
        let junk = Data(#"{"bytes":"AQID"}"#.utf8)
        XCTAssertThrowsError(try JSONDecoder().decode(DeletionReceipt.self, from: junk)) { error in
            XCTAssertEqual((error as? CustosError)?.code, .corrupt)
        }
    }

    // MARK: Named structs, not tuples

    func testCurrentPolicyIsANamedValue() throws {
        let policy: PolicyInfo = try store.currentPolicy()
        XCTAssertEqual(policy, PolicyInfo(id: Fixture.camera.id, version: 1))
        try store.load(Fixture.cameraV2)
        let newer = try store.currentPolicy()
        XCTAssertEqual(newer.id, Fixture.cameraV2.id)
        XCTAssertEqual(Set([policy, newer, policy]).count, 2)
    }

    func testGetAndEraseExpiredGiveNamedValues() throws {
        let s = try store.addSubject(externalId: "s", role: .owner)
        let id = try store.put(SecureBytes([4, 2]), subject: s, purpose: Camera.operate, category: Camera.video)
        let record: VaultRecord = try store.get(id)
        XCTAssertEqual(record.info.id, id)
        record.payload.withUnsafeBytes { XCTAssertEqual(Array($0), [4, 2]) }
        let expired: ExpiredErasure = try store.eraseExpired()
        XCTAssertEqual(expired.removed, 0)
        XCTAssertNil(expired.receipt)
    }
}
