package io.custos;

import org.jetbrains.annotations.NotNull;

/**
 * Told about each decision recorded through one {@link Consent} (give,
 * withdraw, refuse, renew, request, revoke), after it was recorded: add one
 * with {@link Consent#addListener}. Decisions that arrive otherwise (a
 * ConsentUpdate applied from the paired app, an expiry Custos records) are
 * not reported. Swift: {@code Custos.consentChanges()}.
 */
public interface ConsentListener {
    /**
     * Called on the thread that recorded the decision, after the ledger
     * holds it and {@link Custos#check} answers with it. An exception thrown
     * here reaches that caller (the decision stands) and the listeners not
     * yet called for it are skipped.
     */
    void consentRecorded(@NotNull RecordedConsent decision);
}
