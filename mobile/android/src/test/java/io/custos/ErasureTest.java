package io.custos;

import static io.custos.Fixtures.CLOUD_RECORDING;
import static io.custos.Fixtures.PERFORMANCE;
import static io.custos.Fixtures.TELEMETRY;
import static io.custos.Fixtures.VIDEO;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Erasure from Java: receipts, their verification, progress and cancellation. */
public class ErasureTest {
    private Path dir;
    private Custos c;
    private Subject alice;

    @Before
    public void setUp() throws Exception {
        dir = TestDirs.create("erase");
        c = Fixtures.storeWithManifest(dir);
        alice = c.addSubject("alice", Role.OWNER);
        c.consent().give(alice, CLOUD_RECORDING);
        c.consent().give(alice, PERFORMANCE);
    }

    @After
    public void tearDown() throws Exception {
        c.close();
        TestDirs.remove(dir);
    }

    @Test
    public void purposeErasureKeepsOtherPurposes() throws Exception {
        long clip = c.vault().put(alice, CLOUD_RECORDING, VIDEO, new byte[] {1});
        long stats = c.vault().put(alice, PERFORMANCE, TELEMETRY, new byte[] {2});
        List<Integer> steps = new ArrayList<>();
        DeletionReceipt r = c.erasure().purpose(alice, CLOUD_RECORDING, (step, total) -> {
            assertEquals(4, total);
            steps.add(step);
            return true;
        });
        assertEquals(List.of(1, 2, 3, 4), steps);
        r.verify(c.devicePublicKey());
        assertTrue(r.json(), r.json().contains("\"purpose\""));
        assertThrows(NotFoundException.class, () -> c.vault().get(clip));
        assertArrayEquals(new byte[] {2}, c.vault().get(stats));
        assertEquals(alice, c.findSubject("alice"));
    }

    @Test
    public void receiptsVerifyOnlyWithTheDeviceKey() throws Exception {
        DeletionReceipt r = c.erasure().subject(alice);
        r.verify(c.devicePublicKey());
        byte[] wrongKey = c.devicePublicKey();
        wrongKey[0] ^= 1;
        SignatureException wrong = assertThrows(SignatureException.class, () -> r.verify(wrongKey));
        assertTrue(wrong.getMessage(), wrong.getMessage().contains("signed by another key"));
        assertThrows(IllegalArgumentException.class, () -> r.verify(new byte[16]));
        DeletionReceipt again = DeletionReceipt.of(r.bytes());
        assertEquals(r, again);
        assertEquals(r.json(), again.json());
        byte[] damaged = r.bytes();
        damaged[damaged.length / 2] ^= 0x40;
        CustosException e = assertThrows(CustosException.class, () -> DeletionReceipt.of(damaged).verify(c.devicePublicKey()));
        assertTrue(e instanceof CorruptException || e instanceof SignatureException);
        assertThrows(CorruptException.class, () -> DeletionReceipt.of(new byte[] {1, 2, 3}));
    }

    @Test
    public void unknownSubjectIsNotFoundAndNothingIsErased() throws Exception {
        assertThrows(NotFoundException.class, () -> c.erasure().subject(Subject.of(31337)));
        assertEquals(0, c.erasure().receipts().size());
    }

    @Test
    public void aCanceledEraseIsFinishedByTheNextOpen() throws Exception {
        long clip = c.vault().put(alice, CLOUD_RECORDING, VIDEO, new byte[] {1});
        CanceledException e = assertThrows(CanceledException.class,
            () -> c.erasure().subject(alice, (step, total) -> step < 1));
        assertEquals(-20, e.code());
        c.close();
        c = Custos.open(dir.toString());
        assertThrows(NotFoundException.class, () -> c.findSubject("alice"));
        assertThrows(NotFoundException.class, () -> c.vault().get(clip));
        assertEquals(1, c.erasure().receipts().size());
        c.erasure().receipts().get(0).verify(c.devicePublicKey());
    }

    @Test
    public void aThrowingProgressCallbackCancels() throws Exception {
        CanceledException e = assertThrows(CanceledException.class,
            () -> c.erasure().purpose(alice, PERFORMANCE, (step, total) -> {
                throw new IllegalStateException("boom");
            }));
        assertTrue(e.getMessage(), e.getMessage().contains("threw"));
    }
}
