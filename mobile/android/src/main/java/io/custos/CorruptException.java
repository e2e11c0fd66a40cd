package io.custos;

import org.jetbrains.annotations.Nullable;

/** Stored or received data failed an integrity check. Thrown for CUSTOS_ECORRUPT. */
public class CorruptException extends CustosException {
    private static final long serialVersionUID = 1L;

    public CorruptException(int code, @Nullable String message) {
        super(code, message);
    }
}
