import Custos
import Foundation
import XCTest

/// A device's store and its companion app's store, paired, exchanging
/// signed consent updates, state reports and manifest offers.
final class SyncTests: XCTestCase {
    private var dirs: [URL] = []
    private var device: Custos!
    private var app: Custos!
    private var deviceId = Data()

    override func setUpWithError() throws {
        dirs = [Fixture.storeDirectory(), Fixture.storeDirectory()]
        device = try Custos(path: dirs[0].path)
        app = try Custos(path: dirs[1].path)
        for store in [device!, app!] { try store.load(Fixture.camera) }
        deviceId = try device.deviceId()
        try device.pair(peerPublicKey: try app.devicePublicKey())
        try app.pair(peerPublicKey: try device.devicePublicKey(), deviceId: deviceId)
    }

    override func tearDownWithError() throws {
        device?.close()
        app?.close()
        for d in dirs { try? FileManager.default.removeItem(at: d) }
    }

    func testAppUpdateIsAppliedOnceOnTheDevice() throws {
        let owner = try device.addSubject(externalId: "owner", role: .owner)
        let update = try app.encodeConsentUpdate(for: deviceId, changes: [
            ConsentChange(subject: owner, purpose: Camera.cloudRecording, status: .given)])
        XCTAssertLessThanOrEqual(update.count, Custos.maxSyncMessage)
        XCTAssertEqual(try device.applyConsentUpdate(update), 1)
        XCTAssertEqual(device.check(subject: owner, purpose: Camera.cloudRecording, category: Camera.video), .allow)
        XCTAssertTrue(try device.consentHistory(subject: owner)[0].appSigned)
        XCTAssertThrowsCustos(.replay, try device.applyConsentUpdate(update))

        let withdraw = try app.encodeConsentUpdate(for: deviceId, changes: [
            ConsentChange(subject: owner, purpose: Camera.cloudRecording, status: .withdrawn)])
        XCTAssertEqual(try device.applyConsentUpdate(withdraw), 1)
        XCTAssertEqual(device.check(subject: owner, purpose: Camera.cloudRecording, category: Camera.video), .denyWithdrawn)
    }

    func testTamperedOrUnpairedUpdatesAreRefused() throws {
        let owner = try device.addSubject(externalId: "owner", role: .owner)
        var update = try app.encodeConsentUpdate(for: deviceId, changes: [
            ConsentChange(subject: owner, purpose: Camera.cloudRecording, status: .given)])
        update[update.count - 1] ^= 0x01
        XCTAssertThrowsError(try device.applyConsentUpdate(update)) { error in
            let code = (error as? CustosError)?.code
            XCTAssertTrue(code == .signature || code == .corrupt, "\(error)")
        }
        try device.unpair(peerPublicKey: try app.devicePublicKey())
        let fresh = try app.encodeConsentUpdate(for: deviceId, changes: [
            ConsentChange(subject: owner, purpose: Camera.cloudRecording, status: .given)])
        XCTAssertThrowsCustos(.signature, try device.applyConsentUpdate(fresh))
        XCTAssertThrowsCustos(.notFound, try app.encodeConsentUpdate(for: [UInt8](repeating: 0, count: 16), changes: [
            ConsentChange(subject: owner, purpose: Camera.cloudRecording, status: .given)]))
        XCTAssertEqual(device.check(subject: owner, purpose: Camera.cloudRecording, category: Camera.video), .denyNoConsent)
    }

    func testStateReportTravelsToTheApp() throws {
        let owner = try device.addSubject(externalId: "owner", role: .owner)
        try device.giveConsent(subject: owner, purpose: Camera.cloudRecording)
        try device.refuseConsent(subject: owner, purpose: Camera.performance)
        let report = try app.decodeStateReport(try device.encodeStateReport())
        XCTAssertEqual(report.deviceId, deviceId)
        let state = try XCTUnwrap(report.states.first { $0.subject == owner })
        XCTAssertTrue(state.isGiven(purpose: Camera.cloudRecording))
        XCTAssertFalse(state.isGiven(purpose: Camera.performance))
        XCTAssertTrue(state.isDecided(purpose: Camera.performance))
        XCTAssertEqual(state.policyVersion, 1)
    }

    func testManifestOfferNamesThePurposesToAskAgain() throws {
        try device.load(Fixture.cameraV2)
        let offer = try app.decodeManifestOffer(try device.encodeManifestOffer(reconsent: [Camera.performance]))
        XCTAssertEqual(offer.manifestId, Fixture.cameraV2.id)
        XCTAssertEqual(offer.policyVersion, 2)
        XCTAssertEqual(offer.reconsent, [Camera.performance])
    }
}
