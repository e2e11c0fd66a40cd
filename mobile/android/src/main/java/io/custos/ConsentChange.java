package io.custos;

import org.jetbrains.annotations.NotNull;

/** One consent change carried from the companion app to a device (a ConsentUpdate entry). */
public final class ConsentChange {
    private final Subject subject;
    private final int purpose;
    private final ConsentStatus status;
    private final long validUntil;

    /** A change whose validity the purpose's consent lifetime decides. */
    public ConsentChange(@NotNull Subject subject, int purpose, @NotNull ConsentStatus status) {
        this(subject, purpose, status, 0);
    }

    /**
     * @param subject the receiving store's subject
     * @param status GIVEN, RENEWED, REFUSED, WITHDRAWN, REVOKED or REQUESTED
     * @param validUntil seconds since 1970, or 0: the purpose's consent lifetime decides
     */
    public ConsentChange(@NotNull Subject subject, int purpose, @NotNull ConsentStatus status, long validUntil) {
        Custos.requireSubject(subject);
        Custos.requireId(purpose, "purpose");
        if (status == null) {
            throw new IllegalArgumentException("status must not be null");
        }
        if (validUntil < 0) {
            throw new IllegalArgumentException("validUntil must not be negative");
        }
        this.subject = subject;
        this.purpose = purpose;
        this.status = status;
        this.validUntil = validUntil;
    }

    public @NotNull Subject subject() {
        return subject;
    }

    public int purpose() {
        return purpose;
    }

    public @NotNull ConsentStatus status() {
        return status;
    }

    /** Seconds since 1970; 0 if the purpose's consent lifetime decides. */
    public long validUntil() {
        return validUntil;
    }

    /* subject, purpose, status, valid until: what jni_sync.c unpacks. */
    void pack(long[] out, int at) {
        out[at] = subject.id();
        out[at + 1] = purpose;
        out[at + 2] = status.code();
        out[at + 3] = validUntil;
    }
}
