package io.custos;

/** The consent gate denied the operation. Thrown for CUSTOS_EDENIED. */
public class DeniedException extends CustosException {
    private static final long serialVersionUID = 1L;

    public DeniedException(int code, String message) {
        super(code, message);
    }
}
