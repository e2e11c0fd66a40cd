package io.custos;

/**
 * What the vault knows about a record besides its payload: from
 * {@link VaultRecord#info()} or {@link VaultInputStream#info()}.
 */
public final class VaultInfo {
    /* custos_vault_info.flags (custos/vault.h). */
    private static final long STREAMED = 1;

    private final long id;
    private final int purpose;
    private final int category;
    private final long created;
    private final long expires;
    private final long size;
    private final long flags;

    /* info: what the bridge fills (jni_vault.c, info_out): purpose, category, created, expires, size, flags. */
    VaultInfo(long id, long[] info) {
        this.id = id;
        this.purpose = (int) info[0];
        this.category = (int) info[1];
        this.created = info[2];
        this.expires = info[3];
        this.size = info[4];
        this.flags = info[5];
    }

    /** The number of longs the bridge fills. */
    static long[] buffer() {
        return new long[6];
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

    /** The payload's length in bytes; of a stream, its whole length. */
    public long size() {
        return size;
    }

    /**
     * True for a sealed stream ({@link Vault#createStream}): read it with
     * {@link Vault#openStream}; {@link Vault#get} and {@link Vault#record}
     * refuse it with {@link InvalidStateException}.
     */
    public boolean isStreamed() {
        return (flags & STREAMED) != 0;
    }
}
