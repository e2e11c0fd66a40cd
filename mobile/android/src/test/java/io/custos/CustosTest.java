package io.custos;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Opening and closing a store from Java, and how every failure surfaces. */
public class CustosTest {
    private Path dir;

    @Before
    public void setUp() throws Exception {
        dir = TestDirs.create("custos");
    }

    @After
    public void tearDown() throws Exception {
        TestDirs.remove(dir);
    }

    @Test
    public void versionIsSemantic() {
        assertTrue(Custos.version().matches("\\d+\\.\\d+\\.\\d+"));
    }

    @Test
    public void reopenKeepsDeviceIdentity() throws Exception {
        byte[] pk;
        byte[] id;
        try (Custos c = Custos.open(dir.toString())) {
            pk = c.devicePublicKey();
            id = c.deviceId();
            assertEquals(32, pk.length);
            assertEquals(16, id.length);
        }
        try (Custos c = Custos.openExisting(dir.toString())) {
            assertArrayEquals(pk, c.devicePublicKey());
            assertArrayEquals(id, c.deviceId());
        }
    }

    @Test
    public void closeTwiceIsHarmless() throws Exception {
        Custos c = Custos.open(dir.toString());
        c.close();
        c.close();
        assertTrue(c.isClosed());
    }

    @Test
    public void useAfterCloseIsIllegalState() throws Exception {
        Custos c = Custos.open(dir.toString());
        c.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, c::devicePublicKey);
        assertTrue(e.getMessage().contains("closed"));
    }

    @Test
    public void missingStoreIsNotFound() throws Exception {
        NotFoundException e = assertThrows(NotFoundException.class,
            () -> Custos.openExisting(dir.resolve("absent").toString()));
        assertEquals(-10, e.code());
        assertTrue(e.getMessage().startsWith("CUSTOS_ENOTFOUND"));
    }

    @Test
    public void aFileIsNotAStore() throws Exception {
        Path f = dir.resolve("plain");
        Files.writeString(f, "hello");
        NotAStoreException e = assertThrows(NotAStoreException.class, () -> Custos.open(f.toString()));
        assertEquals(-7, e.code());
    }

    @Test
    public void truncatedHeaderIsCorrupt() throws Exception {
        Custos.open(dir.toString()).close();
        Path h = dir.resolve("STORE");
        byte[] bytes = Files.readAllBytes(h);
        Files.write(h, java.util.Arrays.copyOf(bytes, 20));
        assertThrows(CorruptException.class, () -> Custos.open(dir.toString()));
    }

    @Test
    public void newerFormatIsVersion() throws Exception {
        Custos.open(dir.toString()).close();
        Path h = dir.resolve("STORE");
        byte[] bytes = Files.readAllBytes(h);
        bytes[8] = (byte) 99;
        Files.write(h, bytes);
        VersionException e = assertThrows(VersionException.class, () -> Custos.open(dir.toString()));
        assertTrue(e.getMessage().contains("upgrade Custos"));
    }

    @Test
    public void secondOpenIsBusy() throws Exception {
        try (Custos c = Custos.open(dir.toString())) {
            assertNotNull(c);
            assertThrows(BusyException.class, () -> Custos.open(dir.toString()));
        }
    }

    @Test
    public void emptyPathIsIllegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> Custos.open(""));
        assertThrows(IllegalArgumentException.class, () -> Custos.open(null));
    }

    @Test
    public void manyThreadsShareOneHandleWhileItCloses() throws Exception {
        Custos c = Custos.open(dir.toString());
        byte[] expected = c.devicePublicKey();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < 2000; i++) {
                    try {
                        assertArrayEquals(expected, c.devicePublicKey());
                        ok.incrementAndGet();
                    } catch (IllegalStateException e) {
                        closed.incrementAndGet();
                    } catch (CustosException e) {
                        throw new AssertionError(e);
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        Thread.sleep(5);
        c.close();
        for (Thread th : threads) {
            th.join();
        }
        assertEquals(8000, ok.get() + closed.get());
        assertFalse(ok.get() == 0 && closed.get() == 0);
    }
}
