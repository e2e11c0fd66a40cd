package io.custos;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/** One signed event of a subject's consent history (custos_consent_event_info). */
public final class ConsentEvent {
    private final long seq;
    private final byte[] eventId;
    private final int purpose;
    private final ConsentStatus status;
    private final ConsentMethod method;
    private final ConsentActor actor;
    private final long time;
    private final TimeConfidence timeConfidence;
    private final long validUntil;
    private final long policyVersion;
    private final byte[] manifestId;
    private final byte[] noticeHash;
    private final String noticeLang;
    private final boolean appSigned;

    /* Built by the bridge (jni_consent.c); the signature is registered there. */
    ConsentEvent(long seq, byte[] eventId, int purpose, int status, int method, int actor, long time,
                 int timeConfidence, long validUntil, long policyVersion, byte[] manifestId,
                 byte[] noticeHash, String noticeLang, boolean appSigned) {
        this.seq = seq;
        this.eventId = eventId;
        this.purpose = purpose;
        this.status = ConsentStatus.of(status);
        this.method = ConsentMethod.of(method);
        this.actor = ConsentActor.of(actor);
        this.time = time;
        this.timeConfidence = TimeConfidence.of(timeConfidence);
        this.validUntil = validUntil;
        this.policyVersion = policyVersion;
        this.manifestId = manifestId;
        this.noticeHash = noticeHash;
        this.noticeLang = noticeLang;
        this.appSigned = appSigned;
    }

    public long seq() {
        return seq;
    }

    /** The event's 16-byte id. */
    public @NotNull byte[] eventId() {
        return eventId.clone();
    }

    public int purpose() {
        return purpose;
    }

    public @NotNull ConsentStatus status() {
        return status;
    }

    public @NotNull ConsentMethod method() {
        return method;
    }

    public @NotNull ConsentActor actor() {
        return actor;
    }

    /** Seconds since the epoch. */
    public long time() {
        return time;
    }

    public @NotNull TimeConfidence timeConfidence() {
        return timeConfidence;
    }

    /** Seconds since the epoch; 0 for no expiry. */
    public long validUntil() {
        return validUntil;
    }

    public long policyVersion() {
        return policyVersion;
    }

    /** The 32-byte id of the manifest the event bound to. */
    public @NotNull byte[] manifestId() {
        return manifestId.clone();
    }

    /** The hash of the notice shown, or null. */
    public @Nullable byte[] noticeHash() {
        return noticeHash == null ? null : noticeHash.clone();
    }

    public @NotNull String noticeLang() {
        return noticeLang;
    }

    /** True if the paired companion app also signed the event. */
    public boolean isAppSigned() {
        return appSigned;
    }

    @Override
    public @NotNull String toString() {
        return "ConsentEvent(" + seq + ", purpose " + purpose + ", " + status + ")";
    }
}
