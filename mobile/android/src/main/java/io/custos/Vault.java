package io.custos;

import java.util.List;
import org.jetbrains.annotations.NotNull;

/**
 * Personal data sealed at rest: obtain it with {@link Custos#vault()}. Each
 * record is encrypted under a key that belongs to one subject and one
 * purpose, so erasing either destroys a key. Writing asks the gate first.
 *
 * <p>Payloads are copied into guarded native memory and wiped there; the
 * Java arrays passed in and returned are the caller's to clear.
 */
public final class Vault {
    static {
        NativeLoader.load();
    }

    private final Custos custos;

    Vault(Custos custos) {
        this.custos = custos;
    }

    /** The largest payload of one record (16 MiB). */
    public static long maxPayload() {
        return nativePayloadMax();
    }

    /**
     * Store a payload for (subject, purpose, category) and return its record id.
     *
     * @throws DeniedException the gate denied it (the message names the reason); nothing was written
     */
    public long put(@NotNull Subject subject, int purpose, int category, @NotNull byte[] data) throws CustosException {
        Custos.requireSubject(subject);
        Custos.requireId(purpose, "purpose");
        Custos.requireId(category, "category");
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        if (data.length > maxPayload()) {
            throw new IllegalArgumentException("a vault record holds at most " + maxPayload() + " bytes");
        }
        return custos.withHandle(h -> nativePut(h, subject.id(), purpose, category, data));
    }

    /**
     * Store several payloads of one subject in one transaction: all or none
     * (Swift: putMany). Returns their record ids, in the order of items.
     *
     * @throws DeniedException the gate denied one of them; nothing was written
     */
    public @NotNull long[] putMany(@NotNull Subject subject, @NotNull List<VaultItem> items) throws CustosException {
        Custos.requireSubject(subject);
        if (items == null) {
            throw new IllegalArgumentException("items must not be null");
        }
        int n = items.size();
        int[] purposes = new int[n];
        int[] categories = new int[n];
        byte[][] payloads = new byte[n][];
        int i = 0;
        for (VaultItem item : items) {
            if (item == null) {
                throw new IllegalArgumentException("an item must not be null");
            }
            purposes[i] = item.purpose();
            categories[i] = item.category();
            payloads[i] = item.payload();
            i++;
        }
        return custos.withHandle(h -> nativePutMany(h, subject.id(), purposes, categories, payloads));
    }

    /**
     * Read a record's payload.
     *
     * @throws NotFoundException no such record
     * @throws KeyException its key was destroyed (erased) or cannot be unwrapped
     * @throws CorruptException it failed authentication
     * @throws InvalidStateException the record is a stream: read it with {@link #openStream}
     */
    public @NotNull byte[] get(long recordId) throws CustosException {
        return record(recordId).data();
    }

    /**
     * Read a record with its purpose, category and times.
     *
     * @throws InvalidStateException the record is a stream: read it with {@link #openStream}
     */
    public @NotNull VaultRecord record(long recordId) throws CustosException {
        long[] info = VaultInfo.buffer();
        byte[] data = custos.withHandle(h -> nativeGet(h, recordId, info));
        return new VaultRecord(recordId, info, data);
    }

    /**
     * Begin writing a sealed stream for (subject, purpose, category): one
     * record of any size (a video clip, beyond {@link #maxPayload()}),
     * sealed in chunks as it is written under the same key as the subject's
     * other records of the purpose, kept in a file the store owns. The gate
     * is asked now, before any byte is accepted, and again by
     * {@link VaultOutputStream#finish()}, which stores the record and
     * returns its id; closing the stream without finishing it stores
     * nothing. The record is then like any other: it is listed, expires
     * with its purpose's retention, and is erased with its subject or
     * purpose.
     *
     * @throws DeniedException the gate denied it (the message names the reason)
     * @throws CorruptException the consent state was changed outside the library
     */
    public @NotNull VaultOutputStream createStream(@NotNull Subject subject, int purpose, int category)
        throws CustosException {
        Custos.requireSubject(subject);
        Custos.requireId(purpose, "purpose");
        Custos.requireId(category, "category");
        StreamHandle s = custos.openStream(h -> nativeStreamCreate(h, subject.id(), purpose, category));
        return new VaultOutputStream(custos, s);
    }

    /**
     * Open a sealed stream record for reading; its {@link VaultInputStream#info()}
     * says what the vault knows about it. Close it (try-with-resources).
     *
     * @throws NotFoundException no such record
     * @throws KeyException its key was destroyed (erased)
     * @throws InvalidStateException the record is not a stream: read it with {@link #get}
     * @throws CorruptException it failed authentication
     */
    public @NotNull VaultInputStream openStream(long recordId) throws CustosException {
        long[] info = VaultInfo.buffer();
        StreamHandle s = custos.openStream(h -> nativeStreamOpen(h, recordId, info));
        return new VaultInputStream(custos, s, new VaultInfo(recordId, info));
    }

    /** The ids of a subject's records (streams included), oldest first. */
    public @NotNull long[] list(@NotNull Subject subject) throws CustosException {
        Custos.requireSubject(subject);
        return custos.withHandle(h -> nativeList(h, subject.id()));
    }

    /** Delete one record. */
    public void delete(long recordId) throws CustosException {
        custos.withHandle(h -> {
            nativeDelete(h, recordId);
            return null;
        });
    }

    /** Remove every record whose retention has run out; returns how many. */
    public long maintain() throws CustosException {
        return custos.withHandle(Vault::nativeMaintain);
    }

    /** Re-wrap every data key under a new KEK generation and destroy the old one. */
    public void rotateKek() throws CustosException {
        custos.withHandle(h -> {
            nativeRotateKek(h);
            return null;
        });
    }

    /** A fresh X25519 recipient key pair for exports. */
    public static @NotNull ExportKeyPair newExportKeyPair() throws CustosException {
        byte[] pk = new byte[32];
        byte[] sk = new byte[32];
        nativeExportKeyPair(pk, sk);
        return new ExportKeyPair(pk, sk);
    }

    /**
     * Write every record of the subject to the file at path, encrypted to
     * the recipient's 32-byte X25519 public key (GDPR Art. 20). The file
     * appears whole or not at all.
     */
    public void export(@NotNull Subject subject, @NotNull String path, @NotNull byte[] recipientPublicKey)
        throws CustosException {
        Custos.requireSubject(subject);
        requirePath(path);
        custos.withHandle(h -> {
            nativeExport(h, path, subject.id(), recipientPublicKey);
            return null;
        });
    }

    /**
     * Import an export made for recipient (all or nothing, through the
     * gate) as records of subject; returns the number stored.
     *
     * @throws CorruptException the file is truncated, altered or foreign
     * @throws KeyException it was made for another recipient
     */
    public int importFrom(@NotNull String path, @NotNull Subject subject, @NotNull ExportKeyPair recipient)
        throws CustosException {
        Custos.requireSubject(subject);
        requirePath(path);
        if (recipient == null) {
            throw new IllegalArgumentException("recipient must not be null");
        }
        return custos.withHandle(h -> nativeImport(h, path, subject.id(), recipient.publicKey(),
            recipient.secretKey()));
    }

    private static void requirePath(String path) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("path must name a file");
        }
    }

    private static native long nativePut(long h, long subject, int purpose, int category, byte[] data)
        throws CustosException;
    private static native long[] nativePutMany(long h, long subject, int[] purposes, int[] categories,
        byte[][] payloads) throws CustosException;
    private static native byte[] nativeGet(long h, long id, long[] info) throws CustosException;
    private static native long[] nativeList(long h, long subject) throws CustosException;
    /* Sealed streams: s is the bridge's stream pointer (jni_vault.c), used under the store's read lock. */
    private static native long nativeStreamCreate(long h, long subject, int purpose, int category)
        throws CustosException;
    static native void nativeStreamWrite(long h, long s, byte[] data, int off, int len) throws CustosException;
    /** Frees s whatever the result. */
    static native long nativeStreamFinish(long h, long s) throws CustosException;
    private static native long nativeStreamOpen(long h, long id, long[] info) throws CustosException;
    /** Returns 0 only at the authenticated end. */
    static native int nativeStreamRead(long h, long s, byte[] data, int off, int len) throws CustosException;
    static native void nativeStreamClose(long s);
    private static native void nativeDelete(long h, long id) throws CustosException;
    private static native void nativeExport(long h, String path, long subject, byte[] pk) throws CustosException;
    private static native int nativeImport(long h, String path, long subject, byte[] pk, byte[] sk)
        throws CustosException;
    private static native void nativeExportKeyPair(byte[] pk, byte[] sk) throws CustosException;
    private static native long nativePayloadMax();
    private static native long nativeMaintain(long h) throws CustosException;
    private static native void nativeRotateKek(long h) throws CustosException;
}
