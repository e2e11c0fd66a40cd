package io.custos;

import org.jetbrains.annotations.Nullable;

/** It already exists. Thrown for CUSTOS_EEXIST. */
public class AlreadyExistsException extends CustosException {
    private static final long serialVersionUID = 1L;

    public AlreadyExistsException(int code, @Nullable String message) {
        super(code, message);
    }
}
