package io.custos;

import org.jetbrains.annotations.Nullable;

/**
 * The base of every error Custos reports. {@link #code()} is the C library's
 * negative CUSTOS_E* code; the message is its name and the detail of the
 * failure. One subclass exists for each failure a caller handles
 * differently; invalid arguments are {@link IllegalArgumentException}, use
 * of a closed handle is {@link IllegalStateException}.
 */
public class CustosException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int code;

    public CustosException(int code, @Nullable String message) {
        super(message);
        this.code = code;
    }

    /** The C error code (negative), as in custos/common.h. */
    public int code() {
        return code;
    }
}
