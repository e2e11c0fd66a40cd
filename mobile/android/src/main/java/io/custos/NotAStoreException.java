package io.custos;

import org.jetbrains.annotations.Nullable;

/** The path is not a Custos store. Thrown for CUSTOS_ENOTSTORE. */
public class NotAStoreException extends CustosException {
    private static final long serialVersionUID = 1L;

    public NotAStoreException(int code, @Nullable String message) {
        super(code, message);
    }
}
