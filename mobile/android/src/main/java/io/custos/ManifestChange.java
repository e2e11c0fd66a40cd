package io.custos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jetbrains.annotations.NotNull;

/** One purpose that needs consent again between two manifest versions ({@link Manifest#changes}). */
public final class ManifestChange {
    /* Reason bits (manifest.h CUSTOS_MANIFEST_CHANGE_*). */
    public static final int NEW_PURPOSE = 1;
    public static final int NEW_CATEGORY = 1 << 1;
    public static final int NEW_RECIPIENT = 1 << 2;
    public static final int LONGER_RETENTION = 1 << 3;
    public static final int LEGAL_BASIS = 1 << 4;
    public static final int REMOVED = 1 << 5;
    public static final int NEW_LOCATION = 1 << 6;
    public static final int LONGER_CONSENT = 1 << 7;

    private final int purpose;
    private final int reasons;
    private final boolean needsConsent;

    ManifestChange(int purpose, int reasons, boolean needsConsent) {
        this.purpose = purpose;
        this.reasons = reasons;
        this.needsConsent = needsConsent;
    }

    public int purpose() {
        return purpose;
    }

    /** The reason bits (NEW_PURPOSE, NEW_RECIPIENT, ...). */
    public int reasons() {
        return reasons;
    }

    public boolean hasReason(int reason) {
        return (reasons & reason) != 0;
    }

    /** True if the purpose, in the newer version, rests on consent. */
    public boolean needsConsent() {
        return needsConsent;
    }

    /** The core's words for each reason ("new recipient", ...), lowest bit first. */
    public @NotNull List<String> reasonNames() {
        List<String> names = new ArrayList<String>(8);
        for (int bit = 0; bit < 32; bit++) {
            if ((reasons & (1 << bit)) != 0) {
                names.add(Manifest.changeString(1 << bit));
            }
        }
        return Collections.unmodifiableList(names);
    }
}
