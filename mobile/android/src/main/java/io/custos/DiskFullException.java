package io.custos;

/** The storage device is full (CUSTOS_ENOSPC). Nothing was half-written. */
public class DiskFullException extends StorageException {
    private static final long serialVersionUID = 1L;

    public DiskFullException(int code, String message) {
        super(code, message);
    }
}
