import Custos
import Foundation
import XCTest

/// Subjects, every consent decision, the gate's answers, history, receipts.
final class ConsentTests: StoreTestCase {
    func testSubjectsAreFoundByExternalIdAndKeepTheirRole() throws {
        let a = try store.addSubject(externalId: "a", role: .owner)
        let b = try store.addSubject(externalId: "b", role: .child)
        XCTAssertEqual(try store.findSubject(externalId: "b"), b)
        XCTAssertEqual(try store.role(of: a), .owner)
        XCTAssertEqual(try store.role(of: b), .child)
        XCTAssertThrowsCustos(.alreadyExists, try store.addSubject(externalId: "a", role: .guest))
        XCTAssertThrowsCustos(.notFound, try store.findSubject(externalId: "nobody"))
    }

    func testTransferOwnershipInvalidatesThePreviousOwnersConsent() throws {
        let old = try store.addSubject(externalId: "old", role: .owner)
        let new = try store.addSubject(externalId: "new", role: .householdMember)
        try store.giveConsent(subject: old, purpose: Camera.cloudRecording)
        try store.transferOwnership(to: new)
        XCTAssertEqual(try store.role(of: new), .owner)
        XCTAssertEqual(try store.role(of: old), .householdMember)
        XCTAssertEqual(store.check(subject: old, purpose: Camera.cloudRecording, category: Camera.video), .denyInvalidated)
        XCTAssertThrowsCustos(.invalidState, try store.transferOwnership(to: new))
    }

    func testEveryDecisionChangesStateAndTheGate() throws {
        let s = try store.addSubject(externalId: "s", role: .owner)
        let p = Camera.cloudRecording
        func gate() -> Decision { store.check(subject: s, purpose: p, category: Camera.audio) }

        XCTAssertEqual(try store.consentState(subject: s, purpose: p).status, .unknown)
        try store.requestConsent(subject: s, purpose: p)
        XCTAssertEqual(gate(), .denyNoConsent)
        try store.refuseConsent(subject: s, purpose: p)
        XCTAssertEqual(gate(), .denyRefused)
        try store.giveConsent(subject: s, purpose: p)
        XCTAssertEqual(gate(), .allow)
        try store.renewConsent(subject: s, purpose: p)
        XCTAssertEqual(gate(), .allow)
        try store.revokeConsent(subject: s, purpose: p)
        XCTAssertEqual(gate(), .denyRevoked)
        try store.giveConsent(subject: s, purpose: p)
        try store.withdrawConsent(subject: s, purpose: p)
        XCTAssertEqual(gate(), .denyWithdrawn)

        let state = try store.consentState(subject: s, purpose: p)
        XCTAssertEqual(state.status, .withdrawn)
        XCTAssertEqual(state.policyVersion, 1)
        XCTAssertGreaterThan(state.seq, 0)
        XCTAssertNotNil(state.time)
        XCTAssertFalse(state.invalidated)
    }

    func testGivenConsentHasTheManifestsLifetime() throws {
        let s = try store.addSubject(externalId: "s", role: .owner)
        try store.giveConsent(subject: s, purpose: Camera.cloudRecording)
        let state = try store.consentState(subject: s, purpose: Camera.cloudRecording)
        let validUntil = try XCTUnwrap(state.validUntil)
        XCTAssertGreaterThan(validUntil, Date().addingTimeInterval(300 * 86400)) // consent_lifetime: P1Y
    }

    func testGateNamesEveryReachableDenial() throws {
        let s = try store.addSubject(externalId: "s", role: .owner)
        XCTAssertEqual(store.check(subject: Subject(rawValue: 999), purpose: Camera.operate, category: Camera.video),
                       .denyUnknownSubject)
        XCTAssertEqual(store.check(subject: s, purpose: 60, category: Camera.video), .denyUnknownPurpose)
        XCTAssertEqual(store.check(subject: s, purpose: Camera.operate, category: Camera.biometric),
                       .denyCategoryNotDeclared)
        XCTAssertEqual(store.check(subject: s, purpose: Camera.operate, category: Camera.video), .allow) // contract
        XCTAssertEqual(store.check(subject: s, purpose: Camera.performance, category: Camera.telemetry), .denyNoConsent)
        store.close()
        XCTAssertEqual(store.check(subject: s, purpose: Camera.operate, category: Camera.video), .denyError)
    }

    func testDecisionTextsComeFromTheCore() {
        XCTAssertEqual(Decision.allCases.count, 13)
        XCTAssertTrue(Decision.allow.isAllowed)
        for d in Decision.allCases {
            XCTAssertFalse(d.description.isEmpty)
            if d != .allow { XCTAssertTrue(d.description.hasPrefix("deny"), d.description) }
        }
    }

    func testStatusTermsAndTransitions() {
        XCTAssertEqual(ConsentStatus.given.dpvTerm, "dpv:ConsentGiven")
        XCTAssertTrue(ConsentStatus.given.isValidForProcessing)
        XCTAssertTrue(ConsentStatus.renewed.isValidForProcessing)
        XCTAssertFalse(ConsentStatus.withdrawn.isValidForProcessing)
        XCTAssertTrue(ConsentStatus.given.canTransition(to: .withdrawn))
        XCTAssertFalse(ConsentStatus.given.canTransition(to: .expired))
    }

    func testChildConsentNeedsAGuardian() throws {
        let child = try store.addSubject(externalId: "kid", role: .child)
        XCTAssertThrowsCustos(.invalidArgument, try store.giveConsent(subject: child, purpose: Camera.cloudRecording))
        try store.giveConsent(subject: child, purpose: Camera.cloudRecording, info: ConsentInfo(actor: .guardian))
        XCTAssertEqual(store.check(subject: child, purpose: Camera.cloudRecording, category: Camera.video), .allow)
    }

    func testRefusedDecisionsAreNotRecorded() throws {
        let s = try store.addSubject(externalId: "s", role: .owner)
        XCTAssertThrowsCustos(.invalidArgument, try store.recordConsent(.expired, subject: s, purpose: Camera.cloudRecording))
        XCTAssertThrowsCustos(.invalidArgument, try store.giveConsent(subject: s, purpose: Camera.operate)) // not consent-based
        XCTAssertThrowsCustos(.notFound, try store.giveConsent(subject: Subject(rawValue: 77), purpose: Camera.cloudRecording))
        XCTAssertThrowsCustos(.invalidState, try store.withdrawConsent(subject: s, purpose: Camera.cloudRecording))
        XCTAssertEqual(try store.consentHistory(subject: s), [])
    }

    func testHistoryRecordsWhatThePersonSaw() throws {
        let s = try store.addSubject(externalId: "s", role: .owner)
        let notice = Data(repeating: 0xAB, count: 32)
        try store.giveConsent(subject: s, purpose: Camera.personDetection,
                              info: ConsentInfo(noticeHash: notice, noticeLanguage: "ja", method: .voice, actor: .subject))
        let events = try store.consentHistory(subject: s)
        XCTAssertEqual(events.count, 1)
        let e = events[0]
        XCTAssertEqual(e.purpose, Camera.personDetection)
        XCTAssertEqual(e.status, .given)
        XCTAssertEqual(e.method, .voice)
        XCTAssertEqual(e.actor, .subject)
        XCTAssertEqual(e.noticeHash, notice)
        XCTAssertEqual(e.noticeLanguage, "ja")
        XCTAssertEqual(e.manifestId, Fixture.camera.id)
        XCTAssertEqual(e.policyVersion, 1)
        XCTAssertEqual(e.eventId.count, 16)
        XCTAssertFalse(e.appSigned)
    }

    func testReceiptsVerifyAndDetectChanges() throws {
        let s = try store.addSubject(externalId: "s", role: .owner)
        try store.giveConsent(subject: s, purpose: Camera.cloudRecording)
        try store.giveConsent(subject: s, purpose: Camera.performance)
        let pk = try store.devicePublicKey()
        for format in [ConsentReceiptFormat.iso27560, .kantara] {
            let receipt = try store.consentReceipt(subject: s, format: format)
            XCTAssertEqual(try receipt.verify(publicKey: pk), 2)
            XCTAssertEqual(try receipt.verify(), 2) // the key the receipt names
            XCTAssertTrue(receipt.json.contains("{"))
            var altered = receipt.bytes
            altered[altered.count / 2] ^= 0x01
            XCTAssertThrowsError(try ConsentReceipt(bytes: altered).verify(publicKey: pk)) { error in
                let code = (error as? CustosError)?.code
                XCTAssertTrue(code == .signature || code == .corrupt, "\(error)")
            }
            XCTAssertThrowsCustos(.signature, try receipt.verify(publicKey: [UInt8](repeating: 7, count: 32)))
        }
    }

    func testLedgerVerifies() throws {
        let s = try store.addSubject(externalId: "s", role: .owner)
        try store.giveConsent(subject: s, purpose: Camera.cloudRecording)
        XCTAssertNoThrow(try store.verifyConsentLedger())
        let before = store.check(subject: s, purpose: Camera.cloudRecording, category: Camera.video)
        XCTAssertEqual(try store.repairConsentState(), 1)
        XCTAssertEqual(store.check(subject: s, purpose: Camera.cloudRecording, category: Camera.video), before)
        XCTAssertNoThrow(try store.verifyConsentLedger())
    }

    func testNewManifestVersionInvalidatesOnlyChangedPurposes() throws {
        let s = try store.addSubject(externalId: "s", role: .owner)
        try store.giveConsent(subject: s, purpose: Camera.cloudRecording)
        try store.giveConsent(subject: s, purpose: Camera.performance)
        try store.load(Fixture.cameraV2)
        XCTAssertEqual(try store.currentPolicy().version, 2)
        XCTAssertEqual(store.check(subject: s, purpose: Camera.cloudRecording, category: Camera.video), .allow)
        XCTAssertEqual(store.check(subject: s, purpose: Camera.performance, category: Camera.telemetry), .denyInvalidated)
        XCTAssertTrue(try store.consentState(subject: s, purpose: Camera.performance).invalidated)
        XCTAssertThrowsCustos(.invalidState, try store.load(Fixture.camera)) // older version
    }
}
