package io.custos;

import java.lang.ref.Cleaner;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An open Custos store. Open it with {@link #open(String)}, use it from any
 * number of threads, and close it (try-with-resources). Closing twice is
 * harmless; a store that is never closed is closed by a {@link Cleaner} when
 * it becomes unreachable. Every call on a closed store throws
 * {@link IllegalStateException}.
 */
public final class Custos implements AutoCloseable {
    static {
        NativeLoader.load();
    }

    private static final Cleaner CLEANER = Cleaner.create();

    /** Holds only the native pointer, never the Custos, so the Cleaner can run. */
    private static final class State implements Runnable {
        private long handle;

        State(long handle) {
            this.handle = handle;
        }

        @Override
        public void run() {
            long h = handle;
            handle = 0;
            if (h != 0) {
                nativeClose(h);
            }
        }
    }

    private final State state;
    private final Cleaner.Cleanable cleanable;
    /* Calls hold the read lock; close holds the write lock, so a close never
     * frees the handle under a running call. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    private Custos(long handle) {
        this.state = new State(handle);
        this.cleanable = CLEANER.register(this, state);
    }

    /** Open (creating if needed) the store in directory {@code dir}. */
    public static Custos open(String dir) throws CustosException {
        if (dir == null || dir.isEmpty()) {
            throw new IllegalArgumentException("dir must name a directory");
        }
        return new Custos(nativeOpen(dir, true));
    }

    /** Open an existing store; {@link NotFoundException} if there is none. */
    public static Custos openExisting(String dir) throws CustosException {
        if (dir == null || dir.isEmpty()) {
            throw new IllegalArgumentException("dir must name a directory");
        }
        return new Custos(nativeOpen(dir, false));
    }

    /** The library version, "MAJOR.MINOR.PATCH". */
    public static String version() {
        return nativeVersion();
    }

    /** This device's Ed25519 public key (32 bytes): verifies its receipts and events. */
    public byte[] devicePublicKey() throws CustosException {
        lock.readLock().lock();
        try {
            return nativeDevicePublicKey(handle());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** This device's 16-byte id. */
    public byte[] deviceId() throws CustosException {
        lock.readLock().lock();
        try {
            return nativeDeviceId(handle());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** True once {@link #close()} has run. */
    public boolean isClosed() {
        lock.readLock().lock();
        try {
            return state.handle == 0;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            cleanable.clean();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The native handle; callers must hold the read lock. */
    long handle() {
        long h = state.handle;
        if (h == 0) {
            throw new IllegalStateException("this Custos store is closed");
        }
        return h;
    }

    /** Run a native call under the read lock: the handle stays valid until it returns. */
    <T> T withHandle(NativeCall<T> call) throws CustosException {
        lock.readLock().lock();
        try {
            return call.apply(handle());
        } finally {
            lock.readLock().unlock();
        }
    }

    @FunctionalInterface
    interface NativeCall<T> {
        T apply(long handle) throws CustosException;
    }

    private static native long nativeOpen(String dir, boolean create) throws CustosException;
    private static native void nativeClose(long handle);
    private static native String nativeVersion();
    private static native byte[] nativeDevicePublicKey(long handle) throws CustosException;
    private static native byte[] nativeDeviceId(long handle) throws CustosException;
}
