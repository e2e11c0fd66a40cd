package io.custos;

import org.jetbrains.annotations.Nullable;

/** A message was already applied. Thrown for CUSTOS_EREPLAY. */
public class ReplayException extends CustosException {
    private static final long serialVersionUID = 1L;

    public ReplayException(int code, @Nullable String message) {
        super(code, message);
    }
}
