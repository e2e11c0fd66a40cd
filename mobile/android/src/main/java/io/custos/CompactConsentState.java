package io.custos;

import org.jetbrains.annotations.NotNull;

/** The compact consent state of one subject, as a device reports it. */
public final class CompactConsentState {
    private final Subject subject;
    private final long given;
    private final long decided;
    private final long policyVersion;
    private final long counter;

    CompactConsentState(Subject subject, long given, long decided, long policyVersion, long counter) {
        this.subject = subject;
        this.given = given;
        this.decided = decided;
        this.policyVersion = policyVersion;
        this.counter = counter;
    }

    public @NotNull Subject subject() {
        return subject;
    }

    /** Bit p: purpose p is valid for processing. */
    public long given() {
        return given;
    }

    /** Bit p: a decision exists for purpose p. */
    public long decided() {
        return decided;
    }

    public long policyVersion() {
        return policyVersion;
    }

    public long counter() {
        return counter;
    }

    public boolean isGiven(int purpose) {
        return purpose >= 0 && purpose < 64 && (given & (1L << purpose)) != 0;
    }

    public boolean isDecided(int purpose) {
        return purpose >= 0 && purpose < 64 && (decided & (1L << purpose)) != 0;
    }
}
