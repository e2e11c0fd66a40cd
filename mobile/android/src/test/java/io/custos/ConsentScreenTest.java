package io.custos;

import static io.custos.Fixtures.CLOUD_RECORDING;
import static io.custos.Fixtures.OPERATE;
import static io.custos.Fixtures.PERFORMANCE;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/** What a consent screen needs: its purposes, the notice hash, and being told of decisions. */
public class ConsentScreenTest {
    private static PurposeInfo purpose(List<PurposeInfo> screen, int id) {
        for (PurposeInfo p : screen) {
            if (p.id() == id) {
                return p;
            }
        }
        throw new AssertionError("purpose " + id + " is not on the screen");
    }

    private static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    @Test
    public void theScreenListsEveryPurposeWithTheYamlValues() throws Exception {
        List<PurposeInfo> screen = Manifest.consentScreen(Fixtures.exampleManifest(), "en");
        assertEquals(6, screen.size());
        for (int i = 0; i < 6; i++) {
            assertEquals(i + 1, screen.get(i).id());
        }
        PurposeInfo p = purpose(screen, CLOUD_RECORDING);
        assertEquals("functional.service", p.key());
        assertEquals("Cloud recording", p.title());
        assertTrue(p.description().startsWith("Record video and sound when motion is detected"));
        assertEquals("consent", p.legalBasis());
        assertFalse(p.isRequired());
        assertEquals(3, p.categories().size());
        assertEquals(Fixtures.VIDEO, p.categories().get(0).id());
        assertEquals("user.sensor.video", p.categories().get(0).key());
        assertEquals("Video from the camera", p.categories().get(0).name());
        assertEquals(1, p.recipients().size());
        assertEquals("Example Cloud Hosting Ltd.", p.recipients().get(0).name());
        assertEquals("JP", p.recipients().get(0).country());
        assertEquals("processor", p.recipients().get(0).role());
        assertEquals("P30D", p.retention());
        assertEquals(30, p.retentionDays());
        assertNull(p.retentionUntil());
    }

    @Test
    public void requiredPurposesSayWhyAndHowLong() throws Exception {
        List<PurposeInfo> screen = Manifest.consentScreen(Fixtures.exampleManifest(), null);
        PurposeInfo op = purpose(screen, OPERATE);
        assertTrue(op.isRequired());
        assertEquals("contract", op.legalBasis());
        assertNull(op.retention());
        assertEquals(0, op.retentionDays());
        assertEquals("device_reset", op.retentionUntil());
        assertTrue(op.recipients().isEmpty());
        assertEquals("legal_obligation", purpose(screen, 6).legalBasis());
        assertEquals(390, purpose(screen, PERFORMANCE).retentionDays());
        assertEquals("", purpose(screen, 5).description());
        assertEquals("US", purpose(screen, Fixtures.SMART_DETECTION).recipients().get(0).country());
    }

    @Test
    public void theJapaneseScreenCrossesAsRealUtf8() throws Exception {
        byte[] m = Fixtures.exampleManifest();
        List<PurposeInfo> en = Manifest.consentScreen(m, "en");
        List<PurposeInfo> ja = Manifest.consentScreen(m, "ja");
        PurposeInfo p = purpose(ja, CLOUD_RECORDING);
        assertEquals("クラウド録画", p.title());
        assertEquals("カメラの映像", p.categories().get(0).name());
        assertEquals("識別した人物の顔特徴データ", purpose(ja, Fixtures.SMART_DETECTION).categories().get(1).name());
        for (int i = 0; i < en.size(); i++) {
            assertFalse(en.get(i).title().equals(ja.get(i).title()));
            assertEquals(en.get(i).legalBasis(), ja.get(i).legalBasis());
            assertEquals(en.get(i).retentionDays(), ja.get(i).retentionDays());
        }
    }

    @Test
    public void purposeInfoIsAnImmutableValue() throws Exception {
        byte[] m = Fixtures.exampleManifest();
        List<PurposeInfo> a = Manifest.consentScreen(m, "ja");
        List<PurposeInfo> b = Manifest.consentScreen(m, "ja");
        assertEquals(a, b);
        assertEquals(a.get(1).hashCode(), b.get(1).hashCode());
        assertFalse(a.get(1).equals(Manifest.consentScreen(m, "en").get(1)));
        assertThrows(UnsupportedOperationException.class, () -> a.remove(0));
        assertThrows(UnsupportedOperationException.class, () -> a.get(1).categories().clear());
        assertThrows(UnsupportedOperationException.class, () -> a.get(1).recipients().clear());
    }

    @Test
    public void badInputsGetTheirPreciseErrors() throws Exception {
        byte[] m = Fixtures.exampleManifest();
        IllegalArgumentException lang = assertThrows(IllegalArgumentException.class,
            () -> Manifest.consentScreen(m, "fr"));
        assertTrue(lang.getMessage(), lang.getMessage().contains("'fr'"));
        assertThrows(IllegalArgumentException.class, () -> Manifest.consentScreen(m, ""));
        assertThrows(IllegalArgumentException.class, () -> Manifest.consentScreen(null, "en"));
        m[m.length / 2] ^= 1;
        CorruptException e = assertThrows(CorruptException.class, () -> Manifest.consentScreen(m, "en"));
        assertEquals(-5, e.code());
        byte[] yaml = Fixtures.exampleYaml().getBytes(StandardCharsets.UTF_8);
        assertThrows(CorruptException.class, () -> Manifest.consentScreen(yaml, "en"));
    }

    @Test
    public void theNoticeHashIsBlake2b256OfTheUtf8Text() {
        assertArrayEquals(hex("bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"),
            Consent.noticeHash("abc"));
        assertArrayEquals(hex("b2a533b2cd48aa95a1974c75c75fb8ca16dac8af3d9a7a7950520c02df8d423e"),
            Consent.noticeHash("カメラの映像をクラウドに保存します。"));
        assertArrayEquals(hex("e8a86acabbbddd2f3872479d93b4a36544314528f6c07d318cf4a96622018181"),
            Consent.noticeHash("\uD83D\uDE00 ok"));
        assertArrayEquals(hex("0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"),
            Consent.noticeHash(new byte[0]));
        assertArrayEquals(Consent.noticeHash("abc"), Consent.noticeHash("abc".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> Consent.noticeHash((String) null));
        assertThrows(IllegalArgumentException.class, () -> Consent.noticeHash((byte[]) null));
    }

    @Test
    public void theNoticeHashIsWhatTheEventRecords() throws Exception {
        Path dir = TestDirs.create("screen-notice");
        try (Custos c = Fixtures.storeWithManifest(dir)) {
            Subject alice = c.addSubject("alice", Role.OWNER);
            byte[] h = Consent.noticeHash("# プライバシーのお知らせ\n");
            c.consent().give(alice, CLOUD_RECORDING, ConsentInfo.DEFAULT.withNotice("ja", h));
            ConsentEvent e = c.consent().history(alice).get(0);
            assertArrayEquals(h, e.noticeHash());
            assertEquals("ja", e.noticeLang());
        } finally {
            TestDirs.remove(dir);
        }
    }

    @Test
    public void listenersHearEachDecisionAfterItIsRecorded() throws Exception {
        Path dir = TestDirs.create("screen-listen");
        try (Custos c = Fixtures.storeWithManifest(dir)) {
            Subject alice = c.addSubject("alice", Role.OWNER);
            List<RecordedConsent> heard = new ArrayList<RecordedConsent>();
            List<Decision> seen = new ArrayList<Decision>();
            ConsentListener l = d -> {
                heard.add(d);
                seen.add(c.check(d.subject(), d.purpose(), Fixtures.VIDEO));
            };
            c.consent().addListener(l);
            c.consent().addListener(l);
            c.consent().give(alice, CLOUD_RECORDING);
            c.consent().withdraw(alice, CLOUD_RECORDING);
            c.consent().refuse(alice, PERFORMANCE);
            c.consent().give(alice, CLOUD_RECORDING);
            c.consent().renew(alice, CLOUD_RECORDING, ConsentInfo.DEFAULT);
            assertEquals(5, heard.size());
            assertEquals(new RecordedConsent(alice, CLOUD_RECORDING, ConsentStatus.GIVEN), heard.get(0));
            assertEquals(ConsentStatus.WITHDRAWN, heard.get(1).status());
            assertEquals(ConsentStatus.REFUSED, heard.get(2).status());
            assertEquals(PERFORMANCE, heard.get(2).purpose());
            assertEquals(ConsentStatus.RENEWED, heard.get(4).status());
            assertEquals("the gate already answers with the decision", Decision.ALLOW, seen.get(0));
            assertEquals(Decision.DENY_WITHDRAWN, seen.get(1));

            assertThrows(IllegalArgumentException.class, () -> c.consent().give(alice, OPERATE));
            assertEquals("a refused call tells nobody", 5, heard.size());

            assertTrue(c.consent().removeListener(l));
            assertFalse(c.consent().removeListener(l));
            c.consent().withdraw(alice, CLOUD_RECORDING);
            assertEquals(5, heard.size());
            assertThrows(IllegalArgumentException.class, () -> c.consent().addListener(null));
        } finally {
            TestDirs.remove(dir);
        }
    }

    @Test
    public void aThrowingListenerReachesTheCallerAndTheDecisionStands() throws Exception {
        Path dir = TestDirs.create("screen-throw");
        try (Custos c = Fixtures.storeWithManifest(dir)) {
            Subject alice = c.addSubject("alice", Role.OWNER);
            c.consent().addListener(d -> {
                throw new IllegalStateException("listener bug");
            });
            assertThrows(IllegalStateException.class, () -> c.consent().give(alice, CLOUD_RECORDING));
            assertEquals(ConsentStatus.GIVEN, c.consent().state(alice, CLOUD_RECORDING).status());
        } finally {
            TestDirs.remove(dir);
        }
    }
}
