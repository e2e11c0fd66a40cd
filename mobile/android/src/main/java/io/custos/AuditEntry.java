package io.custos;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/** One entry of the audit chain ({@link Audit#entries}). It never holds personal data. */
public final class AuditEntry {
    private final long seq;
    private final int kindCode;
    private final long time;
    private final byte[] subjectHash;
    private final long purpose;
    private final int code;
    private final String detail;
    private final byte[] hash;

    private AuditEntry(long seq, int kindCode, long time, byte[] subjectHash, long purpose, int code,
                       String detail, byte[] hash) {
        this.seq = seq;
        this.kindCode = kindCode;
        this.time = time;
        this.subjectHash = subjectHash;
        this.purpose = purpose;
        this.code = code;
        this.detail = detail;
        this.hash = hash;
    }

    public long seq() {
        return seq;
    }

    /** null for a kind this build does not know (see {@link #kindCode()}). */
    public @Nullable AuditKind kind() {
        return AuditKind.of(kindCode);
    }

    public int kindCode() {
        return kindCode;
    }

    /** Seconds since 1970. */
    public long time() {
        return time;
    }

    /** The subject's keyed hash (32 bytes), or null if the entry concerns none. */
    public @Nullable byte[] subjectHash() {
        return subjectHash == null ? null : subjectHash.clone();
    }

    /** The purpose id, or -1 if the entry concerns none. */
    public long purpose() {
        return purpose;
    }

    /** A CUSTOS_E* code, or 0. */
    public int code() {
        return code;
    }

    /** "" if none. */
    public @NotNull String detail() {
        return detail;
    }

    /** BLAKE2b-256 of the stored bytes. */
    public @NotNull byte[] hash() {
        return hash.clone();
    }

    private static long le(byte[] b, int at, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    /* The layout jni_audit.c writes (n_entries). */
    static List<AuditEntry> parse(byte[] b) {
        List<AuditEntry> out = new ArrayList<AuditEntry>(b.length / 99);
        int at = 0;
        while (at + 99 <= b.length) {
            int dlen = (int) le(b, at + 97, 2);
            byte[] subject = b[at + 20] != 0 ? Arrays.copyOfRange(b, at + 21, at + 53) : null;
            String detail = new String(Arrays.copyOfRange(b, at + 99, at + 99 + dlen), StandardCharsets.UTF_8);
            out.add(new AuditEntry(le(b, at, 8), (int) le(b, at + 8, 4), le(b, at + 12, 8), subject,
                le(b, at + 53, 8), (int) le(b, at + 61, 4), detail, Arrays.copyOfRange(b, at + 65, at + 97)));
            at += 99 + dlen;
        }
        return Collections.unmodifiableList(out);
    }
}
