package io.custos;

/**
 * The native pointer of one open {@link VaultOutputStream} or
 * {@link VaultInputStream}, registered with its store's State: a stream
 * handle must not outlive the store handle it came from, so closing or
 * resetting the store closes every stream still open first (a stream being
 * written is then discarded). Holds no reference to the stream object.
 *
 * <p>{@code pointer} is read and written under the store's lock: by the
 * stream, under the read lock and its own monitor (one thread at a time, as
 * the core requires); by the store, under the write lock.
 */
final class StreamHandle {
    long pointer;

    StreamHandle(long pointer) {
        this.pointer = pointer;
    }

    /** Free the native stream (discarding one not finished); harmless twice. Caller holds the lock. */
    void release() {
        long p = pointer;
        pointer = 0;
        if (p != 0) {
            Vault.nativeStreamClose(p);
        }
    }
}
