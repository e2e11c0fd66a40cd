package io.custos;

/** A message was already applied. Thrown for CUSTOS_EREPLAY. */
public class ReplayException extends CustosException {
    private static final long serialVersionUID = 1L;

    public ReplayException(int code, String message) {
        super(code, message);
    }
}
