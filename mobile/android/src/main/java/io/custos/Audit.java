package io.custos;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jetbrains.annotations.NotNull;

/**
 * The store's hash-chained, signed audit log: obtain it with
 * {@link Custos#audit()}. A broken chain is not an exception: the
 * {@link AuditReport} names the first entry at fault.
 */
public final class Audit {
    static {
        NativeLoader.load();
    }

    private final Custos custos;

    Audit(Custos custos) {
        this.custos = custos;
    }

    /** Verify the chain and its checkpoints against the device key. */
    public @NotNull AuditReport verify() throws CustosException {
        long[] v = new long[7];
        custos.withHandle(h -> {
            nativeVerify(h, v);
            return null;
        });
        return new AuditReport(v);
    }

    /** The chain as stored (an encoded AuditExport), to verify off the device. */
    public @NotNull byte[] export() throws CustosException {
        return custos.withHandle(Audit::nativeExport);
    }

    /** Verify an exported chain, trusting only the device's 32-byte public key. */
    public static @NotNull AuditReport verifyExport(@NotNull byte[] export, @NotNull byte[] devicePublicKey)
        throws CustosException {
        if (export == null || devicePublicKey == null) {
            throw new IllegalArgumentException("export and devicePublicKey must not be null");
        }
        long[] v = new long[7];
        nativeVerifyExport(export, devicePublicKey, v);
        return new AuditReport(v);
    }

    /** Sign a checkpoint over the newest entry now. */
    public void checkpoint() throws CustosException {
        custos.withHandle(h -> {
            nativeCheckpoint(h);
            return null;
        });
    }

    /** Record optional events (accesses to personal data) or not; persisted in the store. */
    public void setOptionalEvents(boolean enabled) throws CustosException {
        custos.withHandle(h -> {
            nativeSetOptional(h, enabled);
            return null;
        });
    }

    public boolean optionalEvents() throws CustosException {
        return custos.withHandle(Audit::nativeGetOptional);
    }

    /** The whole chain's entries, in order (Swift: auditEntries()). */
    public @NotNull List<AuditEntry> entries() throws CustosException {
        return entries(1);
    }

    /** The entries from seq {@code from} on (1: the whole chain), in order. */
    public @NotNull List<AuditEntry> entries(long from) throws CustosException {
        if (from < 0) {
            throw new IllegalArgumentException("from must not be negative");
        }
        return AuditEntry.parse(custos.withHandle(h -> nativeEntries(h, from)));
    }

    static String kindName(int kind) {
        return new String(nativeKindName(kind), StandardCharsets.UTF_8);
    }

    static boolean kindIsMandatory(int kind) {
        return nativeKindIsMandatory(kind);
    }

    private static native void nativeVerify(long h, long[] report) throws CustosException;
    private static native void nativeVerifyExport(byte[] export, byte[] pk, long[] report) throws CustosException;
    private static native byte[] nativeExport(long h) throws CustosException;
    private static native void nativeCheckpoint(long h) throws CustosException;
    private static native void nativeSetOptional(long h, boolean enabled) throws CustosException;
    private static native boolean nativeGetOptional(long h) throws CustosException;
    private static native byte[] nativeEntries(long h, long from) throws CustosException;
    private static native byte[] nativeKindName(int kind);
    private static native boolean nativeKindIsMandatory(int kind);
}
