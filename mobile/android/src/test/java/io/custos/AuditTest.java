package io.custos;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The audit chain from Java: verify in the store and off the device. */
public class AuditTest {
    private Path dir;
    private Custos c;

    @Before
    public void setUp() throws Exception {
        dir = TestDirs.create("audit");
        c = Fixtures.storeWithManifest(dir);
        Subject alice = c.addSubject("alice", Role.OWNER);
        c.consent().give(alice, Fixtures.CLOUD_RECORDING);
    }

    @After
    public void tearDown() throws Exception {
        c.close();
        TestDirs.remove(dir);
    }

    @Test
    public void aFreshChainIsIntactAndCheckpointed() throws Exception {
        AuditReport r = c.audit().verify();
        assertTrue(r.toString(), r.isIntact());
        assertEquals(AuditReport.Failure.NONE, r.failure());
        assertTrue(r.entries() >= 3); /* store created, manifest loaded, consent changed */
        assertEquals(r.entries(), r.lastSeq());
        c.audit().checkpoint();
        AuditReport after = c.audit().verify();
        assertEquals(0, after.unsignedTail());
        assertEquals(after.lastSeq(), after.lastCheckpointSeq());
        assertTrue(after.checkpoints() >= 1);
    }

    @Test
    public void anExportVerifiesOnlyWithTheDeviceKey() throws Exception {
        c.audit().checkpoint();
        byte[] export = c.audit().export();
        AuditReport r = Audit.verifyExport(export, c.devicePublicKey());
        assertTrue(r.toString(), r.isIntact());
        byte[] other = c.devicePublicKey();
        other[0] ^= 1;
        assertFalse(Audit.verifyExport(export, other).isIntact());
        AuditReport junk = Audit.verifyExport(new byte[] {1, 2, 3, 4}, c.devicePublicKey());
        assertEquals(AuditReport.Failure.EXPORT_MALFORMED, junk.failure());
        assertThrows(IllegalArgumentException.class, () -> Audit.verifyExport(export, new byte[5]));
    }

    @Test
    public void optionalEventsCanBeSwitchedOff() throws Exception {
        assertTrue(c.audit().optionalEvents());
        c.audit().setOptionalEvents(false);
        assertFalse(c.audit().optionalEvents());
        c.close();
        c = Custos.open(dir.toString());
        assertFalse(c.audit().optionalEvents());
    }

    @Test
    public void entriesReadTheChainInOrder() throws Exception {
        AuditReport r = c.audit().verify();
        List<AuditEntry> all = c.audit().entries();
        assertEquals(r.entries(), all.size());
        assertEquals(AuditKind.STORE_CREATED, all.get(0).kind());
        boolean manifest = false;
        boolean consent = false;
        for (int i = 0; i < all.size(); i++) {
            AuditEntry e = all.get(i);
            assertEquals(i + 1, e.seq());
            assertEquals(32, e.hash().length);
            manifest |= e.kind() == AuditKind.MANIFEST_LOADED;
            if (e.kind() == AuditKind.CONSENT_CHANGED) {
                consent = true;
                assertEquals(32, e.subjectHash().length);
                assertEquals(Fixtures.CLOUD_RECORDING, e.purpose());
            }
        }
        assertTrue(manifest && consent);
        assertNull(all.get(0).subjectHash());
        List<AuditEntry> tail = c.audit().entries(r.lastSeq());
        assertEquals(1, tail.size());
        assertArrayEquals(all.get(all.size() - 1).hash(), tail.get(0).hash());
        assertEquals("consent_changed", AuditKind.CONSENT_CHANGED.coreName());
        assertTrue(AuditKind.ERASE.isMandatory());
        assertFalse(AuditKind.ACCESS.isMandatory());
        c.audit().setOptionalEvents(false);
        boolean settings = false;
        for (AuditEntry e : c.audit().entries(r.lastSeq() + 1)) {
            settings |= e.kind() == AuditKind.SETTINGS_CHANGED && e.code() == 0;
        }
        assertTrue(settings);
    }
}
