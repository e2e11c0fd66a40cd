import Custos
import Foundation
import XCTest

/// One store shared by many tasks: the gate sees a withdrawal at once and
/// never crashes, whatever else runs.
final class ConcurrencyTests: StoreTestCase {
    func testChecksSeeAllowedThenDeniedWhileOneTaskWithdraws() async throws {
        let store = self.store!
        let s = try store.addSubject(externalId: "s", role: .owner)
        try store.giveConsent(subject: s, purpose: Camera.cloudRecording)
        let withdrawn = ManagedAtomicFlag()

        let sequences = try await withThrowingTaskGroup(of: [Decision].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var seen: [Decision] = []
                    while true {
                        // A check that starts after the withdrawal returned must deny.
                        let afterWithdrawal = withdrawn.isSet
                        let d = store.check(subject: s, purpose: Camera.cloudRecording, category: Camera.video)
                        if seen.last != d { seen.append(d) }
                        if afterWithdrawal { return seen }
                        await Task.yield()
                    }
                }
            }
            group.addTask {
                try await Task.sleep(nanoseconds: 2_000_000)
                try store.withdrawConsent(subject: s, purpose: Camera.cloudRecording)
                withdrawn.set()
                return []
            }
            var all: [[Decision]] = []
            for try await seq in group where !seq.isEmpty { all.append(seq) }
            return all
        }
        XCTAssertEqual(sequences.count, 8)
        for seen in sequences {
            // Allowed, then denied: never back to allowed, never another answer.
            XCTAssertTrue(seen == [.allow, .denyWithdrawn] || seen == [.denyWithdrawn], "\(seen)")
        }
        XCTAssertEqual(store.check(subject: s, purpose: Camera.cloudRecording, category: Camera.video), .denyWithdrawn)
    }

    func testConcurrentWritersAndReadersOnOneStore() async throws {
        let store = self.store!
        let subjects = try (0..<4).map { try store.addSubject(externalId: "p\($0)", role: .householdMember) }
        for s in subjects { try store.giveConsent(subject: s, purpose: Camera.cloudRecording) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for s in subjects {
                group.addTask {
                    for i in 0..<20 {
                        let id = try store.put(SecureBytes([UInt8(i)]), subject: s,
                                               purpose: Camera.cloudRecording, category: Camera.audio)
                        try store.get(id).payload.withUnsafeBytes { XCTAssertEqual(Array($0), [UInt8(i)]) }
                    }
                }
            }
            try await group.waitForAll()
        }
        for s in subjects { XCTAssertEqual(try store.records(of: s).count, 20) }
    }

    func testCloseDuringChecksFailsClosed() async throws {
        let store = self.store!
        let s = try store.addSubject(externalId: "s", role: .owner)
        try store.giveConsent(subject: s, purpose: Camera.cloudRecording)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<2000 {
                        let d = store.check(subject: s, purpose: Camera.cloudRecording, category: Camera.video)
                        XCTAssertTrue(d == .allow || d == .denyError)
                    }
                }
            }
            group.addTask { store.close() }
        }
        XCTAssertEqual(store.check(subject: s, purpose: Camera.cloudRecording, category: Camera.video), .denyError)
    }
}

/// A flag set once by one task and read by others.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}
