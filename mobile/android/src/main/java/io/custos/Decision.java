package io.custos;

import org.jetbrains.annotations.NotNull;

/**
 * The consent gate's answer (custos_decision): {@link #ALLOW} or one reason
 * for a denial that a program can act on. The gate fails closed.
 */
public enum Decision {
    ALLOW(0),
    DENY_NO_MANIFEST(1),
    DENY_UNKNOWN_SUBJECT(2),
    DENY_UNKNOWN_PURPOSE(3),
    DENY_CATEGORY_NOT_DECLARED(4),
    DENY_NO_CONSENT(5),
    DENY_REFUSED(6),
    DENY_WITHDRAWN(7),
    DENY_REVOKED(8),
    DENY_EXPIRED(9),
    DENY_INVALIDATED(10),
    DENY_ERROR(11),
    /** The consent state failed its integrity check: {@code Consent.repair()} re-folds it. */
    DENY_INTEGRITY(12);

    private final int code;

    Decision(int code) {
        this.code = code;
    }

    /** The C value of custos_decision. */
    public int code() {
        return code;
    }

    /** True for {@link #ALLOW} only. */
    public boolean isAllowed() {
        return this == ALLOW;
    }

    /** The library's wording: "allow", "deny: consent withdrawn", ... */
    public @NotNull String description() {
        return Custos.decisionString(code);
    }

    static Decision of(int code) {
        Decision[] all = values();
        return code >= 0 && code < all.length ? all[code] : DENY_ERROR;
    }
}
