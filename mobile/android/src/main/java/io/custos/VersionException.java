package io.custos;

/** A format version this build of Custos cannot read (upgrade Custos). Thrown for CUSTOS_EVERSION. */
public class VersionException extends CustosException {
    private static final long serialVersionUID = 1L;

    public VersionException(int code, String message) {
        super(code, message);
    }
}
