package io.custos;

import org.jetbrains.annotations.NotNull;

/**
 * The receiving side of a device's EraseRequests: verifies each with the
 * device's public key and accepts it once. Keep one receiver per device and
 * persist {@link #state()} between runs (it holds no secret); a request seen
 * before, or one whose counter does not grow, is {@link ReplayException}.
 * Not thread-safe: accept from one thread at a time.
 */
public final class EraseRequestReceiver {
    static {
        NativeLoader.load();
    }

    private static final int STATE_BYTES = 8 + 8 * 16;

    private final byte[] devicePublicKey;
    private final byte[] state;

    /** A receiver that has accepted nothing yet from the device with this 32-byte public key. */
    public EraseRequestReceiver(@NotNull byte[] devicePublicKey) {
        this(devicePublicKey, new byte[STATE_BYTES]);
    }

    /** A receiver resumed from a saved {@link #state()}. */
    public EraseRequestReceiver(@NotNull byte[] devicePublicKey, @NotNull byte[] savedState) {
        if (devicePublicKey == null || devicePublicKey.length != 32) {
            throw new IllegalArgumentException("a device public key is 32 bytes (Ed25519)");
        }
        if (savedState == null || savedState.length != STATE_BYTES) {
            throw new IllegalArgumentException("a saved receiver state is " + STATE_BYTES + " bytes");
        }
        this.devicePublicKey = devicePublicKey.clone();
        this.state = savedState.clone();
    }

    /**
     * Verify and accept one signed request (as read from the device's
     * {@link Erasure#outbox()}). On failure the state is unchanged.
     *
     * @throws SignatureException another device signed it, or the signature fails
     * @throws CorruptException it is malformed
     * @throws ReplayException it was accepted before, or its counter is not above the last one
     */
    public @NotNull EraseRequest accept(@NotNull byte[] signedRequest) throws CustosException {
        if (signedRequest == null) {
            throw new IllegalArgumentException("signedRequest must not be null");
        }
        long[] nums = new long[5];
        byte[] ids = new byte[64];
        nativeAccept(state, signedRequest, devicePublicKey, nums, ids);
        return new EraseRequest(nums, ids);
    }

    /** The replay state to persist. */
    public @NotNull byte[] state() {
        return state.clone();
    }

    private static native void nativeAccept(byte[] state, byte[] msg, byte[] pk, long[] nums, byte[] ids)
        throws CustosException;
}
