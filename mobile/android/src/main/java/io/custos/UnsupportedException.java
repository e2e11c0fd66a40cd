package io.custos;

import org.jetbrains.annotations.Nullable;

/**
 * This machine lacks what the data needs: a record sealed with AES-256-GCM, opened on a CPU without AES-NI or
 * ARMv8 crypto. Open the store on a machine that has it. Thrown for CUSTOS_EUNSUPPORTED.
 */
public class UnsupportedException extends CustosException {
    private static final long serialVersionUID = 1L;

    public UnsupportedException(int code, @Nullable String message) {
        super(code, message);
    }
}
