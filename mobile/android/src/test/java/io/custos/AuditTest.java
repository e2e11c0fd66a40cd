package io.custos;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
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
}
