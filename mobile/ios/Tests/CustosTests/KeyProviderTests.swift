import CCustos
import Custos
import Foundation
import XCTest

/// A store whose keys are held by a Swift `KeyProvider` (the Keychain on
/// iOS; here the in-memory provider over libsodium), bridged to the C
/// custos_key_provider.
final class KeyProviderTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws { dir = Fixture.storeDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func testStoreRunsOnASwiftProviderAndSignsWithItsKey() throws {
        let provider = InMemoryKeyProvider()
        let store = try Custos(path: dir.path, keyProvider: provider)
        XCTAssertEqual(try store.devicePublicKey(), try provider.publicKey())
        try store.load(Fixture.camera)
        let s = try store.addSubject(externalId: "s", role: .owner)
        let id = try store.put(SecureBytes([1, 2, 3]), subject: s, purpose: Camera.operate, category: Camera.video)
        try store.get(id).payload.withUnsafeBytes { XCTAssertEqual(Array($0), [1, 2, 3]) }
        let receipt = try store.erase(subject: s)
        XCTAssertNoThrow(try receipt.verify(publicKey: try provider.publicKey()))
        XCTAssertTrue(try store.verifyAudit().isIntact)
        store.close()
        XCTAssertGreaterThanOrEqual(provider.opens, 1)
        XCTAssertGreaterThanOrEqual(provider.closes, 1)
    }

    func testReopenWithTheSameProviderReadsEarlierRecords() throws {
        let provider = InMemoryKeyProvider()
        var store = try Custos(path: dir.path, keyProvider: provider)
        try store.load(Fixture.camera)
        let s = try store.addSubject(externalId: "s", role: .owner)
        let id = try store.put(SecureBytes([7]), subject: s, purpose: Camera.operate, category: Camera.video)
        store.close()
        store = try Custos(path: dir.path, create: false, keyProvider: provider)
        XCTAssertEqual(try store.findSubject(externalId: "s"), s) // same index key
        try store.get(id).payload.withUnsafeBytes { XCTAssertEqual(Array($0), [7]) }
        store.close()
    }

    func testProviderIsRetainedUntilCloseThenReleased() throws {
        weak var weakProvider: InMemoryKeyProvider?
        var store: Custos?
        do {
            let provider = InMemoryKeyProvider()
            weakProvider = provider
            store = try Custos(path: dir.path, keyProvider: provider)
        }
        XCTAssertNotNil(weakProvider, "the store keeps its provider alive")
        XCTAssertNoThrow(try store?.devicePublicKey())
        store?.close()
        XCTAssertNil(weakProvider, "close releases the provider")
        store = nil
    }

    func testProviderIsReleasedWhenOpenFails() throws {
        weak var weakProvider: InMemoryKeyProvider?
        do {
            let provider = InMemoryKeyProvider()
            weakProvider = provider
            XCTAssertThrowsCustos(.notFound, try Custos(path: dir.path, create: false, keyProvider: provider))
        }
        XCTAssertNil(weakProvider)
    }

    func testAThrownSwiftErrorIsAKeyError() throws {
        let provider = InMemoryKeyProvider()
        let store = try Custos(path: dir.path, keyProvider: provider)
        try store.load(Fixture.camera)
        let s = try store.addSubject(externalId: "s", role: .owner)
        let id = try store.put(SecureBytes([1]), subject: s, purpose: Camera.operate, category: Camera.video)
        store.close()
        // A provider without this store's keys cannot open it.
        XCTAssertThrowsCustos(.key, try Custos(path: dir.path, create: false, keyProvider: InMemoryKeyProvider()))
        // A provider that refuses to unwrap (a locked Keychain) fails the read with .key.
        let reopened = try Custos(path: dir.path, create: false, keyProvider: provider)
        provider.failUnwrap = true
        XCTAssertThrowsCustos(.key, try reopened.get(id))
        provider.failUnwrap = false
        XCTAssertEqual(try reopened.get(id).payload.count, 1)
        reopened.close()
    }

    func testRotationCreatesANewGenerationAndDestroysTheOld() throws {
        let provider = InMemoryKeyProvider()
        let store = try Custos(path: dir.path, keyProvider: provider)
        try store.load(Fixture.camera)
        let s = try store.addSubject(externalId: "s", role: .owner)
        let id = try store.put(SecureBytes([3]), subject: s, purpose: Camera.operate, category: Camera.video)
        let before = provider.generations
        try store.rotateKEK()
        XCTAssertEqual(provider.generations.count, 1)
        XCTAssertGreaterThan(provider.generations[0], before.max()!)
        try store.get(id).payload.withUnsafeBytes { XCTAssertEqual(Array($0), [3]) }
        store.close()
    }

    func testFactoryResetDestroysTheProvidersKeys() throws {
        let provider = InMemoryKeyProvider()
        let store = try Custos(path: dir.path, keyProvider: provider)
        let oldKey = try provider.publicKey()
        let receipt = try store.factoryReset()
        XCTAssertEqual(provider.destroyAllCalls, 1)
        XCTAssertNoThrow(try receipt.verify(publicKey: oldKey))
        XCTAssertNotEqual(try store.devicePublicKey(), oldKey)
        XCTAssertEqual(try store.devicePublicKey(), try provider.publicKey())
        store.close()
    }

    // MARK: The store's anchor

    private var anchorFile: String { dir.appendingPathComponent("anchor").path }

    /// Opens the store, records one consent decision, and closes it.
    private func record(_ decide: (Custos, Subject) throws -> Void, provider: any KeyProvider,
                        create: Bool) throws {
        let store = try Custos(path: dir.path, create: create, keyProvider: provider)
        defer { store.close() }
        if create { try store.load(Fixture.camera) }
        let s = try create ? store.addSubject(externalId: "s", role: .owner) : store.findSubject(externalId: "s")
        try decide(store, s)
    }

    func testAProviderThatKeepsTheAnchorRefusesAWholeDirectoryRestoredFromAnOlderCopy() throws {
        let provider = AnchorKeepingProvider()
        try record({ try $0.giveConsent(subject: $1, purpose: Camera.cloudRecording) }, provider: provider, create: true)
        XCTAssertGreaterThan(provider.stores, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: anchorFile), "the provider keeps it, not the directory")
        let old = dir.appendingPathExtension("old"), current = dir.appendingPathExtension("current")
        defer {
            try? FileManager.default.removeItem(at: old)
            try? FileManager.default.removeItem(at: current)
        }
        try FileManager.default.copyItem(at: dir, to: old)
        try record({ try $0.withdrawConsent(subject: $1, purpose: Camera.cloudRecording) }, provider: provider, create: false)

        // Every file of the older copy takes the store's place.
        try FileManager.default.moveItem(at: dir, to: current)
        try FileManager.default.moveItem(at: old, to: dir)
        XCTAssertThrowsError(try Custos(path: dir.path, create: false, keyProvider: provider)) { error in
            let e = error as? CustosError
            XCTAssertEqual(e?.code, .corrupt, "\(error)")
            XCTAssertEqual(e?.rawCode, Int32(CUSTOS_ECORRUPT))
            XCTAssertTrue(e?.detail?.contains("older than the store's anchor") ?? false, "\(error)")
        }

        // The newer directory, put back, still opens, with the withdrawal.
        try FileManager.default.moveItem(at: dir, to: old)
        try FileManager.default.moveItem(at: current, to: dir)
        let store = try Custos(path: dir.path, create: false, keyProvider: provider)
        let s = try store.findSubject(externalId: "s")
        XCTAssertEqual(try store.consentState(subject: s, purpose: Camera.cloudRecording).status, .withdrawn)
        store.close()
    }

    func testAProviderWithoutAnchorCallsLeavesTheAnchorInTheStoreDirectory() throws {
        let provider = InMemoryKeyProvider() // implements none of the anchor calls
        XCTAssertFalse(provider.keepsAnchor)
        try record({ try $0.giveConsent(subject: $1, purpose: Camera.cloudRecording) }, provider: provider, create: true)
        XCTAssertTrue(FileManager.default.fileExists(atPath: anchorFile))
        try record({ try $0.withdrawConsent(subject: $1, purpose: Camera.cloudRecording) }, provider: provider, create: false)
        let store = try Custos(path: dir.path, create: false, keyProvider: provider)
        let s = try store.findSubject(externalId: "s")
        XCTAssertEqual(try store.consentState(subject: s, purpose: Camera.cloudRecording).status, .withdrawn)
        store.close()
    }

    func testAnAnchorThatCannotBeLoadedFailsTheOpenWithAKeyError() throws {
        let provider = AnchorKeepingProvider()
        try record({ try $0.giveConsent(subject: $1, purpose: Camera.cloudRecording) }, provider: provider, create: true)
        provider.failLoad = true
        XCTAssertThrowsCustos(.key, try Custos(path: dir.path, create: false, keyProvider: provider))
        provider.failLoad = false
        XCTAssertNoThrow(try Custos(path: dir.path, create: false, keyProvider: provider).close())
    }
}
