package io.custos;

import org.jetbrains.annotations.NotNull;

/**
 * An X25519 key pair for {@link Vault#export} / {@link Vault#importFrom}.
 * The secret key is a Java array (the GC may copy it): keep it only as long
 * as needed and {@link #wipe()} it after use.
 */
public final class ExportKeyPair {
    private final byte[] publicKey;
    private final byte[] secretKey;

    ExportKeyPair(byte[] publicKey, byte[] secretKey) {
        this.publicKey = publicKey;
        this.secretKey = secretKey;
    }

    /** The 32-byte public key (give it to the exporting store). */
    public @NotNull byte[] publicKey() {
        return publicKey.clone();
    }

    /** The 32-byte secret key (the array itself, so that wipe() reaches it). */
    public @NotNull byte[] secretKey() {
        return secretKey;
    }

    /** Overwrite the secret key with zeros. */
    public void wipe() {
        java.util.Arrays.fill(secretKey, (byte) 0);
    }
}
