package io.custos;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import org.junit.Test;

/** Every disclosure format generated from the example manifest. */
public class DisclosureTest {
    @Test
    public void everyFormatIsGeneratedAndNamed() throws Exception {
        byte[] m = Fixtures.exampleManifest();
        for (Disclosure.Format f : Disclosure.Format.values()) {
            String en;
            try {
                en = Disclosure.generate(m, f, "en");
            } catch (ManifestException e) {
                /* A format that cannot express a category says which: never a silent gap. */
                assertTrue(f + ": " + e.getMessage(), e.getMessage().length() > "CUSTOS_EMANIFEST".length());
                continue;
            }
            assertFalse(f.toString(), en.isEmpty());
            assertFalse(Disclosure.fileName(f, "en").isEmpty());
            assertEquals("deterministic", en, Disclosure.generate(m, f, "en"));
        }
    }

    @Test
    public void theEnumCoversExactlyTheCoreFormats() throws Exception {
        /* A format the core adds and the binding lacks, or the reverse, fails here. */
        java.util.Set<Integer> codes = new java.util.HashSet<>();
        for (Disclosure.Format f : Disclosure.Format.values()) {
            codes.add(f.code());
        }
        for (int code = 0; code <= 64; code++) {
            boolean known;
            try {
                Disclosure.nativeFileName(code, "en");
                known = true;
            } catch (IllegalArgumentException e) {
                known = false;
            }
            assertEquals("format " + code, known, codes.contains(code));
        }
    }

    @Test
    public void noticesAreLocalized() throws Exception {
        byte[] m = Fixtures.exampleManifest();
        assertTrue(Disclosure.Format.NOTICE_MD.isLocalized());
        assertFalse(Disclosure.Format.XCPRIVACY.isLocalized());
        String en = Disclosure.generate(m, Disclosure.Format.NOTICE_MD, "en");
        String ja = Disclosure.generate(m, Disclosure.Format.NOTICE_HTML, "ja");
        assertTrue(en.contains("Example Indoor Camera"));
        assertTrue(ja.contains("カメラ"));
        assertNotEquals(Disclosure.fileName(Disclosure.Format.NOTICE_HTML, "en"),
            Disclosure.fileName(Disclosure.Format.NOTICE_HTML, "ja"));
        assertTrue(Disclosure.generate(m, Disclosure.Format.NOTICE_MD, "en", "2026-04-01").contains("2026-04-01"));
        assertThrows(IllegalArgumentException.class, () -> Disclosure.generate(m, Disclosure.Format.NOTICE_MD, "xx"));
        assertThrows(IllegalArgumentException.class, () -> Disclosure.generate(null, Disclosure.Format.NOTICE_MD, "en"));
    }

    @Test
    public void theAccessReportDescribesOneSubject() throws Exception {
        byte[] m = Fixtures.exampleManifest();
        Path dir = TestDirs.create("disclose");
        try (Custos c = Custos.open(dir.toString())) {
            c.loadManifest(m);
            Subject alice = c.addSubject("alice", Role.OWNER);
            c.consent().give(alice, Fixtures.CLOUD_RECORDING);
            c.vault().put(alice, Fixtures.CLOUD_RECORDING, Fixtures.VIDEO, new byte[] {1});
            String report = Disclosure.accessReport(c, alice, m, Disclosure.Format.NOTICE_MD, "en");
            assertFalse(report.isEmpty());
            assertThrows(NotFoundException.class,
                () -> Disclosure.accessReport(c, Subject.of(99), m, Disclosure.Format.NOTICE_MD, "en"));
        } finally {
            TestDirs.remove(dir);
        }
    }
}
