package io.custos;

import org.jetbrains.annotations.Nullable;

/** The consent gate denied the operation. Thrown for CUSTOS_EDENIED. */
public class DeniedException extends CustosException {
    private static final long serialVersionUID = 1L;

    public DeniedException(int code, @Nullable String message) {
        super(code, message);
    }
}
