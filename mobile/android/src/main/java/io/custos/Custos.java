package io.custos;

import java.io.IOException;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/**
 * An open Custos store. Open it with {@link #open(String)}, use it from any
 * number of threads, and close it (try-with-resources). Closing twice is
 * harmless; a store that is never closed is closed by a daemon thread
 * ("custos-closer") when it becomes unreachable. Every call on a closed store throws
 * {@link IllegalStateException}.
 */
public final class Custos implements AutoCloseable {
    static {
        NativeLoader.load();
    }

    /*
     * Unreachable stores are closed from a phantom-reference queue (Java 8
     * and every Android API level; java.lang.ref.Cleaner needs API 33). A
     * call holds the State's read lock and closing takes its write lock, so
     * a store that becomes unreachable during a call is closed only after
     * the call returns: no reachability fence (API 28) is needed.
     */
    private static final ReferenceQueue<Custos> QUEUE = new ReferenceQueue<Custos>();
    private static final Set<Closer> LIVE = Collections.newSetFromMap(new ConcurrentHashMap<Closer, Boolean>());

    static {
        Thread t = new Thread(new Runnable() {
            @Override
            public void run() {
                for (;;) {
                    try {
                        ((Closer) QUEUE.remove()).close();
                    } catch (InterruptedException e) {
                        // keep serving: an interrupt does not end the process's stores
                    }
                }
            }
        }, "custos-closer");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Holds only the native pointers and the lock, never the Custos, so the
     * Custos can become unreachable: the store handle and, for a Java
     * KeyProvider, the native provider over it (which holds a global
     * reference to the Java object).
     */
    private static final class State {
        /* Calls hold the read lock; closing holds the write lock, so a close
         * never frees the handle under a running call. */
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        long handle;
        private long provider;
        /* A C key provider the bridge made (the passphrase provider), freed after the store. */
        private long owned;
        /* The vault streams still open: closed before the handle is closed or reset. */
        final Set<StreamHandle> streams = Collections.newSetFromMap(new ConcurrentHashMap<StreamHandle, Boolean>());

        State(long handle, long provider, long owned) {
            this.handle = handle;
            this.provider = provider;
            this.owned = owned;
        }

        void close() {
            lock.writeLock().lock();
            try {
                long h = handle;
                long p = provider;
                long o = owned;
                handle = 0;
                provider = 0;
                owned = 0;
                closeStreams();
                if (h != 0 || p != 0) {
                    nativeClose(h, p);
                }
                if (o != 0) {
                    nativeFreeOwned(o);
                }
            } finally {
                lock.writeLock().unlock();
            }
        }

        /* Free every open stream (the caller holds the write lock). */
        void closeStreams() {
            for (StreamHandle s : streams) {
                s.release();
            }
            streams.clear();
        }
    }

    private static final class Closer extends PhantomReference<Custos> {
        private final State state;

        Closer(Custos owner, State state) {
            super(owner, QUEUE);
            this.state = state;
        }

        void close() {
            LIVE.remove(this);
            clear();
            state.close();
        }
    }

    private final State state;
    private final Closer closer;
    private final ReentrantReadWriteLock lock;

    private final Consent consent = new Consent(this);
    private final Vault vault = new Vault(this);
    private final Erasure erasure = new Erasure(this);
    private final Audit audit = new Audit(this);

    private Custos(long handle, long provider, long owned) {
        this.state = new State(handle, provider, owned);
        this.lock = state.lock;
        this.closer = new Closer(this, state);
        LIVE.add(closer);
    }

    /** Open (creating if needed) the store in directory {@code dir}, keys in {@code dir/keys}. */
    public static @NotNull Custos open(@NotNull String dir) throws CustosException {
        return open(dir, true, null);
    }

    /** Open an existing store; {@link NotFoundException} if there is none. */
    public static @NotNull Custos openExisting(@NotNull String dir) throws CustosException {
        return open(dir, false, null);
    }

    /**
     * Open (creating if needed) the store in {@code dir} with its keys held
     * by {@code keys} (the Android Keystore, for example). The store keeps
     * the provider until it is closed; reopen it with the same keys.
     *
     * @throws KeyException the provider failed (the message carries what it threw)
     */
    public static @NotNull Custos open(@NotNull String dir, @NotNull KeyProvider keys) throws CustosException {
        if (keys == null) {
            throw new IllegalArgumentException("keys must not be null");
        }
        return open(dir, true, keys);
    }

    /** Open an existing store whose keys are held by {@code keys}. */
    public static @NotNull Custos openExisting(@NotNull String dir, @NotNull KeyProvider keys) throws CustosException {
        if (keys == null) {
            throw new IllegalArgumentException("keys must not be null");
        }
        return open(dir, false, keys);
    }

    private static Custos open(String dir, boolean create, KeyProvider keys) throws CustosException {
        if (dir == null || dir.isEmpty()) {
            throw new IllegalArgumentException("dir must name a directory");
        }
        long[] provider = new long[1];
        long h = nativeOpen(dir, create, keys, provider);
        return new Custos(h, provider[0], 0);
    }

    /**
     * Open (creating if needed) the store in {@code dir} with its key file
     * sealed under a key derived from {@code passphrase} (Argon2id; UTF-8
     * bytes, for example). The bridge copies the passphrase into guarded
     * memory; the caller may wipe its array at once. (Not an overload of
     * open: open(dir, null) must stay unambiguous.)
     *
     * @throws KeyException a wrong passphrase
     */
    public static @NotNull Custos openWithPassphrase(@NotNull String dir, @NotNull byte[] passphrase)
        throws CustosException {
        return openPassphrase(dir, true, passphrase);
    }

    /** Open an existing store whose key file is sealed under {@code passphrase}. */
    public static @NotNull Custos openExistingWithPassphrase(@NotNull String dir, @NotNull byte[] passphrase)
        throws CustosException {
        return openPassphrase(dir, false, passphrase);
    }

    private static Custos openPassphrase(String dir, boolean create, byte[] passphrase) throws CustosException {
        if (dir == null || dir.isEmpty()) {
            throw new IllegalArgumentException("dir must name a directory");
        }
        if (passphrase == null || passphrase.length == 0) {
            throw new IllegalArgumentException("passphrase must not be empty");
        }
        long[] owned = new long[1];
        long h = nativeOpenPassphrase(dir, create, passphrase, owned);
        return new Custos(h, 0, owned[0]);
    }

    /** The library version, "MAJOR.MINOR.PATCH". */
    public static @NotNull String version() {
        return nativeVersion();
    }

    /** This device's Ed25519 public key (32 bytes): verifies its receipts and events. */
    public @NotNull byte[] devicePublicKey() throws CustosException {
        lock.readLock().lock();
        try {
            return nativeDevicePublicKey(handle());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** This device's 16-byte id. */
    public @NotNull byte[] deviceId() throws CustosException {
        lock.readLock().lock();
        try {
            return nativeDeviceId(handle());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The consent ledger: give, withdraw, state, history, receipts. */
    public @NotNull Consent consent() {
        return consent;
    }

    /** The vault of personal data sealed at rest. */
    public @NotNull Vault vault() {
        return vault;
    }

    /** Erasure of a subject, a purpose, the expired records; the receipts. */
    public @NotNull Erasure erasure() {
        return erasure;
    }

    /** The audit chain. */
    public @NotNull Audit audit() {
        return audit;
    }

    /**
     * Load a compiled manifest ({@link Manifest#compile}) into the store. A
     * later version must carry a higher policy version; purposes that
     * changed materially need consent again (their consents become
     * INVALIDATED). Loading the same manifest again does nothing.
     *
     * @throws InvalidStateException an older version, or the same version with another id
     * @throws CorruptException the compiled file is damaged
     */
    public void loadManifest(@NotNull byte[] compiled) throws CustosException {
        if (compiled == null) {
            throw new IllegalArgumentException("compiled must not be null");
        }
        withHandle(h -> {
            nativeLoadManifest(h, compiled);
            return null;
        });
    }

    /** The loaded manifest's policy version, or -1 if none is loaded. */
    public long policyVersion() throws CustosException {
        return withHandle(Custos::nativePolicyVersion);
    }

    /**
     * Register a person under the maker's own identifier (an account id, a
     * name); only a keyed hash of it is stored.
     *
     * @throws AlreadyExistsException the identifier is already registered
     */
    public @NotNull Subject addSubject(@NotNull String externalId, @NotNull Role role) throws CustosException {
        requireExternalId(externalId);
        if (role == null) {
            throw new IllegalArgumentException("role must not be null");
        }
        return new Subject(withHandle(h -> nativeSubjectAdd(h, externalId, role.code())));
    }

    /** @throws NotFoundException no subject has that identifier */
    public @NotNull Subject findSubject(@NotNull String externalId) throws CustosException {
        requireExternalId(externalId);
        return new Subject(withHandle(h -> nativeSubjectFind(h, externalId)));
    }

    public @NotNull Role role(@NotNull Subject subject) throws CustosException {
        requireSubject(subject);
        return Role.of(withHandle(h -> nativeSubjectRole(h, subject.id())));
    }

    /**
     * Make {@code newOwner} the owner; the previous owner becomes a
     * household member and its consents are INVALIDATED.
     *
     * @throws InvalidStateException newOwner already owns the device
     */
    public void transferOwnership(@NotNull Subject newOwner) throws CustosException {
        requireSubject(newOwner);
        withHandle(h -> {
            nativeTransferOwnership(h, newOwner.id());
            return null;
        });
    }

    /**
     * The gate: may this subject's data of this category be processed for
     * this purpose now? Never throws for an unknown subject, purpose or
     * category: those are denials. Lock-free in the core; safe to call from
     * many threads while others record consent.
     */
    public @NotNull Decision check(@NotNull Subject subject, int purpose, int category) {
        requireSubject(subject);
        requireId(purpose, "purpose");
        requireId(category, "category");
        lock.readLock().lock();
        try {
            return Decision.of(nativeCheck(handle(), subject.id(), purpose, category));
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Factory reset: destroy every key, erase every file of the store but
     * its header, and reopen it empty with fresh keys (the device id stays).
     * This object stays usable and refers to the reset store. The receipt is
     * signed with the old device key (its public key is in the receipt).
     * If the reset fails after it began, this object is closed and the next
     * open of the directory finishes the reset.
     */
    public @NotNull DeletionReceipt factoryReset() throws CustosException {
        return factoryReset(null);
    }

    public @NotNull DeletionReceipt factoryReset(@Nullable EraseProgress progress) throws CustosException {
        byte[] receipt;
        lock.writeLock().lock();
        try {
            long h = handle();
            state.closeStreams(); /* they belong to the store being reset */
            long[] out = {h};
            try {
                receipt = Erasure.factoryReset(h, progress, out);
            } finally {
                state.handle = out[0];
            }
        } finally {
            lock.writeLock().unlock();
        }
        return DeletionReceipt.of(receipt);
    }

    /** The longest signed sync message a peer accepts (bytes). */
    public static int maxSyncMessage() {
        return nativeSyncMaxMessage();
    }

    /**
     * Register a peer's Ed25519 public key (32 bytes): the companion app's on
     * a device ({@code deviceId} null), the device's (with its 16-byte id) in
     * an app's store. Re-pairing the same key keeps its counter.
     */
    public void pair(@NotNull byte[] peerPublicKey, @Nullable byte[] deviceId) throws CustosException {
        requireBytes(peerPublicKey, "peerPublicKey");
        withHandle(h -> {
            nativePair(h, peerPublicKey, deviceId);
            return null;
        });
    }

    /** Register the companion app's key on a device. */
    public void pair(@NotNull byte[] peerPublicKey) throws CustosException {
        pair(peerPublicKey, null);
    }

    public void unpair(@NotNull byte[] peerPublicKey) throws CustosException {
        requireBytes(peerPublicKey, "peerPublicKey");
        withHandle(h -> {
            nativeUnpair(h, peerPublicKey);
            return null;
        });
    }

    /**
     * A signed ConsentUpdate for the paired device {@code deviceId}, with the
     * next counter for it.
     *
     * @throws NotFoundException the device is not paired
     * @throws CustosException code CUSTOS_ERANGE: no change, or more than 16
     */
    public @NotNull byte[] encodeConsentUpdate(@NotNull byte[] deviceId, @NotNull List<ConsentChange> changes)
        throws CustosException {
        requireBytes(deviceId, "deviceId");
        if (changes == null) {
            throw new IllegalArgumentException("changes must not be null");
        }
        long[] packed = new long[changes.size() * 4];
        int at = 0;
        for (ConsentChange c : changes) {
            if (c == null) {
                throw new IllegalArgumentException("a change must not be null");
            }
            c.pack(packed, at);
            at += 4;
        }
        return withHandle(h -> nativeEncodeUpdate(h, deviceId, packed));
    }

    /**
     * Verify and apply a ConsentUpdate from the paired app, all or nothing;
     * returns the number of events recorded.
     *
     * @throws SignatureException unpaired signer or bad signature
     * @throws ReplayException the counter is not above the last one applied
     * @throws CorruptException a malformed message
     */
    public int applyConsentUpdate(@NotNull byte[] message) throws CustosException {
        requireBytes(message, "message");
        return withHandle(h -> nativeApplyUpdate(h, message));
    }

    /** This store's consent state of every subject, signed. */
    public @NotNull byte[] encodeStateReport() throws CustosException {
        return withHandle(Custos::nativeEncodeStateReport);
    }

    /** Verify a state report signed by a paired device and decode it. */
    public @NotNull StateReport decodeStateReport(@NotNull byte[] message) throws CustosException {
        requireBytes(message, "message");
        byte[] id = new byte[16];
        long[] packed = withHandle(h -> nativeDecodeStateReport(h, message, id));
        return StateReport.of(id, packed);
    }

    /** A signed ManifestOffer for the loaded manifest, naming the purposes that need consent again. */
    public @NotNull byte[] encodeManifestOffer(@NotNull int[] reconsent) throws CustosException {
        if (reconsent == null) {
            throw new IllegalArgumentException("reconsent must not be null");
        }
        int[] copy = reconsent.clone();
        return withHandle(h -> nativeEncodeManifestOffer(h, copy));
    }

    /** Verify (paired signer) and decode a ManifestOffer. */
    public @NotNull ManifestOffer decodeManifestOffer(@NotNull byte[] message) throws CustosException {
        requireBytes(message, "message");
        byte[] id = new byte[32];
        long[] version = new long[1];
        int[] purposes = withHandle(h -> nativeDecodeManifestOffer(h, message, id, version));
        return new ManifestOffer(id, version[0], purposes);
    }

    private static void requireBytes(byte[] b, String what) {
        if (b == null) {
            throw new IllegalArgumentException(what + " must not be null");
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
            closer.close();
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

    /**
     * Run a native call under the read lock: the handle stays valid until it
     * returns, even if the caller no longer references this object
     * (Custos.open(dir).vault().get(id)): the closer waits for the read lock.
     */
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

    /**
     * Open a native vault stream under the read lock and register it with
     * the store, which closes it first when it is closed or reset.
     */
    StreamHandle openStream(NativeCall<Long> open) throws CustosException {
        lock.readLock().lock();
        try {
            StreamHandle s = new StreamHandle(open.apply(handle()));
            state.streams.add(s);
            return s;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Run a call on an open vault stream under the read lock (the caller
     * holds the stream's monitor). IOException if the store was closed or
     * reset, which closed the stream.
     */
    <T> T withStream(StreamHandle s, StreamCall<T> call) throws CustosException, IOException {
        lock.readLock().lock();
        try {
            if (state.handle == 0 || s.pointer == 0) {
                throw new IOException("this vault stream was closed when its store was closed or reset");
            }
            return call.apply(state.handle, s);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Free a vault stream (discarding one not finished) and forget it; harmless twice. */
    void closeStream(StreamHandle s) {
        lock.readLock().lock();
        try {
            s.release();
            state.streams.remove(s);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** A stream finished by the core (which freed it): forget it. Caller holds the read lock. */
    void forgetStream(StreamHandle s) {
        s.pointer = 0;
        state.streams.remove(s);
    }

    @FunctionalInterface
    interface StreamCall<T> {
        T apply(long handle, StreamHandle stream) throws CustosException;
    }

    static String decisionString(int code) {
        return nativeDecisionString(code);
    }

    static void requireSubject(Subject subject) {
        if (subject == null) {
            throw new IllegalArgumentException("subject must not be null");
        }
    }

    static void requireId(int id, String what) {
        if (id < 0) {
            throw new IllegalArgumentException(what + " must not be negative");
        }
    }

    private static void requireExternalId(String externalId) {
        if (externalId == null || externalId.isEmpty()) {
            throw new IllegalArgumentException("externalId must not be empty");
        }
    }

    private static native long nativeOpen(String dir, boolean create, KeyProvider keys, long[] provider)
        throws CustosException;
    private static native void nativeClose(long handle, long provider);
    private static native long nativeOpenPassphrase(String dir, boolean create, byte[] passphrase, long[] owned)
        throws CustosException;
    private static native void nativeFreeOwned(long owned);
    private static native void nativeLoadManifest(long handle, byte[] compiled) throws CustosException;
    private static native long nativePolicyVersion(long handle) throws CustosException;
    private static native long nativeSubjectAdd(long handle, String externalId, int role) throws CustosException;
    private static native long nativeSubjectFind(long handle, String externalId) throws CustosException;
    private static native int nativeSubjectRole(long handle, long subject) throws CustosException;
    private static native void nativeTransferOwnership(long handle, long subject) throws CustosException;
    private static native int nativeCheck(long handle, long subject, int purpose, int category);
    private static native String nativeDecisionString(int decision);
    private static native String nativeVersion();
    private static native byte[] nativeDevicePublicKey(long handle) throws CustosException;
    private static native byte[] nativeDeviceId(long handle) throws CustosException;
    private static native void nativePair(long handle, byte[] peerPublicKey, byte[] deviceId) throws CustosException;
    private static native void nativeUnpair(long handle, byte[] peerPublicKey) throws CustosException;
    private static native byte[] nativeEncodeUpdate(long handle, byte[] deviceId, long[] changes)
        throws CustosException;
    private static native int nativeApplyUpdate(long handle, byte[] message) throws CustosException;
    private static native byte[] nativeEncodeStateReport(long handle) throws CustosException;
    private static native long[] nativeDecodeStateReport(long handle, byte[] message, byte[] deviceId)
        throws CustosException;
    private static native byte[] nativeEncodeManifestOffer(long handle, int[] reconsent) throws CustosException;
    private static native int[] nativeDecodeManifestOffer(long handle, byte[] message, byte[] id, long[] version)
        throws CustosException;
    private static native int nativeSyncMaxMessage();
}
