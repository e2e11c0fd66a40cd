package io.custos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jetbrains.annotations.NotNull;

/** A verified ConsentStateReport from a paired device. */
public final class StateReport {
    private final byte[] deviceId;
    private final long counter;
    private final List<CompactConsentState> states;

    private StateReport(byte[] deviceId, long counter, List<CompactConsentState> states) {
        this.deviceId = deviceId;
        this.counter = counter;
        this.states = Collections.unmodifiableList(states);
    }

    /* packed: {counter, then subject, given, decided, policy version, counter per state} (jni_sync.c). */
    static StateReport of(byte[] deviceId, long[] packed) {
        List<CompactConsentState> states = new ArrayList<CompactConsentState>(packed.length / 5);
        for (int i = 1; i + 4 < packed.length; i += 5) {
            states.add(new CompactConsentState(new Subject(packed[i]), packed[i + 1], packed[i + 2],
                packed[i + 3], packed[i + 4]));
        }
        return new StateReport(deviceId, packed[0], states);
    }

    /** The reporting device's 16-byte id. */
    public @NotNull byte[] deviceId() {
        return deviceId.clone();
    }

    public long counter() {
        return counter;
    }

    public @NotNull List<CompactConsentState> states() {
        return states;
    }
}
