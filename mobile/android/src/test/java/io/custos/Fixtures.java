package io.custos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Shared test data: the example product's manifest and its ids. */
final class Fixtures {
    /* Purposes and categories of examples/smart-camera/privacy.yaml. */
    static final int OPERATE = 1;         /* contract: categories 1, 4, 6 */
    static final int CLOUD_RECORDING = 2; /* consent: categories 1, 2, 3 */
    static final int PERFORMANCE = 3;     /* consent: categories 4, 5 */
    static final int SMART_DETECTION = 4; /* consent: categories 1, 7 */
    static final int VIDEO = 1;
    static final int AUDIO = 2;
    static final int PRESENCE = 3;
    static final int TELEMETRY = 5;
    static final int BIOMETRIC = 7;

    private static byte[] compiled;

    private Fixtures() {
    }

    static Path sourceDir() {
        String s = System.getProperty("custos.source.dir");
        if (s == null) {
            throw new IllegalStateException("-Dcustos.source.dir is not set");
        }
        return Path.of(s);
    }

    static String exampleYaml() throws IOException {
        return Files.readString(sourceDir().resolve("examples/smart-camera/privacy.yaml"), StandardCharsets.UTF_8);
    }

    static synchronized byte[] exampleManifest() throws IOException, CustosException {
        if (compiled == null) {
            compiled = Manifest.compile(exampleYaml(), "privacy.yaml");
        }
        return compiled.clone();
    }

    /** examples/smart-camera/privacy-v2.yaml compiled against the first version. */
    static byte[] exampleManifestV2() throws IOException, CustosException {
        String v2 = Files.readString(sourceDir().resolve("examples/smart-camera/privacy-v2.yaml"),
            StandardCharsets.UTF_8);
        return Manifest.compile(v2, "privacy-v2.yaml", exampleManifest());
    }

    /** A store with the example manifest loaded. */
    static Custos storeWithManifest(Path dir) throws IOException, CustosException {
        Custos c = Custos.open(dir.toString());
        c.loadManifest(exampleManifest());
        return c;
    }
}
