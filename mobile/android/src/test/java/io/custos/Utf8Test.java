package io.custos;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Strings cross the bridge as real UTF-8, the bytes the C CLI and Swift use:
 * a subject added from Java is the one the CLI finds, a store path with
 * characters beyond U+FFFF is the directory Java sees, and what has no UTF-8
 * form (U+0000, an unpaired surrogate) is refused with a precise error.
 */
public class Utf8Test {
    /** Beyond U+FFFF (emoji, mathematical script), Japanese, a combining mark. */
    static final List<String> IDS = Arrays.asList(
            "alice\uD83D\uDE00", "\u5c71\u7530\u82b1\u5b50", "e\u0301cole", "\uD835\uDCB3\uD83D\uDC4D\uD83C\uDFFD");

    private Path root;
    private Path store;

    @Before
    public void setUp() throws Exception {
        // The JVM encodes file names and process arguments with the locale's
        // charset; CTest runs this class under C.UTF-8 so that both are UTF-8.
        assertEquals("UTF-8", System.getProperty("sun.jnu.encoding"));
        root = TestDirs.create("utf8");
        store = root.resolve("\u5e97\uD83D\uDCF7-store");
    }

    @After
    public void tearDown() throws Exception {
        TestDirs.remove(root);
    }

    private static String cli() {
        return System.getProperty("custos.binary.dir") + "/bin/custos";
    }

    /** Runs the CLI; returns exit code and output (stdout + stderr, UTF-8). */
    private static String[] runCli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(cli());
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) > 0;) {
                out.write(buf, 0, n);
            }
        }
        return new String[] { Integer.toString(p.waitFor()), new String(out.toByteArray(), StandardCharsets.UTF_8) };
    }

    @Test
    public void storePathBeyondBmpIsTheDirectoryJavaSees() throws Exception {
        try (Custos c = Custos.open(store.toString())) {
            c.addSubject("owner", Role.OWNER);
        }
        assertTrue("the store is not under its real UTF-8 name", Files.isDirectory(store));
        try (java.util.stream.Stream<Path> s = Files.list(root)) {
            assertEquals(Arrays.asList(store), Arrays.asList(s.toArray(Path[]::new)));
        }
    }

    @Test
    public void subjectsAddedFromJavaAreTheOnesTheCliKnows() throws Exception {
        List<Long> ids = new ArrayList<>();
        try (Custos c = Custos.open(store.toString())) {
            for (String id : IDS) {
                ids.add(c.addSubject(id, Role.GUEST).id());
            }
        }
        for (String id : IDS) {
            String[] r = runCli("consent", "add-subject", id, "--role", "guest", "--store", store.toString());
            assertNotEquals("the CLI added " + id + " again: " + r[1], "0", r[0]);
            assertTrue(r[1], r[1].contains("already registered"));
        }
        // And back: a subject the CLI adds is found from Java by the same text.
        String fromCli = "\uD83D\uDC3B\u30af\u30de";
        String[] r = runCli("consent", "add-subject", fromCli, "--role", "guest", "--store", store.toString());
        assertEquals(r[1], "0", r[0]);
        long n = Long.parseLong(r[1].trim().replace("subject ", ""));
        try (Custos c = Custos.openExisting(store.toString())) {
            assertEquals(n, c.findSubject(fromCli).id());
            for (int i = 0; i < IDS.size(); i++) {
                assertEquals(ids.get(i).longValue(), c.findSubject(IDS.get(i)).id());
            }
        }
    }

    @Test
    public void errorTextWithNonAsciiPathComesBackIntact() throws Exception {
        Path missing = root.resolve("\u7121\u3044\uD83D\uDE00");
        NotFoundException e = assertThrows(NotFoundException.class, () -> Custos.openExisting(missing.toString()));
        assertTrue(e.getMessage(), e.getMessage().contains(missing.toString()));
    }

    @Test
    public void embeddedNulIsRefused() throws Exception {
        try (Custos c = Custos.open(store.toString())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> c.addSubject("ali\u0000ce", Role.GUEST));
            assertTrue(e.getMessage(), e.getMessage().contains("U+0000 (at index 3)"));
        }
    }

    @Test
    public void unpairedSurrogateIsRefused() throws Exception {
        try (Custos c = Custos.open(store.toString())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> c.addSubject("bob\uD83D", Role.GUEST));
            assertTrue(e.getMessage(), e.getMessage().contains("unpaired surrogate (at index 3)"));
            e = assertThrows(IllegalArgumentException.class, () -> c.addSubject("\uDE00bob", Role.GUEST));
            assertTrue(e.getMessage(), e.getMessage().contains("unpaired surrogate (at index 0)"));
        }
    }
}
