package io.custos;

import org.jetbrains.annotations.Nullable;

/** The storage device is full (CUSTOS_ENOSPC). Nothing was half-written. */
public class DiskFullException extends StorageException {
    private static final long serialVersionUID = 1L;

    public DiskFullException(int code, @Nullable String message) {
        super(code, message);
    }
}
