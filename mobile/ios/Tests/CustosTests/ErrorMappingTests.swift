import Custos
import Foundation
import XCTest

/// Each CustosError.Code produced by a real failure, where one can be
/// provoked from Swift. Also produced elsewhere: .version and .busy
/// (CustosTests), .replay (SyncTests), .canceled (EraseProgressTests),
/// .key from a Swift provider (KeyProviderTests). No reachable cause here:
/// .outOfMemory, .diskFull, .crypto, .internal (no fault injection from
/// Swift), .bufferTooSmall (the wrapper sizes every buffer itself) and
/// .unsupported (needs a CPU without AES-GCM; the C tests force it).
final class ErrorMappingTests: StoreTestCase {
    func testEveryCodeHasItsCoreName() {
        let codes: [CustosError.Code] = [.invalidArgument, .outOfMemory, .io, .diskFull, .corrupt, .version, .notAStore,
                                         .key, .denied, .notFound, .alreadyExists, .signature, .replay, .manifest, .busy,
                                         .bufferTooSmall, .invalidState, .crypto, .internal, .canceled,
                                         .unsupported]
        for (i, code) in codes.enumerated() {
            XCTAssertEqual(code.rawValue, Int32(-1 - i))
            XCTAssertTrue(CustosError(code).message.hasPrefix("CUSTOS_E"), CustosError(code).message)
        }
        XCTAssertEqual(CustosError(.key, detail: "keychain locked").message.hasSuffix("keychain locked"), true)
    }

    func testInvalidArgument() throws {
        let s = try store.addSubject(externalId: "s", role: .owner)
        XCTAssertThrowsCustos(.invalidArgument, try store.recordConsent(.invalidated, subject: s, purpose: Camera.cloudRecording))
    }

    func testIO() throws {
        let file = dir.appendingPathComponent("not-a-dir")
        try Data([1]).write(to: file)
        XCTAssertThrowsError(try Custos(path: file.appendingPathComponent("store").path)) { error in
            let code = (error as? CustosError)?.code
            XCTAssertTrue(code == .io || code == .notFound, "\(error)")
        }
    }

    func testNotAStore() throws {
        let foreign = Fixture.storeDirectory()
        defer { try? FileManager.default.removeItem(at: foreign) }
        try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: true)
        try Data(repeating: 0x41, count: 64).write(to: foreign.appendingPathComponent("STORE"))
        XCTAssertThrowsCustos(.notAStore, try Custos(path: foreign.path))
    }

    func testCorruptAndSignature() throws {
        XCTAssertThrowsCustos(.corrupt, try DeletionReceipt(bytes: [0xFF]))
        let s = try store.addSubject(externalId: "s", role: .owner)
        let receipt = try store.erase(subject: s)
        XCTAssertThrowsCustos(.signature, try receipt.verify(publicKey: [UInt8](repeating: 9, count: 32)))
        do {
            try receipt.verify(publicKey: [UInt8](repeating: 9, count: 32))
        } catch let e as CustosError {
            XCTAssertTrue(e.message.contains("signed by another key"), e.message) // custos_last_error()
        }
    }

    func testKeyDeniedNotFoundExistsStateManifest() throws {
        let s = try store.addSubject(externalId: "s", role: .owner)
        XCTAssertThrowsCustos(.alreadyExists, try store.addSubject(externalId: "s", role: .owner))
        XCTAssertThrowsCustos(.notFound, try store.get(12345))
        XCTAssertThrowsCustos(.denied, try store.put(SecureBytes([1]), subject: s, purpose: Camera.cloudRecording, category: Camera.video))
        XCTAssertThrowsCustos(.invalidState, try store.withdrawConsent(subject: s, purpose: Camera.cloudRecording))
        XCTAssertThrowsCustos(.manifest, try CompiledManifest.compile(yaml: "not: a manifest"))
        try store.giveConsent(subject: s, purpose: Camera.cloudRecording)
        let id = try store.put(SecureBytes([1]), subject: s, purpose: Camera.cloudRecording, category: Camera.video)
        _ = try store.erase(subject: s, purpose: Camera.cloudRecording)
        XCTAssertThrowsError(try store.get(id)) { error in
            let code = (error as? CustosError)?.code
            XCTAssertTrue(code == .key || code == .notFound, "an erased record: \(error)")
        }
    }

    func testClosedIsNotACCode() throws {
        store.close()
        XCTAssertThrowsCustos(.closed, try store.addSubject(externalId: "s", role: .owner))
        XCTAssertThrowsCustos(.closed, try store.factoryReset())
    }
}
