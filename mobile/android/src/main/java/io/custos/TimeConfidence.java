package io.custos;

/** How far the time of a consent event can be trusted (custos_time_confidence). */
public enum TimeConfidence {
    MONOTONIC_ONLY,
    APP_SIGNED,
    TRUSTED_CLOCK;

    static TimeConfidence of(int code) {
        TimeConfidence[] all = values();
        if (code < 0 || code >= all.length) {
            throw new IllegalStateException("unknown time confidence " + code);
        }
        return all[code];
    }
}
