package io.custos;

/** A subject's role on the device (custos_role). */
public enum Role {
    OWNER(1),
    HOUSEHOLD_MEMBER(2),
    GUEST(3),
    /** Consents are given (and withdrawn) by a guardian: {@link ConsentActor#GUARDIAN}. */
    CHILD(4);

    private final int code;

    Role(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }

    static Role of(int code) {
        for (Role r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        throw new IllegalStateException("unknown role " + code);
    }
}
