import Custos
import Foundation
import XCTest

/// The hash-chained, signed audit log.
final class AuditTests: StoreTestCase {
    func testFreshChainIsIntactAndRecordsWhatHappened() throws {
        let s = try store.addSubject(externalId: "s", role: .owner)
        try store.giveConsent(subject: s, purpose: Camera.cloudRecording)
        _ = try store.erase(subject: s)
        let report = try store.verifyAudit()
        XCTAssertTrue(report.isIntact, report.message)
        XCTAssertEqual(report.failure, .none)
        XCTAssertGreaterThan(report.entries, 0)
        let kinds = try store.auditEntries().compactMap(\.kind)
        XCTAssertEqual(kinds.first, .storeCreated)
        for k in [AuditKind.manifestLoaded, .consentChanged, .erase] { XCTAssertTrue(kinds.contains(k), "\(k)") }
        XCTAssertEqual(try store.auditEntries(from: report.lastSeq).count, 1)
    }

    func testCheckpointSignsTheTail() throws {
        try store.auditCheckpoint()
        let report = try store.verifyAudit()
        XCTAssertEqual(report.unsignedTail, 0)
        XCTAssertGreaterThan(report.checkpoints, 0)
        XCTAssertEqual(report.lastCheckpointSeq, report.lastSeq)
    }

    func testExportVerifiesOffTheDeviceAndDetectsChanges() throws {
        try store.auditCheckpoint()
        let exported = try store.exportAudit()
        let pk = try store.devicePublicKey()
        XCTAssertTrue(try Custos.verifyAuditExport(exported, publicKey: pk).isIntact)
        let bad = try Custos.verifyAuditExport([0xFF, 0x01, 0x02], publicKey: pk)
        XCTAssertEqual(bad.failure, .exportMalformed)
        XCTAssertFalse(try Custos.verifyAuditExport(exported, publicKey: [UInt8](repeating: 3, count: 32)).isIntact)
    }

    func testOptionalEventsCanBeSwitchedOff() throws {
        XCTAssertTrue(try store.optionalAuditEvents())
        try store.setOptionalAuditEvents(false)
        XCTAssertFalse(try store.optionalAuditEvents())
        XCTAssertTrue(AuditKind.erase.isMandatory)
        XCTAssertFalse(AuditKind.access.isMandatory)
        XCTAssertEqual(AuditKind.consentChanged.name, "consent_changed")
        XCTAssertTrue(try store.auditEntries().contains { $0.kind == .settingsChanged })
    }
}
