package io.custos;

import java.io.IOException;
import java.io.InputStream;
import org.jetbrains.annotations.NotNull;

/**
 * A sealed stream being read: obtain it with {@link Vault#openStream}. Every
 * byte it returns has been authenticated, and {@code read} returns -1 only
 * once the stream's final chunk has authenticated: a truncated, reordered
 * or altered stream throws {@link IOException} (its cause a
 * {@link CorruptException}), never a short end. Once the stream's key is
 * destroyed (the subject or purpose erased, by this or another call) the
 * next read throws {@link IOException} whose cause is a {@link KeyException}.
 * A read that failed leaves the stream failed: every later read throws
 * again, with the same cause.
 *
 * <p>Each read copies through one bounded buffer of guarded native memory
 * (64 KiB), wiped after use; the arrays read into are the caller's to
 * clear. {@link #read()} is one native call per byte: wrap the stream in a
 * {@link java.io.BufferedInputStream} to read single bytes. One thread at a
 * time (calls are synchronized). {@link #close()} frees it (closing twice is
 * harmless); closing or resetting the store closes it too, and one never
 * closed is closed when its store closes.
 */
public final class VaultInputStream extends InputStream {
    private final Custos custos;
    private final StreamHandle handle;
    private final VaultInfo info;
    private final byte[] one = new byte[1];
    private boolean closed;
    private boolean atEnd;
    private IOException failed;

    VaultInputStream(Custos custos, StreamHandle handle, VaultInfo info) {
        this.custos = custos;
        this.handle = handle;
        this.info = info;
    }

    /** What the vault knows about the record; {@link VaultInfo#size()} is the stream's length. */
    public @NotNull VaultInfo info() {
        return info;
    }

    /** The next byte (0 to 255), or -1 at the authenticated end. */
    @Override
    public synchronized int read() throws IOException {
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    /**
     * Read up to {@code len} bytes into {@code b} from {@code off}; returns
     * how many (at least 1 if {@code len > 0}), or -1 at the authenticated end.
     *
     * @throws IOException the stream is closed, or failed authentication (the
     *     cause is a {@link CorruptException}), or its key is gone (a
     *     {@link KeyException}), or the store failed (its {@link CustosException})
     */
    @Override
    public synchronized int read(@NotNull byte[] b, int off, int len) throws IOException {
        if (b == null) {
            throw new NullPointerException("b must not be null");
        }
        if (off < 0 || len < 0 || len > b.length - off) {
            throw new IndexOutOfBoundsException("off " + off + ", len " + len + " for " + b.length + " bytes");
        }
        if (closed) {
            throw new IOException("cannot read a vault stream after close()");
        }
        if (failed != null) {
            throw new IOException("cannot read a vault stream after a failed read", failed.getCause());
        }
        if (len == 0) {
            return 0;
        }
        if (atEnd) {
            return -1;
        }
        int n;
        try {
            n = custos.withStream(handle, (h, s) -> Vault.nativeStreamRead(h, s.pointer, b, off, len));
        } catch (CustosException e) {
            failed = new IOException("reading a vault stream failed: " + e.getMessage(), e);
            throw failed;
        }
        if (n == 0) {
            atEnd = true;
            return -1;
        }
        return n;
    }

    /** Free the stream and wipe its state; harmless twice. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            custos.closeStream(handle);
        }
    }
}
