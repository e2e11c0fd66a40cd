import Custos
import Foundation
import XCTest

/// Shared fixtures of the Swift tests: the repository root (found from this
/// file's path, so no environment variable is needed), the example
/// manifests, fresh store directories.
enum Fixture {
    /// The repository root: the first parent holding examples/ and core/.
    static let repositoryRoot: URL = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            let fm = FileManager.default
            if fm.fileExists(atPath: dir.appendingPathComponent("examples/smart-camera/privacy.yaml").path),
               fm.fileExists(atPath: dir.appendingPathComponent("core/include/custos/custos.h").path) {
                return dir
            }
            dir = dir.deletingLastPathComponent()
        }
        fatalError("repository root not found above \(#filePath)")
    }()

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: repositoryRoot.appendingPathComponent(relative), encoding: .utf8)
    }

    /// examples/smart-camera/privacy.yaml, compiled.
    static let camera: CompiledManifest = {
        try! CompiledManifest.compile(yaml: try! text("examples/smart-camera/privacy.yaml"), filename: "privacy.yaml")
    }()

    /// examples/smart-camera/privacy-v2.yaml, compiled against version 1.
    static let cameraV2: CompiledManifest = {
        try! CompiledManifest.compile(yaml: try! text("examples/smart-camera/privacy-v2.yaml"),
                                      filename: "privacy-v2.yaml", previous: camera)
    }()

    /// A fresh directory path under TMPDIR (not created).
    static func storeDirectory() -> URL {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? NSTemporaryDirectory()
        return URL(fileURLWithPath: base).appendingPathComponent("custos-swift-\(UUID().uuidString)")
    }
}

// The example camera's purposes and categories (examples/smart-camera/privacy.yaml).
enum Camera {
    static let operate: UInt32 = 1          // contract: video, device id, wifi
    static let cloudRecording: UInt32 = 2   // consent: video, audio, presence
    static let performance: UInt32 = 3      // consent: device id, telemetry
    static let personDetection: UInt32 = 4  // consent (explicit): video, biometric
    static let video: UInt32 = 1
    static let audio: UInt32 = 2
    static let presence: UInt32 = 3
    static let telemetry: UInt32 = 5
    static let biometric: UInt32 = 7
}

/// A test case with a fresh store, loaded with the camera manifest.
class StoreTestCase: XCTestCase {
    var dir: URL!
    var store: Custos!

    override func setUpWithError() throws {
        dir = Fixture.storeDirectory()
        store = try Custos(path: dir.path)
        try store.load(Fixture.camera)
    }

    override func tearDownWithError() throws {
        store?.close()
        store = nil
        try? FileManager.default.removeItem(at: dir)
    }
}

/// Asserts that `body` throws a `CustosError` with `code`.
func XCTAssertThrowsCustos<T>(_ code: CustosError.Code, _ body: @autoclosure () throws -> T,
                              file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        guard let e = error as? CustosError else {
            return XCTFail("expected CustosError \(code), got \(error)", file: file, line: line)
        }
        XCTAssertEqual(e.code, code, e.message, file: file, line: line)
        XCTAssertFalse(e.message.isEmpty, file: file, line: line)
    }
}
