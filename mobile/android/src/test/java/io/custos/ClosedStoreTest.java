package io.custos;

import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.function.ThrowingRunnable;

/** Every call on a closed store is IllegalStateException, never a crash. */
public class ClosedStoreTest {
    private Path dir;

    @Before
    public void setUp() throws Exception {
        dir = TestDirs.create("closed");
    }

    @After
    public void tearDown() throws Exception {
        TestDirs.remove(dir);
    }

    @Test
    public void everyCallAfterCloseIsIllegalState() throws Exception {
        Custos c = Fixtures.storeWithManifest(dir);
        Subject alice = c.addSubject("alice", Role.OWNER);
        Consent consent = c.consent();
        Vault vault = c.vault();
        Erasure erasure = c.erasure();
        Audit audit = c.audit();
        c.close();
        List<ThrowingRunnable> calls = List.of(
            c::deviceId, c::devicePublicKey, c::policyVersion, c::factoryReset,
            () -> c.loadManifest(new byte[1]),
            () -> c.addSubject("bob", Role.GUEST), () -> c.findSubject("alice"), () -> c.role(alice),
            () -> c.transferOwnership(alice), () -> c.check(alice, 2, 1),
            () -> consent.give(alice, 2), () -> consent.withdraw(alice, 2), () -> consent.state(alice, 2),
            () -> consent.history(alice), () -> consent.receipt(alice, ReceiptFormat.KANTARA),
            consent::verifyLedger, consent::repair,
            () -> vault.put(alice, 2, 1, new byte[1]), () -> vault.get(1), () -> vault.list(alice),
            () -> vault.delete(1), vault::maintain, vault::rotateKek,
            () -> vault.createStream(alice, 2, 1), () -> vault.openStream(1),
            () -> vault.export(alice, dir.resolve("x").toString(), new byte[32]),
            () -> erasure.subject(alice), () -> erasure.purpose(alice, 2), erasure::expired, erasure::receipts,
            audit::verify, audit::export, audit::checkpoint, audit::optionalEvents,
            () -> Disclosure.accessReport(c, alice, new byte[1], Disclosure.Format.NOTICE_MD, "en"));
        for (ThrowingRunnable call : calls) {
            IllegalStateException e = assertThrows(IllegalStateException.class, call);
            assertTrue(e.getMessage().contains("closed"));
        }
    }

    @Test
    public void anUnclosedStoreIsClosedByTheCloserThread() throws Exception {
        MemoryKeyProvider keys = new MemoryKeyProvider();
        for (int i = 0; i < 3; i++) {
            Custos.open(dir.toString(), keys).deviceId(); /* never closed: the custos-closer thread closes it */
            long deadline = System.currentTimeMillis() + 20_000;
            while (keys.isOpen() && System.currentTimeMillis() < deadline) {
                System.gc();
                Thread.sleep(20);
            }
            assertTrue("the closer thread closed the store and its provider", !keys.isOpen());
        }
        Custos.open(dir.toString(), keys).close(); /* the lock is free again */
    }
}
