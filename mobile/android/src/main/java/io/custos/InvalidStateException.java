package io.custos;

/** The operation is not allowed in the current state (for example a forbidden consent transition). Thrown for CUSTOS_ESTATE. */
public class InvalidStateException extends CustosException {
    private static final long serialVersionUID = 1L;

    public InvalidStateException(int code, String message) {
        super(code, message);
    }
}
