package io.custos;

/** The store is open in another process. Thrown for CUSTOS_EBUSY. */
public class BusyException extends CustosException {
    private static final long serialVersionUID = 1L;

    public BusyException(int code, String message) {
        super(code, message);
    }
}
