package io.custos;

import static io.custos.Fixtures.AUDIO;
import static io.custos.Fixtures.BIOMETRIC;
import static io.custos.Fixtures.CLOUD_RECORDING;
import static io.custos.Fixtures.OPERATE;
import static io.custos.Fixtures.VIDEO;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The consent gate from Java: every decision, and checks racing with consent changes. */
public class GateTest {
    private Path dir;
    private Custos c;
    private Subject alice;

    @Before
    public void setUp() throws Exception {
        dir = TestDirs.create("gate");
        c = Fixtures.storeWithManifest(dir);
        alice = c.addSubject("alice", Role.OWNER);
    }

    @After
    public void tearDown() throws Exception {
        c.close();
        TestDirs.remove(dir);
    }

    @Test
    public void decisionsMatchTheCValuesAndOnlyAllowIsAllowed() {
        for (Decision d : Decision.values()) {
            assertEquals(d.ordinal(), d.code());
            assertEquals(d == Decision.ALLOW, d.isAllowed());
            assertFalse(d.description().isEmpty());
        }
        assertEquals("allow", Decision.ALLOW.description());
    }

    @Test
    public void everyDenialHasItsReason() throws Exception {
        assertEquals(Decision.ALLOW, c.check(alice, OPERATE, VIDEO)); /* contract: no consent needed */
        assertEquals(Decision.DENY_UNKNOWN_SUBJECT, c.check(Subject.of(999), CLOUD_RECORDING, VIDEO));
        assertEquals(Decision.DENY_UNKNOWN_PURPOSE, c.check(alice, 60, VIDEO));
        assertEquals(Decision.DENY_CATEGORY_NOT_DECLARED, c.check(alice, CLOUD_RECORDING, BIOMETRIC));
        assertEquals(Decision.DENY_NO_CONSENT, c.check(alice, CLOUD_RECORDING, VIDEO));
        c.consent().refuse(alice, CLOUD_RECORDING);
        assertEquals(Decision.DENY_REFUSED, c.check(alice, CLOUD_RECORDING, AUDIO));
        c.consent().give(alice, CLOUD_RECORDING);
        assertEquals(Decision.ALLOW, c.check(alice, CLOUD_RECORDING, AUDIO));
        c.consent().withdraw(alice, CLOUD_RECORDING);
        assertEquals(Decision.DENY_WITHDRAWN, c.check(alice, CLOUD_RECORDING, AUDIO));
        c.consent().give(alice, CLOUD_RECORDING);
        c.consent().revoke(alice, CLOUD_RECORDING, ConsentInfo.DEFAULT.withActor(ConsentActor.CONTROLLER));
        assertEquals(Decision.DENY_REVOKED, c.check(alice, CLOUD_RECORDING, AUDIO));
    }

    @Test
    public void badArgumentsAreIllegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> c.check(null, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> c.check(alice, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> c.check(alice, 1, -1));
        assertThrows(IllegalArgumentException.class, () -> Subject.of(-1));
        assertThrows(IllegalArgumentException.class, () -> Subject.of(1L << 32));
    }

    /** Four threads check while one gives and withdraws: every answer is one of the two states. */
    @Test
    public void checksRaceWithWithdrawals() throws Exception {
        c.consent().give(alice, CLOUD_RECORDING);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger allowed = new AtomicInteger();
        AtomicInteger withdrawn = new AtomicInteger();
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < 100; i++) {
                    c.consent().withdraw(alice, CLOUD_RECORDING);
                    c.consent().give(alice, CLOUD_RECORDING);
                }
                c.consent().withdraw(alice, CLOUD_RECORDING);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            readers.add(new Thread(() -> {
                try {
                    while (writer.isAlive()) {
                        Decision d = c.check(alice, CLOUD_RECORDING, VIDEO);
                        if (d == Decision.ALLOW) {
                            allowed.incrementAndGet();
                        } else if (d == Decision.DENY_WITHDRAWN) {
                            withdrawn.incrementAndGet();
                        } else {
                            throw new AssertionError("unexpected " + d);
                        }
                        /* Readers that also read the ledger take the same handle concurrently. */
                        c.consent().state(alice, CLOUD_RECORDING);
                    }
                } catch (Throwable th) {
                    failure.compareAndSet(null, th);
                }
            }));
        }
        writer.start();
        readers.forEach(Thread::start);
        writer.join();
        for (Thread r : readers) {
            r.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertTrue(allowed.get() + withdrawn.get() > 0);
        assertEquals(Decision.DENY_WITHDRAWN, c.check(alice, CLOUD_RECORDING, VIDEO));
        assertEquals(202, c.consent().history(alice).size());
        c.consent().verifyLedger();
    }
}
