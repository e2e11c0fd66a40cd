package io.custos;

/** DPV consent statuses (custos_consent_status). */
public enum ConsentStatus {
    /** No event yet. */
    UNKNOWN(0),
    REQUESTED(1),
    REQUEST_DEFERRED(2),
    GIVEN(3),
    RENEWED(4),
    REFUSED(5),
    /** By the data subject (or a child's guardian). */
    WITHDRAWN(6),
    /** By another entity: a guardian, the controller. */
    REVOKED(7),
    /** Recorded by Custos only. */
    EXPIRED(8),
    /** Recorded by Custos only: the manifest changed materially, or ownership moved. */
    INVALIDATED(9);

    private final int code;

    ConsentStatus(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }

    /** True for exactly GIVEN and RENEWED (DPV ConsentStatusValidForProcessing). */
    public boolean isValidForProcessing() {
        return this == GIVEN || this == RENEWED;
    }

    static ConsentStatus of(int code) {
        for (ConsentStatus s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalStateException("unknown consent status " + code);
    }
}
