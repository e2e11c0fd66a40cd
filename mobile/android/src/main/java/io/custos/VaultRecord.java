package io.custos;

import org.jetbrains.annotations.NotNull;

/** One record read from the vault: its payload and what the vault knows about it. */
public final class VaultRecord {
    private final long id;
    private final int purpose;
    private final int category;
    private final long created;
    private final long expires;
    private final byte[] data;
    private final VaultInfo info;

    VaultRecord(long id, long[] info, byte[] data) {
        this.id = id;
        this.purpose = (int) info[0];
        this.category = (int) info[1];
        this.created = info[2];
        this.expires = info[3];
        this.data = data;
        this.info = new VaultInfo(id, info);
    }

    public long id() {
        return id;
    }

    public int purpose() {
        return purpose;
    }

    public int category() {
        return category;
    }

    /** Seconds since the epoch. */
    public long created() {
        return created;
    }

    /** Seconds since the epoch when retention ends; 0 for no time limit. */
    public long expires() {
        return expires;
    }

    /**
     * The payload (personal data). The array is this record's own: the
     * caller may overwrite it (Arrays.fill) once done with it.
     */
    public @NotNull byte[] data() {
        return data;
    }

    /** What the vault knows about this record (its size is the payload's; never streamed). */
    public @NotNull VaultInfo info() {
        return info;
    }
}
