package io.custos;

import org.jetbrains.annotations.NotNull;

/**
 * The result of verifying an audit chain (custos_audit_report): intact, or
 * the first entry at fault and why.
 */
public final class AuditReport {
    /** Why a chain failed verification (custos_audit_failure). */
    public enum Failure {
        NONE,
        ENTRY_MALFORMED,
        ENTRY_CHANGED,
        ENTRY_REMOVED,
        ENTRY_REORDERED,
        TAIL_TRUNCATED,
        CHECKPOINT_INVALID,
        EXPORT_MALFORMED;

        static Failure of(long code) {
            Failure[] all = values();
            if (code < 0 || code >= all.length) {
                throw new IllegalStateException("unknown audit failure " + code);
            }
            return all[(int) code];
        }
    }

    private final Failure failure;
    private final long failedSeq;
    private final long entries;
    private final long lastSeq;
    private final long checkpoints;
    private final long lastCheckpointSeq;
    private final long unsignedTail;

    AuditReport(long[] v) {
        this.failure = Failure.of(v[0]);
        this.failedSeq = v[1];
        this.entries = v[2];
        this.lastSeq = v[3];
        this.checkpoints = v[4];
        this.lastCheckpointSeq = v[5];
        this.unsignedTail = v[6];
    }

    /** True if every entry and checkpoint verified. */
    public boolean isIntact() {
        return failure == Failure.NONE;
    }

    public @NotNull Failure failure() {
        return failure;
    }

    /** The first entry changed, removed or reordered (for a bad checkpoint: the seq it claims); 0 if none. */
    public long failedSeq() {
        return failedSeq;
    }

    /** Entries present. */
    public long entries() {
        return entries;
    }

    /** Sequence number of the newest entry; 0 for an empty chain. */
    public long lastSeq() {
        return lastSeq;
    }

    /** Checkpoints whose signature verified. */
    public long checkpoints() {
        return checkpoints;
    }

    /** Newest entry covered by a valid checkpoint; 0 if none. */
    public long lastCheckpointSeq() {
        return lastCheckpointSeq;
    }

    /** Entries after the last checkpoint: chained but not yet signed. */
    public long unsignedTail() {
        return unsignedTail;
    }

    @Override
    public @NotNull String toString() {
        return "AuditReport(" + failure + ", entries " + entries + ", checkpoints " + checkpoints
            + (failedSeq != 0 ? ", failed at " + failedSeq : "") + ")";
    }
}
