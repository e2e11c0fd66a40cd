package io.custos;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/**
 * A deletion receipt signed by the device key: what was erased, how, and
 * whether the erasure was verified. {@link #bytes()} is the signed message
 * to hand to whoever asked for the erasure; {@link #json()} renders it for
 * people and programs; {@link #verify} checks the signature.
 */
public final class DeletionReceipt {
    static {
        NativeLoader.load();
    }

    private final byte[] bytes;
    private final String json;

    private DeletionReceipt(byte[] bytes, String json) {
        this.bytes = bytes;
        this.json = json;
    }

    /**
     * Parse a receipt's signed bytes (as sent by a device).
     *
     * @throws CorruptException the bytes are not a well-formed receipt
     */
    public static @NotNull DeletionReceipt of(@NotNull byte[] bytes) throws CustosException {
        if (bytes == null) {
            throw new IllegalArgumentException("bytes must not be null");
        }
        byte[] copy = bytes.clone();
        return new DeletionReceipt(copy, new String(nativeJson(copy), StandardCharsets.UTF_8));
    }

    /** The signed receipt (a SignedMessage holding a DeletionReceipt). */
    public @NotNull byte[] bytes() {
        return bytes.clone();
    }

    /**
     * The receipt as one JSON object: scope, subject_hash, purpose, method,
     * key ids, storage, verified, records_removed, time, signer, signature.
     * Rendering does not verify: call {@link #verify} to trust it.
     */
    public @NotNull String json() {
        return json;
    }

    /**
     * Check the receipt against the device's 32-byte Ed25519 public key
     * ({@link Custos#devicePublicKey()}).
     *
     * @throws SignatureException another key signed it, or the signature fails
     * @throws CorruptException it is not a well-formed receipt
     */
    public void verify(@NotNull byte[] publicKey) throws CustosException {
        if (publicKey == null || publicKey.length != 32) {
            throw new IllegalArgumentException("a public key is 32 bytes (Ed25519)");
        }
        nativeVerify(bytes, publicKey);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof DeletionReceipt && Arrays.equals(bytes, ((DeletionReceipt) o).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public @NotNull String toString() {
        return json;
    }

    private static native void nativeVerify(byte[] receipt, byte[] publicKey) throws CustosException;
    private static native byte[] nativeJson(byte[] receipt) throws CustosException;
}
