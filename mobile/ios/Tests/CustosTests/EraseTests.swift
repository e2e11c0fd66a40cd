import Custos
import Foundation
import XCTest

/// Erasure: per person, per purpose, expired records, factory reset; the
/// signed receipts and the outbox of requests for the app's services.
final class EraseTests: StoreTestCase {
    private var owner: Subject!

    override func setUpWithError() throws {
        try super.setUpWithError()
        owner = try store.addSubject(externalId: "owner", role: .owner)
        try store.giveConsent(subject: owner, purpose: Camera.cloudRecording)
    }

    func testEraseSubjectMakesItsRecordsUnreadableAndSignsAReceipt() throws {
        let id = try store.put(SecureBytes([1]), subject: owner, purpose: Camera.cloudRecording, category: Camera.video)
        let receipt = try store.erase(subject: owner)
        XCTAssertNoThrow(try receipt.verify(publicKey: try store.devicePublicKey()))
        XCTAssertThrowsError(try store.get(id))
        XCTAssertThrowsCustos(.notFound, try store.erase(subject: owner))
        XCTAssertTrue(receipt.json.contains("subject_hash"), receipt.json)
        XCTAssertFalse(receipt.json.contains("owner"), "a receipt never names the subject")
    }

    func testErasePurposeKeepsTheOtherPurposes() throws {
        let clip = try store.put(SecureBytes([1]), subject: owner, purpose: Camera.cloudRecording, category: Camera.video)
        let live = try store.put(SecureBytes([2]), subject: owner, purpose: Camera.operate, category: Camera.video)
        _ = try store.erase(subject: owner, purpose: Camera.cloudRecording)
        XCTAssertEqual(try store.records(of: owner), [live])
        XCTAssertThrowsError(try store.get(clip))
        XCTAssertEqual(try store.findSubject(externalId: "owner"), owner)
    }

    func testReceiptDetectsTamperingAndAnotherSigner() throws {
        let receipt = try store.erase(subject: owner)
        let pk = try store.devicePublicKey()
        var altered = receipt.bytes
        altered[altered.count - 1] ^= 0x01
        XCTAssertThrowsError(try DeletionReceipt(bytes: altered).verify(publicKey: pk)) { error in
            let code = (error as? CustosError)?.code
            XCTAssertTrue(code == .signature || code == .corrupt, "\(error)")
        }
        XCTAssertThrowsCustos(.signature, try receipt.verify(publicKey: [UInt8](repeating: 1, count: 32)))
        XCTAssertThrowsCustos(.corrupt, try DeletionReceipt(bytes: [1, 2, 3]))
    }

    func testEraseExpiredWithNothingDueHasNoReceipt() throws {
        _ = try store.put(SecureBytes([1]), subject: owner, purpose: Camera.cloudRecording, category: Camera.video)
        let result = try store.eraseExpired()
        XCTAssertEqual(result.removed, 0)
        XCTAssertNil(result.receipt)
    }

    func testReceiptsAreKeptAndRequestsQueuedUntilAcknowledged() throws {
        let a = try store.erase(subject: owner, purpose: Camera.cloudRecording)
        let b = try store.erase(subject: owner)
        XCTAssertEqual(try store.deletionReceipts(), [a, b])
        let requests = try store.pendingEraseRequests()
        XCTAssertEqual(requests.count, 2)
        XCTAssertFalse(requests[0].bytes.isEmpty)
        try store.acknowledgeEraseRequest(requests[0].seq)
        XCTAssertEqual(try store.pendingEraseRequests(), [requests[1]])
        XCTAssertThrowsCustos(.notFound, try store.acknowledgeEraseRequest(requests[0].seq))
    }

    func testFactoryResetEmptiesTheStoreAndKeepsTheDeviceId() throws {
        _ = try store.put(SecureBytes([1]), subject: owner, purpose: Camera.cloudRecording, category: Camera.video)
        let oldKey = try store.devicePublicKey()
        let deviceId = try store.deviceId()
        let receipt = try store.factoryReset()
        XCTAssertFalse(store.isClosed)
        XCTAssertNoThrow(try receipt.verify(publicKey: oldKey))
        XCTAssertNotEqual(try store.devicePublicKey(), oldKey)
        XCTAssertEqual(try store.deviceId(), deviceId)
        XCTAssertThrowsCustos(.notFound, try store.findSubject(externalId: "owner"))
        XCTAssertThrowsCustos(.notFound, try store.currentPolicy())
        XCTAssertEqual(try store.deletionReceipts(), [receipt])
        XCTAssertEqual(store.check(subject: owner, purpose: Camera.operate, category: Camera.video), .denyNoManifest)
    }
}
