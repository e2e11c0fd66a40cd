package io.custos;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/**
 * A verified EraseRequest from a device (ETSI EN 303 645 5.11-2): what an
 * associated service (the cloud, the companion app) must now erase on its
 * side. Produced by {@link EraseRequestReceiver#accept}.
 */
public final class EraseRequest {
    /** What the device erased (EraseScope of sync.proto). */
    public enum Scope {
        SUBJECT(1),
        SUBJECT_PURPOSE(2),
        FACTORY_RESET(3),
        EXPIRED(4);

        private final int code;

        Scope(int code) {
            this.code = code;
        }

        static Scope of(long code) {
            for (Scope s : values()) {
                if (s.code == code) {
                    return s;
                }
            }
            throw new IllegalStateException("unknown erase scope " + code);
        }
    }

    private final byte[] deviceId;
    private final byte[] requestId;
    private final long counter;
    private final Scope scope;
    private final byte[] subjectHash;
    private final int purpose;
    private final long time;

    EraseRequest(long[] nums, byte[] ids) {
        this.counter = nums[0];
        this.scope = Scope.of(nums[1]);
        this.purpose = (int) nums[2];
        this.time = nums[3];
        this.subjectHash = nums[4] != 0 ? java.util.Arrays.copyOfRange(ids, 32, 64) : null;
        this.deviceId = java.util.Arrays.copyOfRange(ids, 0, 16);
        this.requestId = java.util.Arrays.copyOfRange(ids, 16, 32);
    }

    public @NotNull byte[] deviceId() {
        return deviceId.clone();
    }

    public @NotNull byte[] requestId() {
        return requestId.clone();
    }

    /** The device's request counter: only grows. */
    public long counter() {
        return counter;
    }

    public @NotNull Scope scope() {
        return scope;
    }

    /** The keyed hash of the subject as the device knows it, or null (reset, expiry). */
    public @Nullable byte[] subjectHash() {
        return subjectHash == null ? null : subjectHash.clone();
    }

    /** The purpose erased, or -1 if the request is not about one purpose. */
    public int purpose() {
        return purpose;
    }

    /** Seconds since the epoch. */
    public long time() {
        return time;
    }
}
