import Custos
import Foundation
import XCTest

/// The progress closure of an erase, and cancelling one half-way.
final class EraseProgressTests: StoreTestCase {
    func testProgressReportsEveryStepInOrder() throws {
        let s = try store.addSubject(externalId: "s", role: .owner)
        var steps: [EraseStep] = []
        _ = try store.erase(subject: s) { steps.append($0); return true }
        XCTAssertEqual(steps, EraseStep.allCases)
    }

    func testCancelledEraseIsFinishedByTheNextOpen() throws {
        let s = try store.addSubject(externalId: "s", role: .owner)
        try store.giveConsent(subject: s, purpose: Camera.cloudRecording)
        let id = try store.put(SecureBytes([1]), subject: s, purpose: Camera.cloudRecording, category: Camera.video)
        XCTAssertThrowsCustos(.canceled, try store.erase(subject: s) { $0 != .keys })
        XCTAssertThrowsError(try store.get(id), "the keys are gone once .keys was reported")
        store.close()
        store = try Custos(path: dir.path, create: false)
        XCTAssertThrowsCustos(.notFound, try store.findSubject(externalId: "s"))
        XCTAssertEqual(try store.deletionReceipts().count, 1)
    }
}
