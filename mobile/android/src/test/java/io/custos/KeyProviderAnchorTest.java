package io.custos;

import static io.custos.Fixtures.CLOUD_RECORDING;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The store's anchor kept by a Java KeyProvider (keepsAnchor, storeAnchor,
 * loadAnchor; core/src/lifecycle/anchor.c, tests/unit/test_store_anchor.c):
 * a directory restored whole from an older copy is refused; a provider that
 * keeps no anchor works as before, with the anchor in the directory.
 */
public class KeyProviderAnchorTest {
    private Path dir;
    private Path old;
    private Path current;

    @Before
    public void setUp() throws Exception {
        dir = TestDirs.create("anchor");
        old = Path.of(dir + "-old");
        current = Path.of(dir + "-current");
    }

    @After
    public void tearDown() throws Exception {
        TestDirs.remove(dir);
        TestDirs.remove(old);
        TestDirs.remove(current);
    }

    /* Give consent, copy the whole directory aside, withdraw: the copy is the older store. */
    private Subject giveCopyWithdraw(KeyProvider keys) throws Exception {
        Subject alice;
        try (Custos c = Custos.open(dir.toString(), keys)) {
            c.loadManifest(Fixtures.exampleManifest());
            alice = c.addSubject("alice", Role.OWNER);
            c.consent().give(alice, CLOUD_RECORDING);
        }
        copyTree(dir, old);
        try (Custos c = Custos.openExisting(dir.toString(), keys)) {
            c.consent().withdraw(alice, CLOUD_RECORDING);
        }
        return alice;
    }

    /* The older copy takes the store's place, every file of it. */
    private void restoreOldCopy() throws IOException {
        Files.move(dir, current);
        Files.move(old, dir);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.copy(p, to.resolve(from.relativize(p).toString()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    @Test
    public void aDirectoryRestoredWholeIsRefusedWhenTheProviderKeepsTheAnchor() throws Exception {
        AnchoringKeyProvider keys = new AnchoringKeyProvider();
        Subject alice = giveCopyWithdraw(keys);
        assertTrue("the anchor went to the provider", keys.stores > 0);
        assertFalse("no anchor file in the directory", Files.exists(dir.resolve("anchor")));
        restoreOldCopy();
        CorruptException e = assertThrows(CorruptException.class, () -> Custos.openExisting(dir.toString(), keys));
        assertEquals(-5, e.code()); /* CUSTOS_ECORRUPT */
        assertTrue(e.getMessage(), e.getMessage().contains("older than the store's anchor"));
        Files.move(dir, old); /* and the newer store is still whole */
        Files.move(current, dir);
        try (Custos c = Custos.openExisting(dir.toString(), keys)) {
            assertEquals(ConsentStatus.WITHDRAWN, c.consent().state(alice, CLOUD_RECORDING).status());
        }
    }

    /* The limit of the file anchor, unchanged (test_store_anchor.c pins it in C). */
    @Test
    public void aProviderThatKeepsNoAnchorWorksAsBefore() throws Exception {
        MemoryKeyProvider keys = new MemoryKeyProvider();
        assertFalse(keys.keepsAnchor());
        Subject alice = giveCopyWithdraw(keys);
        assertTrue("the anchor is the file", Files.isRegularFile(dir.resolve("anchor")));
        restoreOldCopy();
        try (Custos c = Custos.openExisting(dir.toString(), keys)) {
            assertEquals(ConsentStatus.GIVEN, c.consent().state(alice, CLOUD_RECORDING).status());
        }
    }

    @Test
    public void aFileAnchorMovesToAProviderThatStartsKeepingIt() throws Exception {
        AnchoringKeyProvider keys = new AnchoringKeyProvider();
        keys.keep = false;
        try (Custos c = Custos.open(dir.toString(), keys)) {
            c.loadManifest(Fixtures.exampleManifest());
        }
        assertEquals(0, keys.stores);
        assertNull(keys.anchor());
        keys.keep = true;
        try (Custos c = Custos.openExisting(dir.toString(), keys)) {
            assertNotNull("checked against the file, then kept by the provider", keys.anchor());
        }
    }

    @Test
    public void anAnchorThatIsNotTheStoresIsRefused() throws Exception {
        AnchoringKeyProvider keys = new AnchoringKeyProvider();
        try (Custos c = Custos.open(dir.toString(), keys)) {
            c.loadManifest(Fixtures.exampleManifest());
        }
        byte[] a = keys.anchor();
        a[40] ^= 1;
        keys.loadInstead = a;
        CorruptException e = assertThrows(CorruptException.class, () -> Custos.openExisting(dir.toString(), keys));
        assertTrue(e.getMessage(), e.getMessage().contains("not this store's"));
        /* Longer than the core's buffer: CUSTOS_ERANGE through the bridge, never cut to fit. */
        keys.loadInstead = new byte[4096];
        e = assertThrows(CorruptException.class, () -> Custos.openExisting(dir.toString(), keys));
        assertTrue(e.getMessage(), e.getMessage().contains("could not load the anchor"));
        keys.loadInstead = null;
        Custos.openExisting(dir.toString(), keys).close();
    }

    @Test
    public void aThrowingLoadAnchorIsAKeyExceptionWithItsText() throws Exception {
        AnchoringKeyProvider keys = new AnchoringKeyProvider();
        Custos.open(dir.toString(), keys).close();
        keys.failLoad = true;
        KeyException e = assertThrows(KeyException.class, () -> Custos.openExisting(dir.toString(), keys));
        assertTrue(e.getMessage(), e.getMessage().contains("anchor storage unreadable (injected)"));
    }

    /* A provider that says it keeps anchors but left the defaults fails the open, not silently. */
    @Test
    public void keepingAnchorsWithoutTheCallsFailsTheOpen() throws Exception {
        MemoryKeyProvider keys = new MemoryKeyProvider() {
            @Override
            public boolean keepsAnchor() {
                return true;
            }
        };
        KeyException e = assertThrows(KeyException.class, () -> Custos.open(dir.toString(), keys));
        assertTrue(e.getMessage(), e.getMessage().contains("could not store the anchor"));
    }
}
