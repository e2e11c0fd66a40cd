package io.custos;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/**
 * The consent ledger of a store: obtain it with {@link Custos#consent()}.
 * Every decision becomes a signed, chained event; withdrawing takes exactly
 * the same arguments as giving. A change is visible to
 * {@link Custos#check} as soon as the call returns.
 *
 * <p>Errors: {@link NotFoundException} for an unknown subject;
 * {@link InvalidStateException} if no manifest is loaded or the transition
 * is not allowed (DPV); {@link IllegalArgumentException} for an unknown
 * purpose, one whose legal basis is not consent, or an actor that cannot
 * make this decision (a child's consent needs {@link ConsentActor#GUARDIAN}).
 */
public final class Consent {
    static {
        NativeLoader.load();
    }

    private final Custos custos;
    private final Set<ConsentListener> listeners =
        Collections.newSetFromMap(new ConcurrentHashMap<ConsentListener, Boolean>());

    Consent(Custos custos) {
        this.custos = custos;
    }

    public void request(@NotNull Subject subject, int purpose) throws CustosException {
        record(subject, purpose, ConsentStatus.REQUESTED, ConsentInfo.DEFAULT);
    }

    public void request(@NotNull Subject subject, int purpose, @NotNull ConsentInfo info) throws CustosException {
        record(subject, purpose, ConsentStatus.REQUESTED, info);
    }

    public void give(@NotNull Subject subject, int purpose) throws CustosException {
        record(subject, purpose, ConsentStatus.GIVEN, ConsentInfo.DEFAULT);
    }

    public void give(@NotNull Subject subject, int purpose, @NotNull ConsentInfo info) throws CustosException {
        record(subject, purpose, ConsentStatus.GIVEN, info);
    }

    public void renew(@NotNull Subject subject, int purpose, @NotNull ConsentInfo info) throws CustosException {
        record(subject, purpose, ConsentStatus.RENEWED, info);
    }

    public void refuse(@NotNull Subject subject, int purpose) throws CustosException {
        record(subject, purpose, ConsentStatus.REFUSED, ConsentInfo.DEFAULT);
    }

    public void refuse(@NotNull Subject subject, int purpose, @NotNull ConsentInfo info) throws CustosException {
        record(subject, purpose, ConsentStatus.REFUSED, info);
    }

    public void withdraw(@NotNull Subject subject, int purpose) throws CustosException {
        record(subject, purpose, ConsentStatus.WITHDRAWN, ConsentInfo.DEFAULT);
    }

    public void withdraw(@NotNull Subject subject, int purpose, @NotNull ConsentInfo info) throws CustosException {
        record(subject, purpose, ConsentStatus.WITHDRAWN, info);
    }

    /** Revocation is by someone other than the subject: pass a CONTROLLER or GUARDIAN actor. */
    public void revoke(@NotNull Subject subject, int purpose, @NotNull ConsentInfo info) throws CustosException {
        record(subject, purpose, ConsentStatus.REVOKED, info);
    }

    /**
     * Record any decision a caller may record: REQUESTED, REQUEST_DEFERRED,
     * GIVEN, RENEWED, REFUSED, WITHDRAWN or REVOKED (EXPIRED and
     * INVALIDATED are recorded by Custos only: IllegalArgumentException).
     */
    public void record(@NotNull Subject subject, int purpose, @NotNull ConsentStatus status, @NotNull ConsentInfo info)
            throws CustosException {
        Custos.requireSubject(subject);
        Custos.requireId(purpose, "purpose");
        if (status == null || info == null) {
            throw new IllegalArgumentException("status and info must not be null");
        }
        custos.withHandle(h -> {
            nativeRecord(h, subject.id(), purpose, status.code(), info.method().code(), info.actor().code(),
                info.noticeLang(), info.noticeHashRaw());
            return null;
        });
        RecordedConsent recorded = new RecordedConsent(subject, purpose, status);
        for (ConsentListener l : listeners) {
            l.consentRecorded(recorded);
        }
    }

    /**
     * Tell {@code listener} about every decision recorded through this
     * store object from now on, after it is recorded (a failed call tells
     * nobody). Listeners run on the recording thread, in no particular
     * order; adding one twice has no effect. Swift: {@code Custos.consentChanges()}.
     */
    public void addListener(@NotNull ConsentListener listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null");
        }
        listeners.add(listener);
    }

    /** Stop telling {@code listener}; returns false if it was not added. */
    public boolean removeListener(@Nullable ConsentListener listener) {
        return listener != null && listeners.remove(listener);
    }

    /**
     * The notice hash to record with a decision ({@link ConsentInfo#withNotice}):
     * BLAKE2b-256 of the notice text exactly as shown, as UTF-8 bytes
     * (custos_notice_hash). Swift: {@code Consent.noticeHash(_:)}.
     */
    public static @NotNull byte[] noticeHash(@NotNull String shownText) {
        if (shownText == null) {
            throw new IllegalArgumentException("shownText must not be null");
        }
        return noticeHash(shownText.getBytes(StandardCharsets.UTF_8));
    }

    /** The notice hash of the exact bytes shown (e.g. a notice file as written by Disclosure). */
    public static @NotNull byte[] noticeHash(@NotNull byte[] shownBytes) {
        if (shownBytes == null) {
            throw new IllegalArgumentException("shownBytes must not be null");
        }
        try {
            return nativeNoticeHash(shownBytes);
        } catch (CustosException e) {
            throw new IllegalStateException("the notice could not be hashed: " + e.getMessage());
        }
    }

    /** The current state of (subject, purpose); records an EXPIRED event first if it ran out. */
    public @NotNull ConsentState state(@NotNull Subject subject, int purpose) throws CustosException {
        Custos.requireSubject(subject);
        Custos.requireId(purpose, "purpose");
        long[] v = new long[6];
        custos.withHandle(h -> {
            nativeState(h, subject.id(), purpose, v);
            return null;
        });
        return new ConsentState(v);
    }

    /** Every event of the subject, oldest first. */
    public @NotNull List<ConsentEvent> history(@NotNull Subject subject) throws CustosException {
        Custos.requireSubject(subject);
        ConsentEvent[] events = custos.withHandle(h -> nativeHistory(h, subject.id()));
        return Collections.unmodifiableList(Arrays.asList(events));
    }

    /**
     * The subject's consents as a signed receipt (UTF-8 JSON): its ledger
     * events and the device's signature over the whole text.
     */
    public @NotNull String receipt(@NotNull Subject subject, @NotNull ReceiptFormat format) throws CustosException {
        Custos.requireSubject(subject);
        if (format == null) {
            throw new IllegalArgumentException("format must not be null");
        }
        byte[] json = custos.withHandle(h -> nativeReceipt(h, subject.id(), format.code()));
        return new String(json, StandardCharsets.UTF_8);
    }

    /**
     * Verify a receipt made by {@link #receipt}: its signature, then every
     * embedded event's signature and their order. devicePublicKey (32
     * bytes) is the key expected to have signed it; null accepts the key the
     * receipt names. Returns the number of events.
     *
     * @throws SignatureException a signature does not verify (or another key signed it)
     * @throws CorruptException the receipt was altered or is malformed
     */
    public static int verifyReceipt(@NotNull String receipt, @Nullable byte[] devicePublicKey) throws CustosException {
        if (receipt == null) {
            throw new IllegalArgumentException("receipt must not be null");
        }
        return nativeReceiptVerify(receipt.getBytes(StandardCharsets.UTF_8), devicePublicKey);
    }

    /**
     * Walk the whole ledger: every signature and link of the chain, then
     * every consent state row against its event and the state seal.
     *
     * @throws SignatureException an event's signature does not verify
     * @throws CorruptException an event was removed, reordered or altered
     */
    public void verifyLedger() throws CustosException {
        custos.withHandle(h -> {
            nativeVerifyLedger(h);
            return null;
        });
    }

    /**
     * Re-fold the consent state from the verified ledger, after a check
     * answered {@link Decision#DENY_INTEGRITY} or {@link #verifyLedger()}
     * reported the state changed outside the library (custos_consent_repair).
     *
     * @return how many subjects were re-folded
     * @throws CorruptException the ledger itself fails verification: nothing was changed
     * @throws SignatureException an event's signature does not verify: nothing was changed
     */
    public long repair() throws CustosException {
        return custos.withHandle(h -> nativeRepair(h));
    }

    private static native void nativeRecord(long h, long subject, int purpose, int status, int method, int actor,
                                            String lang, byte[] noticeHash) throws CustosException;
    private static native void nativeState(long h, long subject, int purpose, long[] out) throws CustosException;
    private static native ConsentEvent[] nativeHistory(long h, long subject) throws CustosException;
    private static native byte[] nativeReceipt(long h, long subject, int format) throws CustosException;
    private static native int nativeReceiptVerify(byte[] receipt, byte[] publicKey) throws CustosException;
    private static native void nativeVerifyLedger(long h) throws CustosException;
    private static native long nativeRepair(long h) throws CustosException;
    private static native byte[] nativeNoticeHash(byte[] text) throws CustosException;
}
