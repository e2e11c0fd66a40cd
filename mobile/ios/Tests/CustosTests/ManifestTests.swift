import Custos
import Foundation
import XCTest

/// Compiling, validating, showing and diffing manifests.
final class ManifestTests: XCTestCase {
    func testCompileIsDeterministicAndVerifiable() throws {
        let yaml = try Fixture.text("examples/smart-camera/privacy.yaml")
        let a = try CompiledManifest.compile(yaml: yaml)
        let b = try CompiledManifest.compile(yaml: yaml)
        XCTAssertEqual(a, b)
        XCTAssertEqual(try CompiledManifest(bytes: a.bytes), a)
        XCTAssertNoThrow(try CompiledManifest.validate(yaml: yaml))
    }

    func testInvalidYamlNamesFileLineAndColumn() throws {
        let yaml = "custos: 1\nproduct:\n  name: [unterminated\n"
        XCTAssertThrowsError(try CompiledManifest.compile(yaml: yaml, filename: "broken.yaml")) { error in
            let e = error as? CustosError
            XCTAssertEqual(e?.code, .manifest)
            XCTAssertTrue(e?.message.contains("broken.yaml:") ?? false, e?.message ?? "")
        }
        XCTAssertThrowsCustos(.manifest, try CompiledManifest.validate(yaml: "custos: 1\n"))
    }

    func testDamagedCompiledFileIsCorrupt() throws {
        var bytes = Fixture.camera.bytes
        bytes[bytes.count - 3] ^= 0xFF
        XCTAssertThrowsCustos(.corrupt, try CompiledManifest(bytes: bytes))
        XCTAssertThrowsCustos(.corrupt, try CompiledManifest(bytes: Array(bytes.prefix(10))))
    }

    func testShowAsTextAndJSON() throws {
        let text = try Fixture.camera.show()
        XCTAssertTrue(text.contains("Example Indoor Camera"), text)
        let json = try Fixture.camera.show(json: true)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(json.utf8)))
    }

    func testDiffNamesTheNewRecipient() throws {
        let changes = try Fixture.cameraV2.changes(since: Fixture.camera)
        XCTAssertEqual(changes.map(\.purpose), [Camera.performance])
        XCTAssertTrue(changes[0].reasons.contains(.newRecipient))
        XCTAssertTrue(changes[0].needsConsent)
        XCTAssertEqual(changes[0].reasonNames, ["new recipient"])
        XCTAssertTrue(try Fixture.cameraV2.diffReport(since: Fixture.camera).contains("3"))
        XCTAssertNoThrow(try JSONSerialization.jsonObject(
            with: Data(try Fixture.cameraV2.diffReport(since: Fixture.camera, json: true).utf8)))
    }

    func testPolicyVersionMustNotGoBackAgainstPrevious() throws {
        let yaml = try Fixture.text("examples/smart-camera/privacy.yaml")
        XCTAssertThrowsCustos(.manifest, try CompiledManifest.compile(yaml: yaml, previous: Fixture.cameraV2))
    }
}
