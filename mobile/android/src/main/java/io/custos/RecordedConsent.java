package io.custos;

import java.util.Objects;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/** One decision a {@link ConsentListener} is told about. Swift: {@code RecordedConsent}. */
public final class RecordedConsent {
    private final Subject subject;
    private final int purpose;
    private final ConsentStatus status;

    RecordedConsent(Subject subject, int purpose, ConsentStatus status) {
        this.subject = subject;
        this.purpose = purpose;
        this.status = status;
    }

    public @NotNull Subject subject() {
        return subject;
    }

    public int purpose() {
        return purpose;
    }

    /** GIVEN, WITHDRAWN, REFUSED, RENEWED, REQUESTED, REQUEST_DEFERRED or REVOKED. */
    public @NotNull ConsentStatus status() {
        return status;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        if (!(o instanceof RecordedConsent)) {
            return false;
        }
        RecordedConsent r = (RecordedConsent) o;
        return subject.equals(r.subject) && purpose == r.purpose && status == r.status;
    }

    @Override
    public int hashCode() {
        return Objects.hash(subject, purpose, status);
    }

    @Override
    public @NotNull String toString() {
        return new StringBuilder().append(status).append(" for purpose ").append(purpose).append(" by ")
            .append(subject).toString();
    }
}
