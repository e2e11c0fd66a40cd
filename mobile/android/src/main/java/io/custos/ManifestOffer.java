package io.custos;

import org.jetbrains.annotations.NotNull;

/** A verified ManifestOffer: a new manifest and the purposes that need consent again. */
public final class ManifestOffer {
    private final byte[] manifestId;
    private final long policyVersion;
    private final int[] reconsent;

    ManifestOffer(byte[] manifestId, long policyVersion, int[] reconsent) {
        this.manifestId = manifestId;
        this.policyVersion = policyVersion;
        this.reconsent = reconsent;
    }

    /** The offered manifest's 32-byte id. */
    public @NotNull byte[] manifestId() {
        return manifestId.clone();
    }

    public long policyVersion() {
        return policyVersion;
    }

    /** The purposes that need consent again. */
    public @NotNull int[] reconsent() {
        return reconsent.clone();
    }
}
