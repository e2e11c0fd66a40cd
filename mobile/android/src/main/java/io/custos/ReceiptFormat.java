package io.custos;

/** The format of a consent receipt (custos_receipt_format). */
public enum ReceiptFormat {
    /** ISO/IEC TS 27560 record, JSON-LD with DPV terms. */
    ISO27560_JSONLD(1),
    /** Kantara Consent Receipt v1.1 JSON. */
    KANTARA(2);

    private final int code;

    ReceiptFormat(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }
}
