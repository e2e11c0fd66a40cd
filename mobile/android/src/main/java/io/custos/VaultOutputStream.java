package io.custos;

import java.io.IOException;
import java.io.OutputStream;
import org.jetbrains.annotations.NotNull;

/**
 * A sealed stream being written: one vault record of any size (a video
 * clip), sealed in chunks as it is written, with constant memory. Obtain it
 * with {@link Vault#createStream}; the gate was asked then and is asked
 * again by {@link #finish()}.
 *
 * <p>Nothing is stored until {@link #finish()}, which returns the record id.
 * {@link #close()} without {@code finish()} discards the stream (nothing is
 * stored, its file is removed); after {@code finish()} it does nothing, so
 * try-with-resources discards exactly the streams that were not finished:
 *
 * <pre>{@code
 * long id;
 * try (VaultOutputStream out = custos.vault().createStream(owner, CLOUD_RECORDING, VIDEO)) {
 *     copy(encoder, out);
 *     id = out.finish();
 * }
 * }</pre>
 *
 * <p>Each write copies the bytes through one bounded buffer of guarded
 * native memory (64 KiB), wiped after use; nothing is buffered in Java, so
 * {@link #flush()} does nothing. {@link #write(int)} is one native call per
 * byte: wrap the stream in a {@link java.io.BufferedOutputStream} to write
 * single bytes. One thread at a time (calls are synchronized). A failed
 * write (the cause of its {@link IOException} is the {@link CustosException}:
 * a {@link DiskFullException}, {@link KeyException} if the subject was erased
 * meanwhile, ...) leaves the stream unusable: only {@link #close()} remains,
 * which discards it. Closing or resetting the store discards a stream still
 * open. A stream never closed is discarded when its store closes.
 */
public final class VaultOutputStream extends OutputStream {
    private final Custos custos;
    private final StreamHandle handle;
    private final byte[] one = new byte[1];
    private boolean finished;
    private boolean closed;
    private IOException failed;

    VaultOutputStream(Custos custos, StreamHandle handle) {
        this.custos = custos;
        this.handle = handle;
    }

    /** Append one byte (the low 8 bits of {@code b}). */
    @Override
    public synchronized void write(int b) throws IOException {
        one[0] = (byte) b;
        write(one, 0, 1);
    }

    /**
     * Append {@code len} bytes of {@code b} from {@code off}.
     *
     * @throws IOException the stream was finished or closed, an earlier write
     *     failed, or the core refused the bytes (the cause is its
     *     {@link CustosException})
     */
    @Override
    public synchronized void write(@NotNull byte[] b, int off, int len) throws IOException {
        if (b == null) {
            throw new NullPointerException("b must not be null");
        }
        if (off < 0 || len < 0 || len > b.length - off) {
            throw new IndexOutOfBoundsException("off " + off + ", len " + len + " for " + b.length + " bytes");
        }
        ensureWritable("write to");
        if (len == 0) {
            return;
        }
        try {
            custos.withStream(handle, (h, s) -> {
                Vault.nativeStreamWrite(h, s.pointer, b, off, len);
                return null;
            });
        } catch (CustosException e) {
            failed = new IOException("the vault refused a write to its stream: " + e.getMessage(), e);
            throw failed;
        }
    }

    /** Does nothing: nothing is buffered in Java, and nothing is durable before {@link #finish()}. */
    @Override
    public void flush() {
    }

    /**
     * Seal the last chunk, make the stream durable and store the record;
     * returns its id. The gate is asked again: a purpose withdrawn while the
     * stream was written stores nothing. Whatever the result, the stream is
     * then finished ({@link #close()} does nothing more, writes throw).
     *
     * @throws DeniedException the gate now denies it; nothing was stored
     * @throws CustosException the core failed to store it; nothing was stored
     * @throws IOException the stream was already finished or closed, or an
     *     earlier write failed (nothing is stored: close it)
     */
    public synchronized long finish() throws CustosException, IOException {
        ensureWritable("finish");
        finished = true;
        return custos.withStream(handle, (h, s) -> {
            long p = s.pointer;
            custos.forgetStream(s); /* the core frees it whatever the result */
            return Vault.nativeStreamFinish(h, p);
        });
    }

    /**
     * Discard the stream if it was not finished (nothing is stored);
     * afterwards, or after {@link #finish()}, do nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!finished) {
            custos.closeStream(handle);
        }
    }

    private void ensureWritable(String what) throws IOException {
        if (finished) {
            throw new IOException("cannot " + what + " a vault stream after finish()");
        }
        if (closed) {
            throw new IOException("cannot " + what + " a vault stream after close()");
        }
        if (failed != null) {
            throw new IOException("cannot " + what + " a vault stream after a failed write", failed.getCause());
        }
    }
}
