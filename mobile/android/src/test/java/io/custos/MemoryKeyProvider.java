package io.custos;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.Arrays;
import java.util.TreeMap;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * An in-memory KeyProvider for the tests, built only on the JDK: AES-256-GCM
 * with a 24-byte IV for wrapping (so that wrapped = key + 24 + 16 bytes, the
 * size Custos expects) and java.security Ed25519 for signing. The keys
 * survive close/open (they live in this object), as a Keystore's would.
 * Faults can be switched on to test how failures surface. It keeps no
 * anchor (the KeyProvider defaults); AnchoringKeyProvider does.
 */
class MemoryKeyProvider implements KeyProvider {
    private final SecureRandom random = new SecureRandom();
    private final TreeMap<Integer, byte[]> keks = new TreeMap<>();
    private KeyPair signing;
    private byte[] indexKey;
    private boolean open;

    /* Fault injection and counters. */
    volatile boolean failOpen;
    volatile boolean failSign;
    volatile int wraps;
    volatile int unwraps;
    volatile int signs;
    volatile int closes;

    @Override
    public synchronized void open(String dir, boolean create) throws GeneralSecurityException {
        if (failOpen) {
            throw new GeneralSecurityException("keystore locked (injected)");
        }
        if (signing == null) {
            if (!create) {
                throw new GeneralSecurityException("no keys for " + dir);
            }
            signing = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            indexKey = new byte[32];
            random.nextBytes(indexKey);
            keks.put(1, newKek());
        }
        open = true;
    }

    @Override
    public synchronized void close() {
        open = false;
        closes++;
    }

    synchronized boolean isOpen() {
        return open;
    }

    private byte[] newKek() {
        byte[] k = new byte[32];
        random.nextBytes(k);
        return k;
    }

    @Override
    public synchronized int currentKek() throws GeneralSecurityException {
        if (keks.isEmpty()) {
            throw new GeneralSecurityException("no KEK");
        }
        return keks.lastKey();
    }

    @Override
    public synchronized int createKek() throws GeneralSecurityException {
        int next = currentKek() + 1;
        keks.put(next, newKek());
        return next;
    }

    @Override
    public synchronized void destroyKek(int generation) throws CustosException {
        if (!keks.containsKey(generation)) {
            throw new NotFoundException(-10, "no KEK generation " + generation);
        }
        if (keks.size() == 1) {
            throw new InvalidStateException(-17, "never destroy the last KEK");
        }
        Arrays.fill(keks.remove(generation), (byte) 0);
    }

    private byte[] kek(int generation) throws GeneralSecurityException {
        byte[] k = keks.get(generation);
        if (k == null) {
            throw new GeneralSecurityException("KEK generation " + generation + " is gone");
        }
        return k;
    }

    @Override
    public synchronized byte[] wrap(int generation, byte[] key, byte[] ad) throws GeneralSecurityException {
        wraps++;
        byte[] iv = new byte[24];
        random.nextBytes(iv);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(kek(generation), "AES"), new GCMParameterSpec(128, iv));
        c.updateAAD(ad);
        byte[] ct = c.doFinal(key);
        byte[] out = Arrays.copyOf(iv, 24 + ct.length);
        System.arraycopy(ct, 0, out, 24, ct.length);
        return out;
    }

    @Override
    public synchronized byte[] unwrap(int generation, byte[] wrapped, byte[] ad) throws GeneralSecurityException {
        unwraps++;
        if (wrapped.length < 40) {
            throw new GeneralSecurityException("wrapped key too short");
        }
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(kek(generation), "AES"),
            new GCMParameterSpec(128, Arrays.copyOf(wrapped, 24)));
        c.updateAAD(ad);
        return c.doFinal(wrapped, 24, wrapped.length - 24);
    }

    @Override
    public synchronized byte[] sign(byte[] message) throws GeneralSecurityException {
        signs++;
        if (failSign) {
            throw new GeneralSecurityException("signing key unavailable (injected)");
        }
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(signing.getPrivate());
        s.update(message);
        return s.sign();
    }

    /** The raw key: the last 32 bytes of the X.509 SubjectPublicKeyInfo. */
    @Override
    public synchronized byte[] publicKey() {
        byte[] x509 = signing.getPublic().getEncoded();
        return Arrays.copyOfRange(x509, x509.length - 32, x509.length);
    }

    @Override
    public synchronized byte[] indexKey() {
        return indexKey.clone();
    }

    @Override
    public synchronized void destroyAll() {
        for (byte[] k : keks.values()) {
            Arrays.fill(k, (byte) 0);
        }
        keks.clear();
        if (indexKey != null) {
            Arrays.fill(indexKey, (byte) 0);
        }
        signing = null;
        indexKey = null;
    }

    @Override
    public boolean isHardwareBacked() {
        return false;
    }
}
