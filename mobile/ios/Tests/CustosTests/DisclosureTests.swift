import CCustos
import Custos
import Foundation
import XCTest

/// Disclosures generated from a manifest, the access report, and the SDK's
/// own PrivacyInfo.xcprivacy.
final class DisclosureTests: XCTestCase {
    func testEveryFormatIsGeneratedDeterministically() throws {
        for format in DisclosureFormat.allCases {
            let a = try Disclosure.generate(format, from: Fixture.camera, language: "en", date: "2026-01-31")
            let b = try Disclosure.generate(format, from: Fixture.camera, language: "en", date: "2026-01-31")
            XCTAssertFalse(a.isEmpty, format.name)
            XCTAssertEqual(a, b, format.name)
            XCTAssertEqual(DisclosureFormat(name: format.name), format)
            XCTAssertFalse(try format.fileName().isEmpty)
        }
        XCTAssertEqual(try DisclosureFormat.xcprivacy.fileName(), "PrivacyInfo.xcprivacy")
        XCTAssertTrue(DisclosureFormat.noticeHTML.isLocalized)
        XCTAssertFalse(DisclosureFormat.playCSV.isLocalized)
    }

    func testTheEnumCoversExactlyTheCoreFormats() {
        // A format the core adds and the binding lacks, or the reverse, fails here.
        for raw in UInt32(0)...64 {
            let known = custos_disclose_format_name(custos_disclose_format(rawValue: raw)) != nil
            XCTAssertEqual(known, DisclosureFormat(rawValue: raw) != nil, "format \(raw)")
        }
    }

    func testJapaneseNoticeDiffersFromEnglish() throws {
        let en = try Disclosure.generate(.noticeMarkdown, from: Fixture.camera, language: "en")
        let ja = try Disclosure.generate(.noticeMarkdown, from: Fixture.camera, language: "ja")
        XCTAssertNotEqual(en, ja)
        XCTAssertTrue(ja.contains("カメラ"))
        XCTAssertThrowsCustos(.invalidArgument, try Disclosure.generate(.noticeMarkdown, from: Fixture.camera, language: "xx"))
    }

    func testXcprivacyOfTheCameraDeclaresItsCollectedTypes() throws {
        let plist = try Disclosure.generate(.xcprivacy, from: Fixture.camera)
        let dict = try XCTUnwrap(try PropertyListSerialization.propertyList(from: Data(plist.utf8), format: nil) as? [String: Any])
        XCTAssertEqual(dict["NSPrivacyTracking"] as? Bool, false)
        XCTAssertFalse((dict["NSPrivacyCollectedDataTypes"] as? [Any] ?? []).isEmpty)
    }

    func testTheSDKsOwnPrivacyManifestIsCurrentAndCollectsNothing() throws {
        let yaml = try Fixture.text("mobile/ios/privacy-sdk.yaml")
        let generated = try Disclosure.generate(.xcprivacy, from: try CompiledManifest.compile(yaml: yaml, filename: "privacy-sdk.yaml"))
        let committed = try Fixture.text("mobile/ios/Sources/Custos/PrivacyInfo.xcprivacy")
        XCTAssertEqual(generated, committed)
        let dict = try XCTUnwrap(try PropertyListSerialization.propertyList(from: Data(committed.utf8), format: nil) as? [String: Any])
        XCTAssertEqual(dict["NSPrivacyTracking"] as? Bool, false)
        XCTAssertEqual((dict["NSPrivacyCollectedDataTypes"] as? [Any])?.count, 0)
        XCTAssertEqual((dict["NSPrivacyTrackingDomains"] as? [Any])?.count, 0)
    }

    func testAccessReportForOnePerson() throws {
        let dir = Fixture.storeDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Custos(path: dir.path)
        try store.load(Fixture.camera)
        let s = try store.addSubject(externalId: "s", role: .owner)
        try store.giveConsent(subject: s, purpose: Camera.cloudRecording)
        _ = try store.put(SecureBytes(Array("secret clip".utf8)), subject: s, purpose: Camera.cloudRecording, category: Camera.video)
        let md = try store.accessReport(subject: s, manifest: Fixture.camera)
        XCTAssertFalse(md.isEmpty)
        XCTAssertFalse(md.contains("secret clip"), "payloads are never printed")
        let html = try store.accessReport(subject: s, manifest: Fixture.camera, format: .noticeHTML, language: "ja")
        XCTAssertTrue(html.contains("<"))
        XCTAssertThrowsCustos(.invalidState, try store.accessReport(subject: s, manifest: Fixture.cameraV2))
        XCTAssertThrowsCustos(.notFound, try store.accessReport(subject: Subject(rawValue: 99), manifest: Fixture.camera))
        store.close()
    }
}
