package io.custos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/**
 * Erasure (crypto-erase, then removal): obtain it with
 * {@link Custos#erasure()}; factory reset is {@link Custos#factoryReset()}.
 * Every erase is journaled (a crash or a cancellation is finished by the
 * next open) and returns a {@link DeletionReceipt} signed by the device
 * key; the store keeps a copy of each ({@link #receipts()}).
 */
public final class Erasure {
    static {
        NativeLoader.load();
    }

    private final Custos custos;

    Erasure(Custos custos) {
        this.custos = custos;
    }

    /**
     * Erase everything held about one subject (GDPR Art. 17): its keys,
     * records, registration and consent state.
     *
     * @throws NotFoundException the subject is not registered; nothing was erased
     */
    public @NotNull DeletionReceipt subject(@NotNull Subject subject) throws CustosException {
        return subject(subject, null);
    }

    public @NotNull DeletionReceipt subject(@NotNull Subject subject, @Nullable EraseProgress progress)
        throws CustosException {
        Custos.requireSubject(subject);
        return DeletionReceipt.of(custos.withHandle(h -> nativeEraseSubject(h, subject.id(), progress)));
    }

    /** Erase one purpose of one subject (after a withdrawal); the registration stays. */
    public @NotNull DeletionReceipt purpose(@NotNull Subject subject, int purpose) throws CustosException {
        return purpose(subject, purpose, null);
    }

    public @NotNull DeletionReceipt purpose(@NotNull Subject subject, int purpose, @Nullable EraseProgress progress)
        throws CustosException {
        Custos.requireSubject(subject);
        Custos.requireId(purpose, "purpose");
        return DeletionReceipt.of(custos.withHandle(h -> nativeErasePurpose(h, subject.id(), purpose, progress)));
    }

    /**
     * Remove every record whose retention ran out; the receipt, or null if
     * nothing had expired.
     */
    public @Nullable DeletionReceipt expired() throws CustosException {
        long[] removed = new long[1];
        byte[] r = custos.withHandle(h -> nativeEraseExpired(h, removed));
        return r.length == 0 ? null : DeletionReceipt.of(r);
    }

    /** The receipts kept in the store, oldest first. */
    public @NotNull List<DeletionReceipt> receipts() throws CustosException {
        List<byte[]> raw = custos.withHandle(h -> {
            long[] seqs = nativeReceiptSeqs(h);
            List<byte[]> out = new ArrayList<>(seqs.length);
            for (long seq : seqs) {
                out.add(nativeReceiptGet(h, seq));
            }
            return out;
        });
        List<DeletionReceipt> receipts = new ArrayList<>(raw.size());
        for (byte[] r : raw) {
            receipts.add(DeletionReceipt.of(r));
        }
        return Collections.unmodifiableList(receipts);
    }

    /** A signed EraseRequest waiting in the outbox for the app to deliver. */
    public static final class Outgoing {
        private final long seq;
        private final byte[] message;

        Outgoing(long seq, byte[] message) {
            this.seq = seq;
            this.message = message;
        }

        /** Its place in the outbox: pass it to {@link Erasure#acknowledge} once delivered. */
        public long seq() {
            return seq;
        }

        /** The signed request (verify with {@link EraseRequestReceiver}). */
        public @NotNull byte[] message() {
            return message.clone();
        }
    }

    /**
     * The EraseRequests every erase queued for the associated services (the
     * cloud, the companion app), oldest first. Send each, then acknowledge it.
     */
    public @NotNull List<Outgoing> outbox() throws CustosException {
        List<Outgoing> out = custos.withHandle(h -> {
            long[] seqs = nativeOutboxSeqs(h);
            List<Outgoing> list = new ArrayList<>(seqs.length);
            for (long seq : seqs) {
                list.add(new Outgoing(seq, nativeOutboxGet(h, seq)));
            }
            return list;
        });
        return Collections.unmodifiableList(out);
    }

    /** Remove a delivered request from the outbox. */
    public void acknowledge(long seq) throws CustosException {
        custos.withHandle(h -> {
            nativeOutboxAck(h, seq);
            return null;
        });
    }

    /* Factory reset: called by Custos.factoryReset under the write lock. */
    static byte[] factoryReset(long h, EraseProgress progress, long[] handle) throws CustosException {
        return nativeFactoryReset(h, progress, handle);
    }

    private static native byte[] nativeEraseSubject(long h, long subject, EraseProgress p) throws CustosException;
    private static native byte[] nativeErasePurpose(long h, long subject, int purpose, EraseProgress p)
        throws CustosException;
    private static native byte[] nativeEraseExpired(long h, long[] removed) throws CustosException;
    private static native byte[] nativeFactoryReset(long h, EraseProgress p, long[] handle) throws CustosException;
    private static native long[] nativeReceiptSeqs(long h) throws CustosException;
    private static native byte[] nativeReceiptGet(long h, long seq) throws CustosException;
    private static native long[] nativeOutboxSeqs(long h) throws CustosException;
    private static native byte[] nativeOutboxGet(long h, long seq) throws CustosException;
    private static native void nativeOutboxAck(long h, long seq) throws CustosException;
}
