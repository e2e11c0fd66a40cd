import Custos
import Foundation
import XCTest

/// What a consent screen needs: its purposes, the notice hash, and the
/// stream of decisions (the same cases as Java's ConsentScreenTest).
final class ConsentScreenTests: StoreTestCase {
    private func purpose(_ screen: [PurposeInfo], _ id: UInt32) throws -> PurposeInfo {
        try XCTUnwrap(screen.first { $0.id == id }, "purpose \(id) is not on the screen")
    }

    private func hex(_ s: String) -> Data {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            let j = s.index(i, offsetBy: 2)
            out.append(UInt8(s[i..<j], radix: 16)!)
            i = j
        }
        return Data(out)
    }

    func testTheScreenListsEveryPurposeWithTheYamlValues() throws {
        let screen = try Fixture.camera.consentScreen(language: "en")
        XCTAssertEqual(screen.map(\.id), [1, 2, 3, 4, 5, 6])
        let p = try purpose(screen, Camera.cloudRecording)
        XCTAssertEqual(p.key, "functional.service")
        XCTAssertEqual(p.title, "Cloud recording")
        XCTAssertTrue(p.description.hasPrefix("Record video and sound when motion is detected"))
        XCTAssertEqual(p.legalBasis, "consent")
        XCTAssertFalse(p.isRequired)
        XCTAssertEqual(p.categories.map(\.id), [Camera.video, Camera.audio, Camera.presence])
        XCTAssertEqual(p.categories[0].key, "user.sensor.video")
        XCTAssertEqual(p.categories[0].name, "Video from the camera")
        XCTAssertEqual(p.recipients.map(\.name), ["Example Cloud Hosting Ltd."])
        XCTAssertEqual(p.recipients[0].country, "JP")
        XCTAssertEqual(p.recipients[0].role, "processor")
        XCTAssertEqual(p.retention, "P30D")
        XCTAssertEqual(p.retentionDays, 30)
        XCTAssertNil(p.retentionUntil)
    }

    func testRequiredPurposesSayWhyAndHowLong() throws {
        let screen = try Fixture.camera.consentScreen()
        let op = try purpose(screen, Camera.operate)
        XCTAssertTrue(op.isRequired)
        XCTAssertEqual(op.legalBasis, "contract")
        XCTAssertNil(op.retention)
        XCTAssertEqual(op.retentionDays, 0)
        XCTAssertEqual(op.retentionUntil, "device_reset")
        XCTAssertTrue(op.recipients.isEmpty)
        XCTAssertEqual(try purpose(screen, 6).legalBasis, "legal_obligation")
        XCTAssertEqual(try purpose(screen, Camera.performance).retentionDays, 390)
        XCTAssertEqual(try purpose(screen, 5).description, "")
        XCTAssertEqual(try purpose(screen, Camera.personDetection).recipients[0].country, "US")
    }

    func testTheJapaneseScreenHasJapaneseTextsAndTheSameFacts() throws {
        let en = try Fixture.camera.consentScreen(language: "en")
        let ja = try Fixture.camera.consentScreen(language: "ja")
        let p = try purpose(ja, Camera.cloudRecording)
        XCTAssertEqual(p.title, "クラウド録画")
        XCTAssertEqual(p.categories[0].name, "カメラの映像")
        XCTAssertEqual(try purpose(ja, Camera.personDetection).categories[1].name, "識別した人物の顔特徴データ")
        XCTAssertEqual(en.count, ja.count)
        for (a, b) in zip(en, ja) {
            XCTAssertNotEqual(a.title, b.title)
            XCTAssertEqual(a.legalBasis, b.legalBasis)
            XCTAssertEqual(a.retentionDays, b.retentionDays)
        }
    }

    func testPurposeInfoIsAHashableCodableValue() throws {
        let a = try Fixture.camera.consentScreen(language: "ja")
        XCTAssertEqual(a, try Fixture.camera.consentScreen(language: "ja"))
        XCTAssertEqual(Set(a).count, a.count)
        XCTAssertNotEqual(a[1], try Fixture.camera.consentScreen(language: "en")[1])
        let json = try JSONEncoder().encode(a)
        XCTAssertEqual(try JSONDecoder().decode([PurposeInfo].self, from: json), a)
    }

    func testALanguageTheManifestDoesNotDeclareIsInvalid() throws {
        XCTAssertThrowsCustos(.invalidArgument, try Fixture.camera.consentScreen(language: "fr"))
        XCTAssertThrowsCustos(.invalidArgument, try Fixture.camera.consentScreen(language: ""))
        XCTAssertThrowsCustos(.invalidArgument, try Fixture.camera.consentScreen(language: "EN"))
        do {
            _ = try Fixture.camera.consentScreen(language: "fr")
        } catch let e as CustosError {
            XCTAssertTrue(e.message.contains("'fr'"), e.message)
        }
    }

    func testTheNoticeHashIsBlake2b256OfTheUtf8Text() {
        XCTAssertEqual(Consent.noticeHash("abc"), hex("bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"))
        XCTAssertEqual(Consent.noticeHash("カメラの映像をクラウドに保存します。"),
                       hex("b2a533b2cd48aa95a1974c75c75fb8ca16dac8af3d9a7a7950520c02df8d423e"))
        XCTAssertEqual(Consent.noticeHash("😀 ok"), hex("e8a86acabbbddd2f3872479d93b4a36544314528f6c07d318cf4a96622018181"))
        XCTAssertEqual(Consent.noticeHash([UInt8]()), hex("0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"))
        XCTAssertEqual(Consent.noticeHash("abc"), Consent.noticeHash(Array("abc".utf8)))
    }

    func testTheNoticeHashIsWhatTheEventRecords() throws {
        let alice = try store.addSubject(externalId: "alice", role: .owner)
        let h = Consent.noticeHash("# プライバシーのお知らせ\n")
        try store.giveConsent(subject: alice, purpose: Camera.cloudRecording,
                              info: ConsentInfo(noticeHash: h, noticeLanguage: "ja"))
        let e = try XCTUnwrap(try store.consentHistory(subject: alice).first)
        XCTAssertEqual(e.noticeHash, h)
        XCTAssertEqual(e.noticeLanguage, "ja")
    }

    func testTheStreamTellsEachDecisionAfterItIsRecorded() async throws {
        let alice = try store.addSubject(externalId: "alice", role: .owner)
        var changes = store.consentChanges().makeAsyncIterator()
        var other = store.consentChanges().makeAsyncIterator()
        try store.giveConsent(subject: alice, purpose: Camera.cloudRecording)
        try store.withdrawConsent(subject: alice, purpose: Camera.cloudRecording)
        try store.refuseConsent(subject: alice, purpose: Camera.performance)
        XCTAssertThrowsCustos(.invalidArgument, try store.giveConsent(subject: alice, purpose: Camera.operate))
        try store.giveConsent(subject: alice, purpose: Camera.cloudRecording)
        try store.renewConsent(subject: alice, purpose: Camera.cloudRecording)
        let next = await changes.next()
        let first = try XCTUnwrap(next)
        XCTAssertEqual(first.subject, alice)
        XCTAssertEqual(first.purpose, Camera.cloudRecording)
        XCTAssertEqual(first.status, .given)
        var statuses: [ConsentStatus] = []
        for _ in 0..<4 {
            let change = await changes.next()
            statuses.append(try XCTUnwrap(change).status)
        }
        XCTAssertEqual(statuses, [.withdrawn, .refused, .given, .renewed], "a refused call yields nothing")
        let otherFirst = await other.next()
        XCTAssertEqual(otherFirst?.status, .given, "every stream gets every decision")
        store.close()
        let afterClose = await changes.next()
        XCTAssertNil(afterClose, "closing the store finishes the streams")
        var late = store.consentChanges().makeAsyncIterator()
        let lateFirst = await late.next()
        XCTAssertNil(lateFirst, "a stream asked for after close is already finished")
    }
}
