package io.custos;

import org.jetbrains.annotations.Nullable;

/** No such subject, purpose, record or file. Thrown for CUSTOS_ENOTFOUND. */
public class NotFoundException extends CustosException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(int code, @Nullable String message) {
        super(code, message);
    }
}
