package io.custos;

import org.jetbrains.annotations.Nullable;

/** A read, write, sync, rename or unlink failed. Thrown for CUSTOS_EIO. */
public class StorageException extends CustosException {
    private static final long serialVersionUID = 1L;

    public StorageException(int code, @Nullable String message) {
        super(code, message);
    }
}
