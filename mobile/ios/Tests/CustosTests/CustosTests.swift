import Custos
import Foundation
import XCTest

/// Opening and closing a store from Swift, and how every failure surfaces.
final class CustosTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? NSTemporaryDirectory()
        dir = URL(fileURLWithPath: base).appendingPathComponent("custos-swift-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    func testVersionIsSemantic() {
        XCTAssertNotNil(Custos.version.range(of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression))
    }

    func testReopenKeepsDeviceIdentity() throws {
        let first = try Custos(path: dir.path)
        let pk = try first.devicePublicKey()
        let id = try first.deviceId()
        XCTAssertEqual(pk.count, 32)
        XCTAssertEqual(id.count, 16)
        first.close()
        let again = try Custos(path: dir.path, create: false)
        XCTAssertEqual(try again.devicePublicKey(), pk)
        XCTAssertEqual(try again.deviceId(), id)
    }

    func testCloseTwiceIsHarmlessAndUseAfterCloseThrowsClosed() throws {
        let c = try Custos(path: dir.path)
        c.close()
        c.close()
        XCTAssertTrue(c.isClosed)
        XCTAssertThrowsError(try c.devicePublicKey()) { error in
            XCTAssertEqual((error as? CustosError)?.code, .closed)
        }
    }

    func testMissingStoreIsNotFound() {
        XCTAssertThrowsError(try Custos(path: dir.appendingPathComponent("absent").path, create: false)) { error in
            let e = error as? CustosError
            XCTAssertEqual(e?.code, .notFound)
            XCTAssertEqual(e?.rawCode, -10)
            XCTAssertTrue(e?.message.hasPrefix("CUSTOS_ENOTFOUND") ?? false)
        }
    }

    func testNewerFormatIsVersionError() throws {
        try Custos(path: dir.path).close()
        let header = dir.appendingPathComponent("STORE")
        var bytes = try Data(contentsOf: header)
        bytes[8] = 99
        try bytes.write(to: header)
        XCTAssertThrowsError(try Custos(path: dir.path)) { error in
            XCTAssertEqual((error as? CustosError)?.code, .version)
        }
    }

    func testSecondOpenIsBusy() throws {
        let c = try Custos(path: dir.path)
        XCTAssertThrowsError(try Custos(path: dir.path)) { error in
            XCTAssertEqual((error as? CustosError)?.code, .busy)
        }
        c.close()
    }

    func testSecureBytesRoundTrip() {
        let s = SecureBytes([1, 2, 3])
        XCTAssertEqual(s.count, 3)
        s.withUnsafeBytes { XCTAssertEqual(Array($0), [1, 2, 3]) }
    }

    func testConcurrentCallsWhileClosing() async throws {
        let c = try Custos(path: dir.path)
        let expected = try c.devicePublicKey()
        await withTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var ok = 0
                    for _ in 0..<500 {
                        if let pk = try? c.devicePublicKey() {
                            XCTAssertEqual(pk, expected)
                            ok += 1
                        }
                    }
                    return ok
                }
            }
            group.addTask {
                c.close()
                return 0
            }
            for await _ in group {}
        }
        XCTAssertTrue(c.isClosed)
    }
}
