package io.custos;

import static io.custos.Fixtures.CLOUD_RECORDING;
import static io.custos.Fixtures.PERFORMANCE;
import static io.custos.Fixtures.TELEMETRY;
import static io.custos.Fixtures.VIDEO;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The whole life of an app's data, from the example manifest to a verified
 * deletion receipt: compile -> load -> subjects -> consent -> vault ->
 * withdraw -> erase -> receipt verification.
 */
public class LifecycleTest {
    private Path dir;

    @Before
    public void setUp() throws Exception {
        dir = TestDirs.create("lifecycle");
    }

    @After
    public void tearDown() throws Exception {
        TestDirs.remove(dir);
    }

    @Test
    public void fromManifestToVerifiedDeletionReceipt() throws Exception {
        byte[] compiled = Manifest.compile(Fixtures.exampleYaml(), "privacy.yaml");
        assertEquals(32, Manifest.id(compiled).length);
        try (Custos c = Custos.open(dir.toString())) {
            assertEquals(-1, c.policyVersion());
            assertEquals(Decision.DENY_NO_MANIFEST, c.check(Subject.of(1), CLOUD_RECORDING, VIDEO));
            c.loadManifest(compiled);
            assertEquals(1, c.policyVersion());

            Subject alice = c.addSubject("alice@example.com", Role.OWNER);
            Subject bob = c.addSubject("bob", Role.HOUSEHOLD_MEMBER);
            assertEquals(alice, c.findSubject("alice@example.com"));
            assertEquals(Role.HOUSEHOLD_MEMBER, c.role(bob));

            assertEquals(Decision.DENY_NO_CONSENT, c.check(alice, CLOUD_RECORDING, VIDEO));
            c.consent().give(alice, CLOUD_RECORDING);
            c.consent().give(alice, PERFORMANCE);
            assertEquals(Decision.ALLOW, c.check(alice, CLOUD_RECORDING, VIDEO));
            assertEquals(ConsentStatus.GIVEN, c.consent().state(alice, CLOUD_RECORDING).status());

            byte[] clip = "a video clip".getBytes(StandardCharsets.UTF_8);
            long clipId = c.vault().put(alice, CLOUD_RECORDING, VIDEO, clip);
            long statsId = c.vault().put(alice, PERFORMANCE, TELEMETRY, new byte[] {1, 2, 3});
            assertArrayEquals(clip, c.vault().get(clipId));
            assertArrayEquals(new long[] {clipId, statsId}, c.vault().list(alice));

            c.consent().withdraw(alice, CLOUD_RECORDING);
            assertEquals(Decision.DENY_WITHDRAWN, c.check(alice, CLOUD_RECORDING, VIDEO));
            assertThrows(DeniedException.class, () -> c.vault().put(alice, CLOUD_RECORDING, VIDEO, clip));
            /* The withdrawal erased that purpose's data, and only that purpose's. */
            assertThrows(NotFoundException.class, () -> c.vault().get(clipId));
            assertArrayEquals(new byte[] {1, 2, 3}, c.vault().get(statsId));

            byte[] pk = c.devicePublicKey();
            DeletionReceipt purposeReceipt = c.erasure().purpose(alice, CLOUD_RECORDING); /* again: harmless */
            purposeReceipt.verify(pk);

            List<ConsentEvent> history = c.consent().history(alice);
            assertEquals(ConsentStatus.WITHDRAWN, history.get(history.size() - 1).status());
            String consentReceipt = c.consent().receipt(alice, ReceiptFormat.ISO27560_JSONLD);
            assertEquals(history.size(), Consent.verifyReceipt(consentReceipt, pk));

            DeletionReceipt subjectReceipt = c.erasure().subject(alice);
            subjectReceipt.verify(pk);
            assertTrue(subjectReceipt.json().startsWith("{"));
            assertEquals(Decision.DENY_UNKNOWN_SUBJECT, c.check(alice, PERFORMANCE, TELEMETRY));
            assertThrows(NotFoundException.class, () -> c.vault().get(statsId));
            assertThrows(NotFoundException.class, () -> c.findSubject("alice@example.com"));
            assertEquals(bob, c.findSubject("bob"));

            List<DeletionReceipt> kept = c.erasure().receipts();
            assertEquals(3, kept.size()); /* the withdrawal's, the explicit purpose erase's, the subject's */
            kept.get(0).verify(pk);
            assertEquals(purposeReceipt, kept.get(1));
            assertEquals(subjectReceipt, kept.get(2));
            assertTrue(c.audit().verify().isIntact());
            c.consent().verifyLedger();
        }
    }

    @Test
    public void factoryResetKeepsTheObjectUsableOnAnEmptyStore() throws Exception {
        try (Custos c = Fixtures.storeWithManifest(dir)) {
            Subject alice = c.addSubject("alice", Role.OWNER);
            c.consent().give(alice, CLOUD_RECORDING);
            long id = c.vault().put(alice, CLOUD_RECORDING, VIDEO, new byte[] {42});
            byte[] oldKey = c.devicePublicKey();
            byte[] deviceId = c.deviceId();

            DeletionReceipt r = c.factoryReset();
            r.verify(oldKey);
            assertFalse(c.isClosed());
            assertArrayEquals(deviceId, c.deviceId());
            assertFalse(java.util.Arrays.equals(oldKey, c.devicePublicKey()));
            assertEquals(-1, c.policyVersion());
            assertThrows(NotFoundException.class, () -> c.findSubject("alice"));
            assertThrows(NotFoundException.class, () -> c.vault().get(id));
            assertEquals(r, c.erasure().receipts().get(0));
        }
    }
}
