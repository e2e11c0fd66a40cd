package io.custos;

import org.jetbrains.annotations.NotNull;

/** What an audit entry records (custos_audit_kind). */
public enum AuditKind {
    STORE_CREATED(1),
    CONSENT_CHANGED(2),
    ERASE(3),
    FACTORY_RESET(4),
    EXPORT(5),
    KEY_FAILURE(6),
    INTEGRITY_VIOLATION(7),
    MANIFEST_LOADED(8),
    KEY_ROTATED(9),
    PAIRING(10),
    SETTINGS_CHANGED(11),
    /** Optional: the user may switch it off ({@link Audit#setOptionalEvents}). */
    ACCESS(12);

    private final int code;

    AuditKind(int code) {
        this.code = code;
    }

    /** The C value of custos_audit_kind. */
    public int code() {
        return code;
    }

    /** The core's name of the kind ("consent_changed", ...); Swift: name. */
    public @NotNull String coreName() {
        return Audit.kindName(code);
    }

    /** False for the kinds the user may switch off. */
    public boolean isMandatory() {
        return Audit.kindIsMandatory(code);
    }

    /** null for a kind this build does not know. */
    static AuditKind of(int code) {
        for (AuditKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        return null;
    }
}
