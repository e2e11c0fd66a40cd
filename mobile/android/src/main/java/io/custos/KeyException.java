package io.custos;

import org.jetbrains.annotations.Nullable;

/** A key is missing, wrong or could not be used. Thrown for CUSTOS_EKEY. */
public class KeyException extends CustosException {
    private static final long serialVersionUID = 1L;

    public KeyException(int code, @Nullable String message) {
        super(code, message);
    }
}
