package io.custos;

import org.jetbrains.annotations.Nullable;

/** A signature did not verify. Thrown for CUSTOS_ESIGNATURE. */
public class SignatureException extends CustosException {
    private static final long serialVersionUID = 1L;

    public SignatureException(int code, @Nullable String message) {
        super(code, message);
    }
}
