package io.custos;

import org.jetbrains.annotations.Nullable;

/** The manifest is invalid; the message says where and why. Thrown for CUSTOS_EMANIFEST. */
public class ManifestException extends CustosException {
    private static final long serialVersionUID = 1L;

    public ManifestException(int code, @Nullable String message) {
        super(code, message);
    }
}
