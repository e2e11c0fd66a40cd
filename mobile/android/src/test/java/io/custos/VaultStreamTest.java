package io.custos;

import static io.custos.Fixtures.AUDIO;
import static io.custos.Fixtures.CLOUD_RECORDING;
import static io.custos.Fixtures.PERFORMANCE;
import static io.custos.Fixtures.TELEMETRY;
import static io.custos.Fixtures.VIDEO;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The vault's sealed streams from Java: VaultOutputStream and
 * VaultInputStream round trips of any size, discard on close, the gate at
 * create and finish, erasure, corruption, and streams outliving their store.
 */
public class VaultStreamTest {
    private Path dir;
    private Custos c;
    private Subject alice;

    @Before
    public void setUp() throws Exception {
        dir = TestDirs.create("vault-stream");
        c = Fixtures.storeWithManifest(dir);
        alice = c.addSubject("alice", Role.OWNER);
        c.consent().give(alice, CLOUD_RECORDING);
    }

    @After
    public void tearDown() throws Exception {
        c.close();
        TestDirs.remove(dir);
    }

    /* The byte at position i of every test stream: a function of i alone, so nothing is held in memory. */
    private static byte at(long i) {
        return (byte) ((i * 0x9E3779B97F4A7C15L) >>> 56);
    }

    /* Piece lengths that straddle the bridge's 64 KiB buffer; 1 goes through write(int) / read(). */
    private static final int[] PIECES = {1, 13, 4096, 70_000, 1, 65_536, 200_000, 65_537};

    private static void writeAll(VaultOutputStream out, long size) throws IOException {
        byte[] buf = new byte[200_000 + 16];
        long pos = 0;
        for (int k = 0; pos < size; k++) {
            int n = (int) Math.min(PIECES[k % PIECES.length], size - pos);
            if (n == 1) {
                out.write(at(pos) & 0xff | 0x5500); /* only the low 8 bits count */
            } else {
                int off = k % 16; /* not at the array's start */
                for (int i = 0; i < n; i++) {
                    buf[off + i] = at(pos + i);
                }
                out.write(buf, off, n);
            }
            pos += n;
        }
    }

    /* Reads to the end, checking every byte; the end must come exactly after size bytes. */
    private static void readAll(VaultInputStream in, long size) throws IOException {
        byte[] buf = new byte[300_000];
        long pos = 0;
        for (int k = 0;; k++) {
            int want = PIECES[(k + 3) % PIECES.length];
            if (want == 1) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                assertTrue(b <= 255);
                assertEquals("byte " + pos, at(pos), (byte) b);
                pos++;
                continue;
            }
            int n = in.read(buf, 7, Math.min(want, buf.length - 7));
            if (n < 0) {
                break;
            }
            assertTrue("read returned " + n, n > 0);
            for (int i = 0; i < n; i++) {
                if (buf[7 + i] != at(pos + i)) {
                    fail("byte " + (pos + i) + " differs");
                }
            }
            pos += n;
        }
        assertEquals("the end came after " + pos + " of " + size + " bytes", size, pos);
        assertEquals(-1, in.read());
        assertEquals(-1, in.read(buf, 0, 10));
        assertEquals(0, in.read(buf, 0, 0));
    }

    private long store(long size) throws Exception {
        try (VaultOutputStream out = c.vault().createStream(alice, CLOUD_RECORDING, VIDEO)) {
            writeAll(out, size);
            return out.finish();
        }
    }

    private void roundTrip(long size) throws Exception {
        long before = System.currentTimeMillis() / 1000 - 5;
        long id = store(size);
        assertTrue(id > 0);
        try (VaultInputStream in = c.vault().openStream(id)) {
            VaultInfo info = in.info();
            assertEquals(id, info.id());
            assertTrue(info.isStreamed());
            assertEquals(size, info.size());
            assertEquals(CLOUD_RECORDING, info.purpose());
            assertEquals(VIDEO, info.category());
            assertTrue(info.created() >= before);
            assertTrue("retention P30D", info.expires() > info.created());
            readAll(in, size);
        }
        assertArrayEquals(new long[] {id}, c.vault().list(alice));
        /* A stream is a record the one-piece calls refuse (the core's CUSTOS_ESTATE). */
        assertThrows(InvalidStateException.class, () -> c.vault().get(id));
        assertThrows(InvalidStateException.class, () -> c.vault().record(id));
        assertEquals(1, streamFiles().size());
    }

    /* Every file under the store's streams/ (the core's <hex>.cvs of a stored stream, <hex>.part of one
     * being written). */
    private List<Path> streamFiles() throws IOException {
        Path d = dir.resolve("streams");
        if (!Files.isDirectory(d)) {
            return new ArrayList<>();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.collect(Collectors.toList());
        }
    }

    /* The one stored stream's file. */
    private Path theStreamFile() throws IOException {
        List<Path> files = streamFiles();
        assertEquals(files.toString(), 1, files.size());
        assertTrue(files.toString(), files.get(0).getFileName().toString().endsWith(".cvs"));
        return files.get(0);
    }

    @Test
    public void anEmptyStreamRoundTrips() throws Exception {
        roundTrip(0);
    }

    @Test
    public void aOneByteStreamRoundTrips() throws Exception {
        roundTrip(1);
    }

    @Test
    public void severalMegabytesRoundTrip() throws Exception {
        roundTrip(5L * 1024 * 1024 + 7);
    }

    @Test
    public void aStreamLongerThanTheLargestRecordRoundTrips() throws Exception {
        roundTrip(Vault.maxPayload() + 100_003);
    }

    @Test
    public void oneRecordIsNotAStream() throws Exception {
        long id = c.vault().put(alice, CLOUD_RECORDING, AUDIO, new byte[] {1, 2});
        VaultRecord r = c.vault().record(id);
        assertFalse(r.info().isStreamed());
        assertEquals(2, r.info().size());
        assertEquals(AUDIO, r.info().category());
        assertThrows(InvalidStateException.class, () -> c.vault().openStream(id));
        assertThrows(NotFoundException.class, () -> c.vault().openStream(id + 1000));
    }

    @Test
    public void closeWithoutFinishStoresNothing() throws Exception {
        VaultOutputStream out = c.vault().createStream(alice, CLOUD_RECORDING, VIDEO);
        writeAll(out, 300_000);
        out.close();
        assertEquals(0, c.vault().list(alice).length);
        assertEquals(new ArrayList<Path>(), streamFiles());
        out.close(); /* harmless twice */
        IOException e = assertThrows(IOException.class, () -> out.write(new byte[4], 0, 4));
        assertTrue(e.getMessage(), e.getMessage().contains("after close()"));
        assertThrows(IOException.class, () -> out.write(1));
        assertThrows(IOException.class, out::finish);

        /* try-with-resources without finish: the same. */
        try (VaultOutputStream o = c.vault().createStream(alice, CLOUD_RECORDING, VIDEO)) {
            o.write(new byte[] {1, 2, 3});
        }
        assertEquals(0, c.vault().list(alice).length);
        assertEquals(new ArrayList<Path>(), streamFiles());
    }

    @Test
    public void writeAfterFinishFails() throws Exception {
        VaultOutputStream out = c.vault().createStream(alice, CLOUD_RECORDING, VIDEO);
        out.write(new byte[] {4, 5, 6});
        long id = out.finish();
        IOException e = assertThrows(IOException.class, () -> out.write(7));
        assertTrue(e.getMessage(), e.getMessage().contains("after finish()"));
        assertThrows(IOException.class, () -> out.write(new byte[1], 0, 1));
        assertThrows(IOException.class, out::finish);
        out.close(); /* after finish: nothing to discard */
        out.flush();
        assertArrayEquals(new long[] {id}, c.vault().list(alice));
        try (VaultInputStream in = c.vault().openStream(id)) {
            byte[] b = new byte[8];
            assertEquals(3, in.read(b, 0, 8));
            assertArrayEquals(new byte[] {4, 5, 6}, java.util.Arrays.copyOf(b, 3));
            assertEquals(-1, in.read(b, 0, 8));
        }
    }

    @Test
    public void readAfterTheSubjectsEraseFails() throws Exception {
        long id = store(1 << 20);
        try (VaultInputStream in = c.vault().openStream(id)) {
            byte[] b = new byte[1000];
            assertEquals(1000, in.read(b, 0, 1000));
            c.erasure().subject(alice);
            IOException e = assertThrows(IOException.class, () -> in.read(b, 0, 1000));
            assertTrue(String.valueOf(e.getCause()), e.getCause() instanceof KeyException);
            /* failed for good, with the same cause */
            IOException again = assertThrows(IOException.class, in::read);
            assertTrue(again.getCause() instanceof KeyException);
        }
        CustosException e = assertThrows(CustosException.class, () -> c.vault().openStream(id));
        assertTrue(String.valueOf(e), e instanceof NotFoundException || e instanceof KeyException);
        assertEquals(new ArrayList<Path>(), streamFiles());
    }

    @Test
    public void anEraseDuringWritingStoresNothing() throws Exception {
        VaultOutputStream out = c.vault().createStream(alice, CLOUD_RECORDING, VIDEO);
        writeAll(out, 200_000);
        c.erasure().subject(alice);
        /* the next write is refused (the subject is gone, so the gate denies) and the file removed */
        IOException e = assertThrows(IOException.class, () -> writeAll(out, 100_000));
        assertTrue(String.valueOf(e.getCause()), e.getCause() instanceof DeniedException);
        assertEquals(new ArrayList<Path>(), streamFiles());
        assertThrows(Exception.class, out::finish);
        out.close();
        assertEquals(new ArrayList<Path>(), streamFiles());
        assertThrows(NotFoundException.class, () -> c.vault().list(alice));
    }

    /* Corruption is an IOException whose cause is CorruptException (or CorruptException from
     * openStream), never -1. Returns how many bytes came before the failure. */
    private long assertCorrupt(long id, long size) throws Exception {
        VaultInputStream in;
        try {
            in = c.vault().openStream(id);
        } catch (CorruptException e) {
            return 0;
        }
        long pos = 0;
        try {
            byte[] b = new byte[65_536];
            for (;;) {
                int n = in.read(b, 0, b.length);
                if (n < 0) {
                    fail("a corrupt stream ended (-1) after " + pos + " of " + size + " bytes");
                }
                for (int i = 0; i < n; i++) {
                    if (b[i] != at(pos + i)) {
                        fail("a corrupt stream returned an altered byte at " + (pos + i));
                    }
                }
                pos += n;
            }
        } catch (IOException e) {
            assertTrue(String.valueOf(e.getCause()), e.getCause() instanceof CorruptException);
            IOException again = assertThrows(IOException.class, in::read);
            assertTrue(again.getCause() instanceof CorruptException);
        } finally {
            in.close();
        }
        return pos;
    }

    @Test
    public void aCorruptStreamThrowsAndNeverEnds() throws Exception {
        long size = 1 << 20;
        long id = store(size);
        Path file = theStreamFile();
        long len = Files.size(file);
        assertTrue("the file holds the sealed stream: " + len, len > size);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(len / 2);
            int b = f.read();
            f.seek(len / 2);
            f.write(b ^ 0x01);
        }
        assertTrue(assertCorrupt(id, size) < size);
    }

    @Test
    public void aTruncatedStreamThrowsAndNeverEnds() throws Exception {
        long size = 300_000;
        long id = store(size);
        Path file = theStreamFile();
        long len = Files.size(file);
        for (long cut : new long[] {len - 1, len - 17, len / 2}) {
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.setLength(cut);
            }
            assertCorrupt(id, size);
        }
    }

    @Test
    public void theGateIsAskedAtCreateAndAtFinish() throws Exception {
        DeniedException denied = assertThrows(DeniedException.class,
            () -> c.vault().createStream(alice, PERFORMANCE, TELEMETRY));
        assertTrue(denied.getMessage(), denied.getMessage().contains("consent"));
        try (VaultOutputStream out = c.vault().createStream(alice, CLOUD_RECORDING, VIDEO)) {
            writeAll(out, 100_000);
            c.consent().withdraw(alice, CLOUD_RECORDING);
            assertThrows(DeniedException.class, out::finish);
            assertThrows(IOException.class, out::finish);
        }
        assertEquals(0, c.vault().list(alice).length);
        assertEquals(new ArrayList<Path>(), streamFiles());
    }

    @Test
    public void closingTheStoreClosesItsStreams() throws Exception {
        long id = store(10_000);
        VaultOutputStream out = c.vault().createStream(alice, CLOUD_RECORDING, VIDEO);
        writeAll(out, 100_000);
        VaultInputStream in = c.vault().openStream(id);
        assertNotEquals(-1, in.read());
        c.close();
        IOException w = assertThrows(IOException.class, () -> out.write(1));
        assertTrue(w.getMessage(), w.getMessage().contains("store was closed"));
        assertThrows(IOException.class, out::finish);
        IOException r = assertThrows(IOException.class, in::read);
        assertTrue(r.getMessage(), r.getMessage().contains("store was closed"));
        out.close();
        in.close();
        try (Custos again = Custos.openExisting(dir.toString())) {
            Subject a = again.findSubject("alice");
            assertArrayEquals("the unfinished stream was discarded", new long[] {id}, again.vault().list(a));
            try (VaultInputStream in2 = again.vault().openStream(id)) {
                readAll(in2, 10_000);
            }
        }
        assertEquals(1, streamFiles().size());
    }

    @Test
    public void aFactoryResetClosesOpenStreams() throws Exception {
        VaultOutputStream out = c.vault().createStream(alice, CLOUD_RECORDING, VIDEO);
        out.write(new byte[1000]);
        c.factoryReset();
        assertThrows(IOException.class, () -> out.write(1));
        out.close();
        assertEquals(new ArrayList<Path>(), streamFiles());
    }

    @Test
    public void streamsOnSeveralThreadsAtOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Long>> ids = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                ids.add(pool.submit(() -> store(700_000)));
            }
            List<Future<Void>> reads = new ArrayList<>();
            for (Future<Long> f : ids) {
                long id = f.get();
                reads.add(pool.submit(() -> {
                    try (VaultInputStream in = c.vault().openStream(id)) {
                        readAll(in, 700_000);
                    }
                    return null;
                }));
            }
            for (Future<Void> f : reads) {
                f.get();
            }
            assertEquals(4, c.vault().list(alice).length);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    public void badArguments() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> c.vault().createStream(null, CLOUD_RECORDING, VIDEO));
        assertThrows(IllegalArgumentException.class, () -> c.vault().createStream(alice, -1, VIDEO));
        assertThrows(IllegalArgumentException.class, () -> c.vault().createStream(alice, CLOUD_RECORDING, -1));
        try (VaultOutputStream out = c.vault().createStream(alice, CLOUD_RECORDING, VIDEO)) {
            assertThrows(NullPointerException.class, () -> out.write(null, 0, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> out.write(new byte[4], 2, 3));
            assertThrows(IndexOutOfBoundsException.class, () -> out.write(new byte[4], -1, 1));
            out.write(new byte[4], 4, 0);
            long id = out.finish();
            try (VaultInputStream in = c.vault().openStream(id)) {
                assertThrows(NullPointerException.class, () -> in.read(null, 0, 1));
                assertThrows(IndexOutOfBoundsException.class, () -> in.read(new byte[4], 3, 2));
                assertEquals(-1, in.read());
                in.close();
                IOException e = assertThrows(IOException.class, in::read);
                assertTrue(e.getMessage(), e.getMessage().contains("after close()"));
            }
        }
    }
}
