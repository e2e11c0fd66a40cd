package io.custos;

/** How a decision was expressed (custos_consent_method, dpv:hasIndicationMethod). */
public enum ConsentMethod {
    UNSPECIFIED(0),
    COMPANION_APP(1),
    DEVICE_BUTTON(2),
    VOICE(3),
    POSTED_NOTICE(4),
    API(5),
    /** Recorded by Custos itself. */
    SYSTEM(6);

    private final int code;

    ConsentMethod(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }

    static ConsentMethod of(int code) {
        for (ConsentMethod m : values()) {
            if (m.code == code) {
                return m;
            }
        }
        throw new IllegalStateException("unknown consent method " + code);
    }
}
