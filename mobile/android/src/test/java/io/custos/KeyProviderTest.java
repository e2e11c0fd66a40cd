package io.custos;

import static io.custos.Fixtures.CLOUD_RECORDING;
import static io.custos.Fixtures.VIDEO;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** A store whose keys are held by a Java KeyProvider, called back from C. */
public class KeyProviderTest {
    private Path dir;
    private MemoryKeyProvider keys;

    @Before
    public void setUp() throws Exception {
        dir = TestDirs.create("keys");
        keys = new MemoryKeyProvider();
    }

    @After
    public void tearDown() throws Exception {
        TestDirs.remove(dir);
    }

    @Test
    public void theStoreUsesTheJavaKeysForEverything() throws Exception {
        long id;
        byte[] pk;
        try (Custos c = Custos.open(dir.toString(), keys)) {
            assertTrue(keys.isOpen());
            assertFalse("no key file beside the store", Files.exists(dir.resolve("keys")));
            pk = c.devicePublicKey();
            assertArrayEquals(keys.publicKey(), pk);
            c.loadManifest(Fixtures.exampleManifest());
            Subject alice = c.addSubject("alice", Role.OWNER);
            c.consent().give(alice, CLOUD_RECORDING);
            assertTrue("consent events are signed by the provider", keys.signs > 0);
            id = c.vault().put(alice, CLOUD_RECORDING, VIDEO, new byte[] {1, 2, 3});
            assertTrue("data keys are wrapped by the provider", keys.wraps > 0);
            assertEquals(1, Consent.verifyReceipt(c.consent().receipt(alice, ReceiptFormat.KANTARA), pk));
        }
        assertFalse(keys.isOpen());
        try (Custos c = Custos.openExisting(dir.toString(), keys)) {
            int before = keys.unwraps;
            assertArrayEquals(new byte[] {1, 2, 3}, c.vault().get(id));
            assertTrue(keys.unwraps > before);
            assertArrayEquals(pk, c.devicePublicKey());
            DeletionReceipt r = c.erasure().subject(c.findSubject("alice"));
            r.verify(pk);
            assertTrue(c.audit().verify().isIntact());
        }
    }

    @Test
    public void anotherProvidersKeysDoNotOpenTheStore() throws Exception {
        try (Custos c = Custos.open(dir.toString(), keys)) {
            c.loadManifest(Fixtures.exampleManifest());
        }
        MemoryKeyProvider empty = new MemoryKeyProvider();
        KeyException e = assertThrows(KeyException.class, () -> Custos.openExisting(dir.toString(), empty));
        assertTrue(e.getMessage(), e.getMessage().contains("no keys for"));
    }

    @Test
    public void aThrowingProviderIsAKeyExceptionWithItsText() throws Exception {
        keys.failOpen = true;
        KeyException e = assertThrows(KeyException.class, () -> Custos.open(dir.toString(), keys));
        assertEquals(-8, e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("keystore locked (injected)"));
        keys.failOpen = false;
        try (Custos c = Custos.open(dir.toString(), keys)) {
            c.loadManifest(Fixtures.exampleManifest());
            Subject alice = c.addSubject("alice", Role.OWNER);
            keys.failSign = true;
            KeyException s = assertThrows(KeyException.class, () -> c.consent().give(alice, CLOUD_RECORDING));
            assertTrue(s.getMessage(), s.getMessage().contains("signing key unavailable"));
            keys.failSign = false;
            assertEquals(ConsentStatus.UNKNOWN, c.consent().state(alice, CLOUD_RECORDING).status());
            c.consent().give(alice, CLOUD_RECORDING);
        }
    }

    @Test
    public void kekRotationAndFactoryResetGoThroughTheProvider() throws Exception {
        try (Custos c = Custos.open(dir.toString(), keys)) {
            c.loadManifest(Fixtures.exampleManifest());
            Subject alice = c.addSubject("alice", Role.OWNER);
            c.consent().give(alice, CLOUD_RECORDING);
            long id = c.vault().put(alice, CLOUD_RECORDING, VIDEO, new byte[] {7});
            int kek = keys.currentKek();
            c.vault().rotateKek();
            assertTrue(keys.currentKek() > kek);
            assertArrayEquals(new byte[] {7}, c.vault().get(id));
            byte[] oldPk = c.devicePublicKey();
            DeletionReceipt r = c.factoryReset();
            r.verify(oldPk);
            assertFalse(java.util.Arrays.equals(oldPk, c.devicePublicKey()));
            assertArrayEquals(keys.publicKey(), c.devicePublicKey());
        }
    }

    /** Callbacks from many threads at once, each with its own JNIEnv and local frames. */
    @Test
    public void manyThreadsCallIntoTheProvider() throws Exception {
        try (Custos c = Custos.open(dir.toString(), keys)) {
            c.loadManifest(Fixtures.exampleManifest());
            List<Subject> subjects = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Subject s = c.addSubject("user" + i, Role.HOUSEHOLD_MEMBER);
                c.consent().give(s, CLOUD_RECORDING);
                subjects.add(s);
            }
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (Subject s : subjects) {
                threads.add(new Thread(() -> {
                    try {
                        for (int i = 0; i < 50; i++) {
                            byte[] data = {(byte) i, (byte) s.id()};
                            long id = c.vault().put(s, CLOUD_RECORDING, VIDEO, data);
                            assertArrayEquals(data, c.vault().get(id));
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            for (Subject s : subjects) {
                assertEquals(50, c.vault().list(s).length);
            }
        }
    }

    /**
     * One native call that calls Java hundreds of times (a KEK rotation
     * unwraps and re-wraps every data key): -Xcheck:jni reports any local
     * reference a callback leaves behind.
     */
    @Test
    public void oneCallWithManyCallbacksLeaksNoLocalReferences() throws Exception {
        try (Custos c = Custos.open(dir.toString(), keys)) {
            c.loadManifest(Fixtures.exampleManifest());
            for (int i = 0; i < 60; i++) {
                Subject s = c.addSubject("member" + i, Role.HOUSEHOLD_MEMBER);
                c.consent().give(s, CLOUD_RECORDING);
                c.vault().put(s, CLOUD_RECORDING, VIDEO, new byte[] {(byte) i});
            }
            int wraps = keys.wraps;
            int unwraps = keys.unwraps;
            c.vault().rotateKek();
            assertTrue(keys.wraps - wraps >= 60);
            assertTrue(keys.unwraps - unwraps >= 60);
            assertArrayEquals(new byte[] {5}, c.vault().get(c.vault().list(c.findSubject("member5"))[0]));
        }
    }

    @Test
    public void nullProviderIsIllegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> Custos.open(dir.toString(), null));
    }
}
