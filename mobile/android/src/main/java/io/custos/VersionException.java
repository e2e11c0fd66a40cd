package io.custos;

import org.jetbrains.annotations.Nullable;

/** A format version this build of Custos cannot read (upgrade Custos). Thrown for CUSTOS_EVERSION. */
public class VersionException extends CustosException {
    private static final long serialVersionUID = 1L;

    public VersionException(int code, @Nullable String message) {
        super(code, message);
    }
}
