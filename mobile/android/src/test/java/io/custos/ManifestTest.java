package io.custos;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.Test;

/** Compiling, checking, showing and diffing manifests; loading them into a store. */
public class ManifestTest {
    @Test
    public void theExampleCompilesDeterministically() throws Exception {
        String yaml = Fixtures.exampleYaml();
        byte[] a = Manifest.compile(yaml, "privacy.yaml");
        byte[] b = Manifest.compile(yaml, null);
        assertArrayEquals(a, b);
        assertArrayEquals(Manifest.id(a), Manifest.id(b));
        Manifest.check(yaml, "privacy.yaml");
        assertTrue(Manifest.show(a, false).contains("Example Indoor Camera"));
        assertTrue(Manifest.show(a, true).trim().startsWith("{"));
        assertTrue("the Japanese names survive UTF-8", Manifest.show(a, true).contains("カメラ"));
    }

    @Test
    public void invalidYamlIsAManifestExceptionNamingThePlace() {
        ManifestException e = assertThrows(ManifestException.class,
            () -> Manifest.compile("custos: 1\nproduct: [unclosed\n", "broken.yaml"));
        assertEquals(-14, e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("broken.yaml:"));
        assertThrows(ManifestException.class, () -> Manifest.check("custos: 1\n", "empty.yaml"));
        assertThrows(IllegalArgumentException.class, () -> Manifest.compile(null, "x.yaml"));
    }

    @Test
    public void aDamagedCompiledFileIsCorrupt() throws Exception {
        byte[] m = Fixtures.exampleManifest();
        m[m.length - 1] ^= 1;
        CorruptException e = assertThrows(CorruptException.class, () -> Manifest.id(m));
        assertEquals(-5, e.code());
        Path dir = TestDirs.create("manifest");
        try (Custos c = Custos.open(dir.toString())) {
            assertThrows(CorruptException.class, () -> c.loadManifest(m));
            assertEquals(-1, c.policyVersion());
        } finally {
            TestDirs.remove(dir);
        }
    }

    @Test
    public void aNewVersionIsDiffedAndOldVersionsAreRefused() throws Exception {
        String v1 = Fixtures.exampleYaml();
        byte[] c1 = Manifest.compile(v1, "privacy.yaml");
        String v2 = v1.replace("policy_version: 1", "policy_version: 2").replace("retention: P30D", "retention: P60D");
        byte[] c2 = Manifest.compile(v2, "privacy.yaml", c1);
        assertFalse(Manifest.diff(c1, c2, false).isEmpty());
        assertThrows(ManifestException.class, () -> Manifest.compile(v1, "privacy.yaml", c2));

        Path dir = TestDirs.create("manifest-versions");
        try (Custos c = Custos.open(dir.toString())) {
            c.loadManifest(c1);
            c.loadManifest(c1); /* the same manifest again: nothing to do */
            Subject alice = c.addSubject("alice", Role.OWNER);
            c.consent().give(alice, Fixtures.CLOUD_RECORDING);
            c.loadManifest(c2);
            assertEquals(2, c.policyVersion());
            assertEquals(Decision.DENY_INVALIDATED,
                c.check(alice, Fixtures.CLOUD_RECORDING, Fixtures.VIDEO));
            assertTrue(c.consent().state(alice, Fixtures.CLOUD_RECORDING).isInvalidated());
            assertThrows(InvalidStateException.class, () -> c.loadManifest(c1));
        } finally {
            TestDirs.remove(dir);
        }
    }

    @Test
    public void typedDiffNamesTheNewRecipient() throws Exception {
        byte[] c1 = Fixtures.exampleManifest();
        byte[] c2 = Fixtures.exampleManifestV2();
        List<ManifestChange> changes = Manifest.changes(c1, c2);
        assertEquals(1, changes.size());
        ManifestChange ch = changes.get(0);
        assertEquals(Fixtures.PERFORMANCE, ch.purpose());
        assertTrue(ch.hasReason(ManifestChange.NEW_RECIPIENT));
        assertTrue(ch.needsConsent());
        assertEquals(Collections.singletonList("new recipient"), ch.reasonNames());
        assertTrue(Manifest.changes(c1, c1).isEmpty());
        byte[] bad = c2.clone();
        bad[bad.length - 1] ^= 1;
        assertThrows(CorruptException.class, () -> Manifest.changes(c1, bad));
    }
}
