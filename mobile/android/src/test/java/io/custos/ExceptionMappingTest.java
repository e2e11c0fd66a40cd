package io.custos;

import static io.custos.Fixtures.CLOUD_RECORDING;
import static io.custos.Fixtures.TELEMETRY;
import static io.custos.Fixtures.PERFORMANCE;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Each CustosException subclass, produced by a real failure of the library,
 * carries its C code and a message that starts with the code's name.
 */
public class ExceptionMappingTest {
    private Path dir;

    @Before
    public void setUp() throws Exception {
        dir = TestDirs.create("exceptions");
    }

    @After
    public void tearDown() throws Exception {
        TestDirs.remove(dir);
    }

    private static void assertMapped(CustosException e, int code, String name) {
        assertEquals(code, e.code());
        assertTrue(e.getMessage(), e.getMessage().startsWith(name));
    }

    @Test
    public void corrupt() throws Exception {
        Custos.open(dir.toString()).close();
        Path h = dir.resolve("STORE");
        Files.write(h, Arrays.copyOf(Files.readAllBytes(h), 20));
        assertMapped(assertThrows(CorruptException.class, () -> Custos.open(dir.toString())), -5, "CUSTOS_ECORRUPT");
    }

    @Test
    public void version() throws Exception {
        Custos.open(dir.toString()).close();
        Path h = dir.resolve("STORE");
        byte[] b = Files.readAllBytes(h);
        b[8] = 99;
        Files.write(h, b);
        assertMapped(assertThrows(VersionException.class, () -> Custos.open(dir.toString())), -6, "CUSTOS_EVERSION");
    }

    @Test
    public void notAStore() throws Exception {
        Path f = dir.resolve("file");
        Files.writeString(f, "not a store");
        assertMapped(assertThrows(NotAStoreException.class, () -> Custos.open(f.toString())), -7, "CUSTOS_ENOTSTORE");
    }

    @Test
    public void key() throws Exception {
        MemoryKeyProvider keys = new MemoryKeyProvider();
        keys.failOpen = true;
        assertMapped(assertThrows(KeyException.class, () -> Custos.open(dir.toString(), keys)), -8, "CUSTOS_EKEY");
    }

    @Test
    public void denied() throws Exception {
        try (Custos c = Fixtures.storeWithManifest(dir)) {
            Subject s = c.addSubject("s", Role.OWNER);
            assertMapped(assertThrows(DeniedException.class, () -> c.vault().put(s, PERFORMANCE, TELEMETRY, new byte[1])),
                -9, "CUSTOS_EDENIED");
        }
    }

    @Test
    public void notFound() throws Exception {
        try (Custos c = Fixtures.storeWithManifest(dir)) {
            assertMapped(assertThrows(NotFoundException.class, () -> c.findSubject("nobody")), -10, "CUSTOS_ENOTFOUND");
        }
    }

    @Test
    public void alreadyExists() throws Exception {
        try (Custos c = Fixtures.storeWithManifest(dir)) {
            c.addSubject("s", Role.OWNER);
            assertMapped(assertThrows(AlreadyExistsException.class, () -> c.addSubject("s", Role.GUEST)),
                -11, "CUSTOS_EEXIST");
        }
    }

    @Test
    public void signature() throws Exception {
        try (Custos c = Fixtures.storeWithManifest(dir)) {
            DeletionReceipt r = c.erasure().subject(c.addSubject("s", Role.OWNER));
            assertMapped(assertThrows(SignatureException.class, () -> r.verify(new byte[32])), -12, "CUSTOS_ESIGNATURE");
        }
    }

    @Test
    public void replayAndTheOutbox() throws Exception {
        try (Custos c = Fixtures.storeWithManifest(dir)) {
            Subject s = c.addSubject("s", Role.OWNER);
            c.consent().give(s, CLOUD_RECORDING);
            c.erasure().purpose(s, CLOUD_RECORDING);
            c.erasure().subject(s);
            List<Erasure.Outgoing> out = c.erasure().outbox();
            assertEquals(2, out.size());
            EraseRequestReceiver cloud = new EraseRequestReceiver(c.devicePublicKey());
            EraseRequest first = cloud.accept(out.get(0).message());
            assertEquals(EraseRequest.Scope.SUBJECT_PURPOSE, first.scope());
            assertEquals(CLOUD_RECORDING, first.purpose());
            assertArrayEquals(c.deviceId(), first.deviceId());
            assertEquals(32, first.subjectHash().length);
            byte[] saved = cloud.state();
            assertMapped(assertThrows(ReplayException.class, () -> cloud.accept(out.get(0).message())),
                -13, "CUSTOS_EREPLAY");
            EraseRequestReceiver resumed = new EraseRequestReceiver(c.devicePublicKey(), saved);
            EraseRequest second = resumed.accept(out.get(1).message());
            assertEquals(EraseRequest.Scope.SUBJECT, second.scope());
            assertEquals(-1, second.purpose());
            assertTrue(second.counter() > first.counter());
            assertThrows(SignatureException.class,
                () -> new EraseRequestReceiver(new byte[32]).accept(out.get(1).message()));
            c.erasure().acknowledge(out.get(0).seq());
            assertEquals(1, c.erasure().outbox().size());
        }
    }

    @Test
    public void manifest() {
        assertMapped(assertThrows(ManifestException.class, () -> Manifest.compile("custos: [", "m.yaml")),
            -14, "CUSTOS_EMANIFEST");
    }

    @Test
    public void busy() throws Exception {
        try (Custos c = Custos.open(dir.toString())) {
            assertMapped(assertThrows(BusyException.class, () -> Custos.open(dir.toString())), -15, "CUSTOS_EBUSY");
        }
    }

    @Test
    public void storage() throws Exception {
        try (Custos c = Fixtures.storeWithManifest(dir)) {
            Subject s = c.addSubject("s", Role.OWNER);
            String path = dir.resolve("no-such-dir").resolve("export").toString();
            ExportKeyPair kp = Vault.newExportKeyPair();
            assertMapped(assertThrows(StorageException.class, () -> c.vault().export(s, path, kp.publicKey())),
                -3, "CUSTOS_EIO");
        }
    }

    @Test
    public void invalidState() throws Exception {
        try (Custos c = Fixtures.storeWithManifest(dir)) {
            Subject s = c.addSubject("s", Role.OWNER);
            assertMapped(assertThrows(InvalidStateException.class, () -> c.consent().withdraw(s, CLOUD_RECORDING)),
                -17, "CUSTOS_ESTATE");
        }
    }

    @Test
    public void canceled() throws Exception {
        try (Custos c = Fixtures.storeWithManifest(dir)) {
            Subject s = c.addSubject("s", Role.OWNER);
            assertMapped(assertThrows(CanceledException.class, () -> c.erasure().subject(s, (step, total) -> false)),
                -20, "CUSTOS_ECANCELED");
        }
    }

    @Test
    public void invalidArgumentIsIllegalArgumentFromC() {
        /* Not caught in Java: the C library's CUSTOS_EINVAL becomes IllegalArgumentException. */
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Disclosure.generate(new byte[] {1}, Disclosure.Format.NOTICE_MD, "klingon"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("CUSTOS_E"));
    }

    @Test
    public void unsupportedIsItsOwnException() {
        /* Needs a CPU without AES-GCM to provoke (the C tests force it): check the class alone. */
        UnsupportedException e = new UnsupportedException(-21, "CUSTOS_EUNSUPPORTED");
        assertTrue(e instanceof CustosException);
        assertEquals(-21, e.code());
    }

    @Test
    public void diskFullIsAStorageException() {
        DiskFullException e = new DiskFullException(-4, "CUSTOS_ENOSPC");
        assertTrue(e instanceof StorageException);
        assertEquals(-4, e.code());
    }
}
