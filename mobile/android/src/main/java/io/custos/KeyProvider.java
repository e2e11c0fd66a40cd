package io.custos;

import java.io.IOException;
import java.security.GeneralSecurityException;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/**
 * The keys of a store, held outside Custos: on Android, keys protected by
 * the Android Keystore. Pass one to {@link Custos#open(String, KeyProvider)}.
 * Custos never sees a key-encryption key (KEK) or the signing key: it asks
 * the provider to wrap, unwrap and sign.
 *
 * <p>Contract (store.h, custos_key_provider):
 * <ul>
 * <li>KEKs are numbered by generation from 1. {@link #createKek} makes
 * generation current+1; {@link #destroyKek} of an unknown generation throws
 * {@link NotFoundException}; destroying the last live generation throws
 * {@link InvalidStateException} (create its successor first).</li>
 * <li>{@link #wrap} returns exactly {@code key.length + 40} bytes (for
 * example a 24-byte nonce, the ciphertext and a 16-byte tag) bound to the
 * associated data; {@link #unwrap} reverses it and throws if the KEK is
 * wrong or gone, the blob was altered or the associated data differs.</li>
 * <li>{@link #sign} is Ed25519 (64-byte signatures) with the device key whose
 * raw 32-byte public key {@link #publicKey} returns.</li>
 * <li>{@link #indexKey} is a 32-byte secret for keyed hashes of subject ids.</li>
 * <li>Optional: a provider whose {@link #keepsAnchor} is true keeps the
 * store's anchor ({@link #storeAnchor}, {@link #loadAnchor}) instead of the
 * file {@code <dir>/anchor}. Kept where the store's directory cannot take it
 * back, it makes {@link Custos#open} refuse a directory restored whole from
 * an older copy ({@link CorruptException} "custos.db is older than the
 * store's anchor"). A provider that does not override them keeps working
 * as before.</li>
 * </ul>
 *
 * <p>The methods are called from native code, on the thread of the Custos
 * call that needs them, possibly from several threads at once: implement
 * them thread-safely. Any exception fails the Custos call with
 * {@link KeyException} carrying its text; a {@link CustosException} passes
 * its own code instead. The store keeps a strong global reference to the
 * provider until it is closed: the provider must not refer to the
 * {@link Custos} that uses it (that would keep it from ever being cleaned).
 * Arrays holding secrets that Custos passes in or receives (the keys to
 * wrap, the unwrapped keys, the index key) are zeroed by the bridge after
 * use.
 */
public interface KeyProvider {
    /** Open the keys of the store in dir, creating them if create and absent. */
    void open(@NotNull String dir, boolean create) throws GeneralSecurityException, IOException, CustosException;

    /** Forget every key held in memory (the store was closed). */
    void close();

    /** The newest live KEK generation. */
    int currentKek() throws GeneralSecurityException, IOException, CustosException;

    /** Create generation current+1 and return it. */
    int createKek() throws GeneralSecurityException, IOException, CustosException;

    void destroyKek(int generation) throws GeneralSecurityException, IOException, CustosException;

    @NotNull byte[] wrap(int generation, @NotNull byte[] key, @NotNull byte[] associatedData)
        throws GeneralSecurityException, IOException, CustosException;

    @NotNull byte[] unwrap(int generation, @NotNull byte[] wrapped, @NotNull byte[] associatedData)
        throws GeneralSecurityException, IOException, CustosException;

    @NotNull byte[] sign(@NotNull byte[] message) throws GeneralSecurityException, IOException, CustosException;

    @NotNull byte[] publicKey() throws GeneralSecurityException, IOException, CustosException;

    @NotNull byte[] indexKey() throws GeneralSecurityException, IOException, CustosException;

    /** Destroy every key (factory reset). */
    void destroyAll() throws GeneralSecurityException, IOException, CustosException;

    /** True if the keys live in hardware (TEE, StrongBox); recorded in deletion receipts. */
    boolean isHardwareBacked();

    /**
     * True if this provider keeps the store's anchor (custos_key_provider
     * version 2, anchor_store / anchor_load). Asked once per
     * {@link Custos#open}; a store opened while it is false keeps the anchor
     * in {@code <dir>/anchor}. The default: false.
     */
    default boolean keepsAnchor() {
        return false;
    }

    /**
     * Replace the stored anchor with {@code anchor}, atomically: a crash
     * must leave the previous value or this one, whole. At most 128 bytes;
     * not secret, but what lets Custos refuse an older copy of the store, so
     * keep it where a restore of the store's directory (or of the app's
     * backup) cannot bring an older one back. Called after every commit that
     * grows the consent ledger or the audit chain, only if
     * {@link #keepsAnchor} is true. The array is a copy the provider may keep.
     */
    default void storeAnchor(@NotNull byte[] anchor) throws GeneralSecurityException, IOException, CustosException {
        throw new UnsupportedOperationException("this KeyProvider does not keep the anchor");
    }

    /**
     * The anchor last stored by {@link #storeAnchor}, byte for byte, or null
     * if none was ever stored (a new store, or one anchored in its file until
     * now: Custos checks the file and moves the anchor here). Called at open,
     * only if {@link #keepsAnchor} is true.
     */
    default @Nullable byte[] loadAnchor() throws GeneralSecurityException, IOException, CustosException {
        throw new UnsupportedOperationException("this KeyProvider does not keep the anchor");
    }
}
