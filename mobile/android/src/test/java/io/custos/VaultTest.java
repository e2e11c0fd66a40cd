package io.custos;

import static io.custos.Fixtures.AUDIO;
import static io.custos.Fixtures.CLOUD_RECORDING;
import static io.custos.Fixtures.OPERATE;
import static io.custos.Fixtures.PERFORMANCE;
import static io.custos.Fixtures.TELEMETRY;
import static io.custos.Fixtures.VIDEO;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The vault from Java: records in and out, large payloads, export and import. */
public class VaultTest {
    private Path dir;
    private Custos c;
    private Subject alice;

    @Before
    public void setUp() throws Exception {
        dir = TestDirs.create("vault");
        c = Fixtures.storeWithManifest(dir);
        alice = c.addSubject("alice", Role.OWNER);
        c.consent().give(alice, CLOUD_RECORDING);
    }

    @After
    public void tearDown() throws Exception {
        c.close();
        TestDirs.remove(dir);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    public void recordsComeBackWithTheirFacts() throws Exception {
        long before = System.currentTimeMillis() / 1000 - 5;
        long id = c.vault().put(alice, CLOUD_RECORDING, AUDIO, new byte[] {9, 8, 7});
        VaultRecord r = c.vault().record(id);
        assertEquals(id, r.id());
        assertEquals(CLOUD_RECORDING, r.purpose());
        assertEquals(AUDIO, r.category());
        assertTrue(r.created() >= before);
        assertTrue("retention P30D", r.expires() > r.created());
        assertArrayEquals(new byte[] {9, 8, 7}, r.data());
    }

    @Test
    public void emptyPayloadIsAllowed() throws Exception {
        long id = c.vault().put(alice, CLOUD_RECORDING, VIDEO, new byte[0]);
        assertEquals(0, c.vault().get(id).length);
    }

    @Test
    public void oneMebibyteRecordRoundTrips() throws Exception {
        byte[] big = random(1 << 20, 1);
        long id = c.vault().put(alice, CLOUD_RECORDING, VIDEO, big);
        assertArrayEquals(big, c.vault().get(id));
    }

    @Test
    public void theLargestRecordRoundTripsAndOneMoreByteIsRefused() throws Exception {
        int max = (int) Vault.maxPayload();
        assertEquals(16 << 20, max);
        byte[] big = random(max, 2);
        long id = c.vault().put(alice, CLOUD_RECORDING, VIDEO, big);
        assertArrayEquals(big, c.vault().get(id));
        assertThrows(IllegalArgumentException.class,
            () -> c.vault().put(alice, CLOUD_RECORDING, VIDEO, new byte[max + 1]));
    }

    @Test
    public void listDeleteAndNotFound() throws Exception {
        long[] ids = new long[50];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = c.vault().put(alice, CLOUD_RECORDING, VIDEO, new byte[] {(byte) i});
        }
        assertArrayEquals(ids, c.vault().list(alice));
        c.vault().delete(ids[3]);
        assertEquals(49, c.vault().list(alice).length);
        assertThrows(NotFoundException.class, () -> c.vault().get(ids[3]));
        assertThrows(NotFoundException.class, () -> c.vault().delete(ids[3]));
        assertThrows(NotFoundException.class, () -> c.vault().list(Subject.of(777)));
        assertEquals(0, c.vault().list(c.addSubject("bob", Role.GUEST)).length);
    }

    @Test
    public void theGateDecidesWhatIsStored() throws Exception {
        DeniedException e = assertThrows(DeniedException.class,
            () -> c.vault().put(alice, PERFORMANCE, TELEMETRY, new byte[1]));
        assertEquals(-9, e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("consent"));
        assertEquals(0, c.vault().list(alice).length);
        c.vault().put(alice, OPERATE, VIDEO, new byte[1]); /* contract: allowed */
    }

    @Test
    public void maintainAndRotateKeepRecordsReadable() throws Exception {
        long id = c.vault().put(alice, CLOUD_RECORDING, VIDEO, new byte[] {5});
        assertEquals(0, c.vault().maintain());
        c.vault().rotateKek();
        assertArrayEquals(new byte[] {5}, c.vault().get(id));
        assertEquals(null, c.erasure().expired());
    }

    @Test
    public void exportImportsIntoAnotherStore() throws Exception {
        c.vault().put(alice, CLOUD_RECORDING, VIDEO, new byte[] {1});
        c.vault().put(alice, CLOUD_RECORDING, AUDIO, random(100_000, 3));
        ExportKeyPair recipient = Vault.newExportKeyPair();
        Path file = dir.resolve("alice.export");
        c.vault().export(alice, file.toString(), recipient.publicKey());
        assertTrue(Files.size(file) > 100_000);

        Path other = TestDirs.create("vault-import");
        try (Custos d = Fixtures.storeWithManifest(other)) {
            Subject a2 = d.addSubject("alice", Role.OWNER);
            assertThrows(DeniedException.class, () -> d.vault().importFrom(file.toString(), a2, recipient));
            d.consent().give(a2, CLOUD_RECORDING);
            ExportKeyPair stranger = Vault.newExportKeyPair();
            assertThrows(KeyException.class, () -> d.vault().importFrom(file.toString(), a2, stranger));
            byte[] bytes = Files.readAllBytes(file);
            Path cut = other.resolve("cut.export");
            Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 20));
            assertThrows(CorruptException.class, () -> d.vault().importFrom(cut.toString(), a2, recipient));
            assertEquals(2, d.vault().importFrom(file.toString(), a2, recipient));
            long[] ids = d.vault().list(a2);
            assertEquals(2, ids.length);
            assertArrayEquals(new byte[] {1}, d.vault().get(ids[0]));
        } finally {
            recipient.wipe();
            TestDirs.remove(other);
        }
        assertFalse(recipient.secretKey()[0] != 0);
    }

    @Test
    public void badArgumentsAreIllegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> c.vault().put(alice, CLOUD_RECORDING, VIDEO, null));
        assertThrows(IllegalArgumentException.class, () -> c.vault().put(alice, -2, VIDEO, new byte[1]));
        assertThrows(IllegalArgumentException.class,
            () -> c.vault().export(alice, dir.resolve("x").toString(), new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> c.vault().export(alice, "", new byte[32]));
    }

    @Test
    public void putManyStoresAllOrNone() throws Exception {
        long[] ids = c.vault().putMany(alice, Arrays.asList(
            new VaultItem(new byte[] {1}, CLOUD_RECORDING, VIDEO),
            new VaultItem(new byte[] {2, 2}, OPERATE, VIDEO)));
        assertEquals(2, ids.length);
        assertArrayEquals(new byte[] {2, 2}, c.vault().get(ids[1]));
        assertEquals(OPERATE, c.vault().record(ids[1]).purpose());
        assertThrows(DeniedException.class, () -> c.vault().putMany(alice, Arrays.asList(
            new VaultItem(new byte[] {3}, CLOUD_RECORDING, VIDEO),
            new VaultItem(new byte[] {4}, PERFORMANCE, TELEMETRY))));
        assertArrayEquals(ids, c.vault().list(alice));
        assertThrows(IllegalArgumentException.class, () -> new VaultItem(null, OPERATE, VIDEO));
        assertThrows(IllegalArgumentException.class,
            () -> c.vault().putMany(alice, Arrays.asList(new VaultItem(new byte[1], OPERATE, VIDEO), null)));
    }

    @Test
    public void passphraseProviderReopensOnlyWithThePassphrase() throws Exception {
        Path pdir = TestDirs.create("vault-passphrase");
        try {
            byte[] pass = "correct horse \u00e9\ud83d\udd11".getBytes(StandardCharsets.UTF_8);
            long id;
            try (Custos first = Custos.openWithPassphrase(pdir.toString(), pass)) {
                first.loadManifest(Fixtures.exampleManifest());
                Subject s = first.addSubject("s", Role.OWNER);
                id = first.vault().put(s, OPERATE, VIDEO, new byte[] {5});
            }
            assertThrows(KeyException.class,
                () -> Custos.openExistingWithPassphrase(pdir.toString(), "wrong".getBytes(StandardCharsets.UTF_8)));
            assertThrows(IllegalArgumentException.class, () -> Custos.openWithPassphrase(pdir.toString(), new byte[0]));
            assertTrue(Files.exists(pdir));
            try (Custos again = Custos.openExistingWithPassphrase(pdir.toString(), pass.clone())) {
                assertArrayEquals(new byte[] {5}, again.vault().get(id));
            }
        } finally {
            TestDirs.remove(pdir);
        }
    }
}
