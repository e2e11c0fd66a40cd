package io.custos;

import org.jetbrains.annotations.Nullable;

/** A progress callback asked to stop; the operation resumes on the next open. Thrown for CUSTOS_ECANCELED. */
public class CanceledException extends CustosException {
    private static final long serialVersionUID = 1L;

    public CanceledException(int code, @Nullable String message) {
        super(code, message);
    }
}
