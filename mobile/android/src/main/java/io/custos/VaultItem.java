package io.custos;

import org.jetbrains.annotations.NotNull;

/**
 * One payload of a batch for {@link Vault#putMany}. The payload array is
 * held by reference, not copied: the caller may wipe it once putMany returns.
 */
public final class VaultItem {
    private final byte[] payload;
    private final int purpose;
    private final int category;

    public VaultItem(@NotNull byte[] payload, int purpose, int category) {
        if (payload == null) {
            throw new IllegalArgumentException("payload must not be null");
        }
        Custos.requireId(purpose, "purpose");
        Custos.requireId(category, "category");
        if (payload.length > Vault.maxPayload()) {
            throw new IllegalArgumentException("a vault record holds at most " + Vault.maxPayload() + " bytes");
        }
        this.payload = payload;
        this.purpose = purpose;
        this.category = category;
    }

    byte[] payload() {
        return payload;
    }

    public int purpose() {
        return purpose;
    }

    public int category() {
        return category;
    }
}
