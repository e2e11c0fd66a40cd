package io.custos;

/** A signature did not verify. Thrown for CUSTOS_ESIGNATURE. */
public class SignatureException extends CustosException {
    private static final long serialVersionUID = 1L;

    public SignatureException(int code, String message) {
        super(code, message);
    }
}
