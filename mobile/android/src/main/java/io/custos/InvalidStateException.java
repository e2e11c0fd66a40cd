package io.custos;

import org.jetbrains.annotations.Nullable;

/** The operation is not allowed in the current state (for example a forbidden consent transition). Thrown for CUSTOS_ESTATE. */
public class InvalidStateException extends CustosException {
    private static final long serialVersionUID = 1L;

    public InvalidStateException(int code, @Nullable String message) {
        super(code, message);
    }
}
