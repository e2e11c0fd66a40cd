package io.custos;

import org.jetbrains.annotations.Nullable;

/** The store is open in another process. Thrown for CUSTOS_EBUSY. */
public class BusyException extends CustosException {
    private static final long serialVersionUID = 1L;

    public BusyException(int code, @Nullable String message) {
        super(code, message);
    }
}
