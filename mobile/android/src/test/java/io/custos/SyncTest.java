package io.custos;

import static io.custos.Fixtures.CLOUD_RECORDING;
import static io.custos.Fixtures.PERFORMANCE;
import static io.custos.Fixtures.VIDEO;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A device's store and its companion app's store, paired, exchanging signed
 * consent updates, state reports and manifest offers (mirrors Swift's SyncTests).
 */
public class SyncTest {
    private Path deviceDir;
    private Path appDir;
    private Custos device;
    private Custos app;
    private byte[] deviceId;

    @Before
    public void setUp() throws Exception {
        deviceDir = TestDirs.create("sync-device");
        appDir = TestDirs.create("sync-app");
        device = Fixtures.storeWithManifest(deviceDir);
        app = Fixtures.storeWithManifest(appDir);
        deviceId = device.deviceId();
        device.pair(app.devicePublicKey());
        app.pair(device.devicePublicKey(), deviceId);
    }

    @After
    public void tearDown() throws Exception {
        device.close();
        app.close();
        TestDirs.remove(deviceDir);
        TestDirs.remove(appDir);
    }

    private static List<ConsentChange> one(Subject s, int purpose, ConsentStatus status) {
        return Collections.singletonList(new ConsentChange(s, purpose, status));
    }

    @Test
    public void appUpdateIsAppliedOnceOnTheDevice() throws Exception {
        Subject owner = device.addSubject("owner", Role.OWNER);
        byte[] update = app.encodeConsentUpdate(deviceId, one(owner, CLOUD_RECORDING, ConsentStatus.GIVEN));
        assertTrue(update.length <= Custos.maxSyncMessage());
        assertEquals(1, device.applyConsentUpdate(update));
        assertEquals(Decision.ALLOW, device.check(owner, CLOUD_RECORDING, VIDEO));
        assertTrue(device.consent().history(owner).get(0).isAppSigned());
        assertThrows(ReplayException.class, () -> device.applyConsentUpdate(update));

        byte[] withdraw = app.encodeConsentUpdate(deviceId, one(owner, CLOUD_RECORDING, ConsentStatus.WITHDRAWN));
        assertEquals(1, device.applyConsentUpdate(withdraw));
        assertEquals(Decision.DENY_WITHDRAWN, device.check(owner, CLOUD_RECORDING, VIDEO));
    }

    @Test
    public void tamperedOrUnpairedUpdatesAreRefused() throws Exception {
        Subject owner = device.addSubject("owner", Role.OWNER);
        byte[] update = app.encodeConsentUpdate(deviceId, one(owner, CLOUD_RECORDING, ConsentStatus.GIVEN));
        update[update.length - 1] ^= 0x01;
        CustosException e = assertThrows(CustosException.class, () -> device.applyConsentUpdate(update));
        assertTrue(e.toString(), e instanceof SignatureException || e instanceof CorruptException);

        device.unpair(app.devicePublicKey());
        byte[] fresh = app.encodeConsentUpdate(deviceId, one(owner, CLOUD_RECORDING, ConsentStatus.GIVEN));
        assertThrows(SignatureException.class, () -> device.applyConsentUpdate(fresh));
        assertThrows(NotFoundException.class,
            () -> app.encodeConsentUpdate(new byte[16], one(owner, CLOUD_RECORDING, ConsentStatus.GIVEN)));
        assertEquals(Decision.DENY_NO_CONSENT, device.check(owner, CLOUD_RECORDING, VIDEO));
    }

    @Test
    public void malformedArgumentsAreRefusedBeforeTheCore() throws Exception {
        Subject owner = device.addSubject("owner", Role.OWNER);
        assertThrows(IllegalArgumentException.class, () -> device.pair(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> app.pair(device.devicePublicKey(), new byte[15]));
        assertThrows(IllegalArgumentException.class,
            () -> app.encodeConsentUpdate(new byte[15], one(owner, CLOUD_RECORDING, ConsentStatus.GIVEN)));
        ConsentChange[] many = new ConsentChange[17];
        Arrays.fill(many, new ConsentChange(owner, CLOUD_RECORDING, ConsentStatus.GIVEN));
        CustosException tooMany = assertThrows(CustosException.class,
            () -> app.encodeConsentUpdate(deviceId, Arrays.asList(many)));
        assertEquals(-16, tooMany.code());
        CustosException none = assertThrows(CustosException.class,
            () -> app.encodeConsentUpdate(deviceId, Collections.<ConsentChange>emptyList()));
        assertEquals(-16, none.code());
        assertThrows(IllegalArgumentException.class, () -> new ConsentChange(owner, -1, ConsentStatus.GIVEN));
    }

    @Test
    public void stateReportTravelsToTheApp() throws Exception {
        Subject owner = device.addSubject("owner", Role.OWNER);
        device.consent().give(owner, CLOUD_RECORDING);
        device.consent().refuse(owner, PERFORMANCE);
        byte[] signed = device.encodeStateReport();
        StateReport report = app.decodeStateReport(signed);
        assertArrayEquals(deviceId, report.deviceId());
        CompactConsentState state = null;
        for (CompactConsentState s : report.states()) {
            if (s.subject().id() == owner.id()) {
                state = s;
            }
        }
        assertNotNull(state);
        assertTrue(state.isGiven(CLOUD_RECORDING));
        assertFalse(state.isGiven(PERFORMANCE));
        assertTrue(state.isDecided(PERFORMANCE));
        assertEquals(1, state.policyVersion());
        app.unpair(device.devicePublicKey());
        assertThrows(SignatureException.class, () -> app.decodeStateReport(signed));
    }

    @Test
    public void manifestOfferNamesThePurposesToAskAgain() throws Exception {
        byte[] compiled = Fixtures.exampleManifestV2();
        device.loadManifest(compiled);
        ManifestOffer offer = app.decodeManifestOffer(device.encodeManifestOffer(new int[] {PERFORMANCE}));
        assertArrayEquals(Manifest.id(compiled), offer.manifestId());
        assertEquals(2, offer.policyVersion());
        assertArrayEquals(new int[] {PERFORMANCE}, offer.reconsent());
    }
}
