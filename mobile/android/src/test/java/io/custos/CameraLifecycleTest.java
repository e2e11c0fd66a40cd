package io.custos;

import static io.custos.Fixtures.CLOUD_RECORDING;
import static io.custos.Fixtures.PERFORMANCE;
import static io.custos.Fixtures.SMART_DETECTION;
import static io.custos.Fixtures.TELEMETRY;
import static io.custos.Fixtures.VIDEO;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The smart camera's lifecycle driven from Java, as the C demo
 * (examples/smart-camera/app/companion.c) drives it: the companion app is a
 * Java Custos store; the camera is the firmware program on the device
 * layer's POSIX port (examples/smart-camera/firmware/camera-firmware), run
 * once per step with its identity and simulated flash in a directory, and
 * spoken to through files (public key, signed update, state report, erase
 * receipt) and its output lines.
 */
public class CameraLifecycleTest {
    /* The camera's subject slots (companion.c SLOT_ALICE, SLOT_BOB). */
    private static final Subject SLOT_ALICE = Subject.of(0);
    private static final Subject SLOT_BOB = Subject.of(1);

    private Path root;
    private Path cam;
    private Custos app;

    private static final class Run {
        final int status;
        final String out;

        Run(int status, String out) {
            this.status = status;
            this.out = out;
        }

        boolean has(String line) {
            return Arrays.asList(out.split("\n")).contains(line);
        }
    }

    @Before
    public void setUp() throws Exception {
        root = TestDirs.create("camera");
        cam = Files.createDirectories(root.resolve("camera"));
        app = Custos.open(root.resolve("app-store").toString());
    }

    @After
    public void tearDown() throws Exception {
        app.close();
        TestDirs.remove(root);
    }

    private static Path firmware() {
        String b = System.getProperty("custos.binary.dir");
        assertNotNull("-Dcustos.binary.dir is not set", b);
        Path p = Path.of(b, "examples", "smart-camera", "firmware", "camera-firmware");
        assertTrue("the camera firmware is built with CUSTOS_BUILD_DEVICE=ON: " + p, Files.isExecutable(p));
        return p;
    }

    /* One boot of the camera with one optional step (companion.c camera()). */
    private Run camera(String... step) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(Arrays.asList(firmware().toString(), "--identity", cam.toString(),
            "--flash", cam.resolve("flash.bin").toString()));
        cmd.addAll(Arrays.asList(step));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue("the camera did not finish", p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private Run sync(byte[] camId, String file, ConsentChange... changes) throws Exception {
        byte[] update = app.encodeConsentUpdate(camId, Arrays.asList(changes));
        assertTrue(update.length <= Custos.maxSyncMessage());
        Path p = root.resolve(file);
        Files.write(p, update);
        return camera("--update", p.toString());
    }

    private static ConsentChange change(Subject slot, int purpose, ConsentStatus status) {
        return new ConsentChange(slot, purpose, status);
    }

    @Test
    public void theCameraLifecycleFromJava() throws Exception {
        /* 1. Factory: the camera makes its own key and id on first boot. */
        Run first = camera();
        assertEquals(first.out, 0, first.status);
        byte[] camPk = Files.readAllBytes(cam.resolve("device.pub"));
        byte[] camId = Files.readAllBytes(cam.resolve("device.id"));
        assertEquals(32, camPk.length);
        assertEquals(16, camId.length);
        assertFalse(Arrays.equals(camPk, app.devicePublicKey()));

        /* 2. First use: consent in the app, pairing both ways, a signed update. */
        byte[] v1 = Fixtures.exampleManifest();
        app.loadManifest(v1);
        Subject alice = app.addSubject("alice@example.com", Role.OWNER);
        Subject bob = app.addSubject("bob@example.com", Role.HOUSEHOLD_MEMBER);
        app.consent().give(alice, CLOUD_RECORDING);
        app.consent().refuse(alice, PERFORMANCE);
        app.consent().give(bob, CLOUD_RECORDING);
        app.consent().give(bob, PERFORMANCE);
        app.pair(camPk, camId);
        Path appPub = root.resolve("app.pub");
        Files.write(appPub, app.devicePublicKey());
        Run pair = camera("--pair", appPub.toString());
        assertTrue(pair.out, pair.status == 0 && pair.has("pair: ok"));

        Run applied = sync(camId, "update-1.bin",
            change(SLOT_ALICE, CLOUD_RECORDING, ConsentStatus.GIVEN),
            change(SLOT_ALICE, PERFORMANCE, ConsentStatus.REFUSED),
            change(SLOT_ALICE, SMART_DETECTION, ConsentStatus.REFUSED),
            change(SLOT_BOB, CLOUD_RECORDING, ConsentStatus.GIVEN),
            change(SLOT_BOB, PERFORMANCE, ConsentStatus.GIVEN));
        assertEquals(applied.out, 0, applied.status);
        assertTrue(applied.out, applied.has("subject 0 video: COLLECT"));
        assertFalse(applied.out, applied.has("subject 0 analytics: COLLECT"));
        assertTrue(applied.out, applied.has("subject 1 analytics: COLLECT"));
        Run replay = camera("--update", root.resolve("update-1.bin").toString());
        assertTrue(replay.out, replay.status != 0 && replay.out.contains("rejected"));

        /* 3. The camera reports its state; the app verifies it against the paired key. */
        Path reportFile = root.resolve("report.bin");
        Run reported = camera("--report", reportFile.toString());
        assertEquals(reported.out, 0, reported.status);
        StateReport report = app.decodeStateReport(Files.readAllBytes(reportFile));
        assertArrayEquals(camId, report.deviceId());
        CompactConsentState slot0 = null;
        for (CompactConsentState s : report.states()) {
            if (s.subject().equals(SLOT_ALICE)) {
                slot0 = s;
            }
        }
        assertNotNull(slot0);
        assertTrue(slot0.isGiven(CLOUD_RECORDING));
        assertFalse(slot0.isGiven(PERFORMANCE));
        assertTrue(slot0.isDecided(PERFORMANCE));
        byte[] tampered = Files.readAllBytes(reportFile);
        tampered[tampered.length - 1] ^= 1;
        CustosException bad = assertThrows(CustosException.class, () -> app.decodeStateReport(tampered));
        assertTrue(bad.toString(), bad instanceof SignatureException || bad instanceof CorruptException);

        /* 4. Operation: the app's gate and vault; a refused purpose stores nothing. */
        assertEquals(Decision.ALLOW, app.check(alice, CLOUD_RECORDING, VIDEO));
        long[] clips = app.vault().putMany(alice, Collections.singletonList(
            new VaultItem("CANARY-alice-clip".getBytes(StandardCharsets.UTF_8), CLOUD_RECORDING, VIDEO)));
        assertEquals(1, clips.length);
        assertThrows(DeniedException.class, () -> app.vault().put(alice, PERFORMANCE, TELEMETRY, new byte[1]));

        /* 5. Update: policy version 2; one purpose needs consent again. */
        byte[] v2 = Fixtures.exampleManifestV2();
        List<ManifestChange> changes = Manifest.changes(v1, v2);
        assertEquals(1, changes.size());
        assertEquals(PERFORMANCE, changes.get(0).purpose());
        app.loadManifest(v2);
        assertEquals(Decision.DENY_INVALIDATED, app.check(bob, PERFORMANCE, TELEMETRY));

        /* 6. Bob withdraws on the camera too; Alice is unaffected. */
        Run withdrawn = sync(camId, "update-2.bin",
            change(SLOT_BOB, CLOUD_RECORDING, ConsentStatus.WITHDRAWN),
            change(SLOT_BOB, PERFORMANCE, ConsentStatus.WITHDRAWN));
        assertEquals(withdrawn.out, 0, withdrawn.status);
        assertFalse(withdrawn.out, withdrawn.has("subject 1 video: COLLECT"));
        assertTrue(withdrawn.out, withdrawn.has("subject 0 video: COLLECT"));

        /* An update from an unpaired app is refused by the camera. */
        Path otherDir = root.resolve("other-app");
        try (Custos other = Custos.open(otherDir.toString())) {
            other.loadManifest(v1);
            other.pair(camPk, camId);
            byte[] forged = other.encodeConsentUpdate(camId,
                Collections.singletonList(change(SLOT_BOB, CLOUD_RECORDING, ConsentStatus.GIVEN)));
            Path f = root.resolve("forged.bin");
            Files.write(f, forged);
            Run refused = camera("--update", f.toString());
            assertTrue(refused.out, refused.status != 0 && refused.out.contains("rejected"));
            assertFalse(refused.out, refused.has("subject 1 video: COLLECT"));
        }

        /* 7. Decommissioning: the camera erases its state and signs a receipt; the app resets. */
        Path receipt = root.resolve("camera-erase-receipt.bin");
        Run erased = camera("--erase", receipt.toString());
        assertEquals(erased.out, 0, erased.status);
        assertTrue(Files.size(receipt) > 0);
        byte[] oldPk = app.devicePublicKey();
        DeletionReceipt reset = app.factoryReset();
        reset.verify(oldPk);
        assertNotEquals(Arrays.toString(oldPk), Arrays.toString(app.devicePublicKey()));
        assertThrows(NotFoundException.class, () -> app.findSubject("alice@example.com"));
    }
}
