package io.custos;

import java.security.GeneralSecurityException;

/**
 * MemoryKeyProvider that also keeps the store's anchor in this object,
 * outside the store's directory, as one over rollback-protected storage
 * would: the Java twin of test_store_anchor.c's kept_store / kept_load.
 * Faults can be switched on to test how the bridge maps them.
 */
final class AnchoringKeyProvider extends MemoryKeyProvider {
    volatile boolean keep = true;
    volatile boolean failLoad;
    volatile byte[] loadInstead;
    volatile int stores;
    private byte[] anchor;

    @Override
    public boolean keepsAnchor() {
        return keep;
    }

    @Override
    public synchronized void storeAnchor(byte[] a) {
        anchor = a.clone();
        stores++;
    }

    @Override
    public synchronized byte[] loadAnchor() throws GeneralSecurityException {
        if (failLoad) {
            throw new GeneralSecurityException("anchor storage unreadable (injected)");
        }
        if (loadInstead != null) {
            return loadInstead.clone();
        }
        return anchor == null ? null : anchor.clone();
    }

    synchronized byte[] anchor() {
        return anchor == null ? null : anchor.clone();
    }
}
