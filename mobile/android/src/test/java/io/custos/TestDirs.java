package io.custos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary store directories for the tests, under $TMPDIR. */
final class TestDirs {
    private TestDirs() {
    }

    static Path create(String tag) throws IOException {
        String base = System.getenv("TMPDIR");
        Path root = Path.of(base != null ? base : System.getProperty("java.io.tmpdir"));
        return Files.createTempDirectory(root, "custos-java-" + tag + "-");
    }

    static void remove(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
