import Custos
import Foundation
import XCTest

/// The whole life of a person's data, as an app sees it: compile the
/// example manifest, load it, register people, consent, store, withdraw,
/// erase, and check the receipts.
final class LifecycleTests: XCTestCase {
    func testFullLifecycleFromManifestToVerifiedReceipts() throws {
        let dir = Fixture.storeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }

        // Compile and load.
        let yaml = try Fixture.text("examples/smart-camera/privacy.yaml")
        let manifest = try CompiledManifest.compile(yaml: yaml, filename: "privacy.yaml")
        XCTAssertEqual(manifest.id.count, 32)
        let store = try Custos(path: dir.path)
        XCTAssertEqual(store.check(subject: Subject(rawValue: 1), purpose: Camera.cloudRecording, category: Camera.video),
                       .denyNoManifest)
        try store.load(manifest)
        let policy = try store.currentPolicy()
        XCTAssertEqual(policy.id, manifest.id)
        XCTAssertEqual(policy.version, 1)

        // Subjects.
        let owner = try store.addSubject(externalId: "account-42", role: .owner)
        let guest = try store.addSubject(externalId: "guest-7", role: .guest)
        XCTAssertNotEqual(owner, guest)
        XCTAssertEqual(try store.findSubject(externalId: "account-42"), owner)

        // Consent: asked, then given.
        XCTAssertEqual(store.check(subject: owner, purpose: Camera.cloudRecording, category: Camera.video), .denyNoConsent)
        try store.requestConsent(subject: owner, purpose: Camera.cloudRecording)
        try store.giveConsent(subject: owner, purpose: Camera.cloudRecording,
                              info: ConsentInfo(method: .companionApp, actor: .subject))
        XCTAssertEqual(store.check(subject: owner, purpose: Camera.cloudRecording, category: Camera.video), .allow)
        XCTAssertEqual(store.check(subject: guest, purpose: Camera.cloudRecording, category: Camera.video), .denyNoConsent)

        // Vault: a clip for cloud recording, and one for operating the camera (contract).
        let clip = try store.put(SecureBytes(Array("clip-0001".utf8)), subject: owner,
                                 purpose: Camera.cloudRecording, category: Camera.video)
        let live = try store.put(SecureBytes(Array("live-frame".utf8)), subject: owner,
                                 purpose: Camera.operate, category: Camera.video)
        XCTAssertEqual(try store.records(of: owner), [clip, live])
        try store.get(clip).payload.withUnsafeBytes { XCTAssertEqual(Array($0), Array("clip-0001".utf8)) }

        // Withdraw: the gate denies at once, and the purpose's data is erased
        // with it (a signed receipt is kept in the store).
        let receiptsBefore = try store.deletionReceipts().count
        try store.withdrawConsent(subject: owner, purpose: Camera.cloudRecording,
                                  info: ConsentInfo(method: .companionApp, actor: .subject))
        XCTAssertEqual(store.check(subject: owner, purpose: Camera.cloudRecording, category: Camera.video), .denyWithdrawn)
        XCTAssertThrowsCustos(.denied, try store.put(SecureBytes([1]), subject: owner,
                                                     purpose: Camera.cloudRecording, category: Camera.video))
        XCTAssertEqual(try store.records(of: owner), [live])
        XCTAssertThrowsError(try store.get(clip))
        let withdrawalReceipts = try store.deletionReceipts()
        XCTAssertEqual(withdrawalReceipts.count, receiptsBefore + 1)
        let purposeReceipt = try XCTUnwrap(withdrawalReceipts.last)
        XCTAssertTrue(purposeReceipt.json.contains("\"purpose\":2"), purposeReceipt.json)

        // History keeps every decision.
        let history = try store.consentHistory(subject: owner)
        XCTAssertEqual(history.map(\.status), [.requested, .given, .withdrawn])
        XCTAssertEqual(history[1].method, .companionApp)

        // Erase the person entirely.
        let pk = try store.devicePublicKey()
        let subjectReceipt = try store.erase(subject: owner)
        XCTAssertThrowsCustos(.notFound, try store.findSubject(externalId: "account-42"))
        XCTAssertEqual(store.check(subject: owner, purpose: Camera.operate, category: Camera.video), .denyUnknownSubject)

        // Receipts: signed by the device key, kept in the store, rendered as JSON.
        for receipt in [purposeReceipt, subjectReceipt] {
            XCTAssertNoThrow(try receipt.verify(publicKey: pk))
            XCTAssertTrue(receipt.json.hasPrefix("{"), receipt.json)
        }
        // The store keeps every receipt, oldest first.
        let kept = try store.deletionReceipts()
        XCTAssertEqual(kept, [purposeReceipt, subjectReceipt])
        for receipt in kept { XCTAssertNoThrow(try receipt.verify(publicKey: pk)) }
        XCTAssertFalse(try store.pendingEraseRequests().isEmpty)

        // The ledger and the audit chain are intact after all this.
        XCTAssertNoThrow(try store.verifyConsentLedger())
        XCTAssertTrue(try store.verifyAudit().isIntact)
        store.close()
    }
}
