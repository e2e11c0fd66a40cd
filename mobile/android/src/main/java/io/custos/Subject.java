package io.custos;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/**
 * A person the device serves, as the store knows them: a small store-local
 * number assigned by {@link Custos#addSubject}. The maker's own identifier
 * (account id, name) is never stored, only a keyed hash of it.
 */
public final class Subject {
    private final long id;

    Subject(long id) {
        this.id = id;
    }

    /** The store-local subject number (an unsigned 32-bit value). */
    public long id() {
        return id;
    }

    /** A subject by number, as kept by an app between runs. */
    public static @NotNull Subject of(long id) {
        if (id < 0 || id > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("a subject number is an unsigned 32-bit value");
        }
        return new Subject(id);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof Subject && ((Subject) o).id == id;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public @NotNull String toString() {
        return "Subject(" + id + ")";
    }
}
