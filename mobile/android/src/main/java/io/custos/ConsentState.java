package io.custos;

import org.jetbrains.annotations.NotNull;

/** The current consent of one (subject, purpose) (custos_consent_state_info). */
public final class ConsentState {
    private final ConsentStatus status;
    private final long validUntil;
    private final long time;
    private final long policyVersion;
    private final long seq;
    private final boolean invalidated;

    ConsentState(long[] v) {
        this.status = ConsentStatus.of((int) v[0]);
        this.validUntil = v[1];
        this.time = v[2];
        this.policyVersion = v[3];
        this.seq = v[4];
        this.invalidated = v[5] != 0;
    }

    /** {@link ConsentStatus#UNKNOWN} if never decided. */
    public @NotNull ConsentStatus status() {
        return status;
    }

    /** Seconds since the epoch when the consent expires; 0 for no expiry. */
    public long validUntil() {
        return validUntil;
    }

    /** Seconds since the epoch of the last event. */
    public long time() {
        return time;
    }

    /** The policy version of the manifest the last event bound to. */
    public long policyVersion() {
        return policyVersion;
    }

    /** The last event's position in the ledger; 0 if none. */
    public long seq() {
        return seq;
    }

    /** True if back at REQUESTED after an invalidation. */
    public boolean isInvalidated() {
        return invalidated;
    }

    @Override
    public @NotNull String toString() {
        return "ConsentState(" + status + ", seq " + seq + ")";
    }
}
