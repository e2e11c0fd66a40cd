package io.custos;

/** Who expressed a decision (custos_consent_actor, dpv:isIndicatedBy). */
public enum ConsentActor {
    UNSPECIFIED(0),
    SUBJECT(1),
    /** Required for a {@link Role#CHILD} subject. */
    GUARDIAN(2),
    CONTROLLER(3),
    /** Recorded by Custos only. */
    SYSTEM(4);

    private final int code;

    ConsentActor(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }

    static ConsentActor of(int code) {
        for (ConsentActor a : values()) {
            if (a.code == code) {
                return a;
            }
        }
        throw new IllegalStateException("unknown consent actor " + code);
    }
}
