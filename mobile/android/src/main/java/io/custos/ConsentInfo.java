package io.custos;

import java.util.Arrays;
import java.util.Objects;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/**
 * What the person saw and how they answered (custos_consent_info): the
 * notice shown (its BLAKE2b-256 hash and language), the method and the
 * actor. Immutable; derive variants with the {@code with...} methods.
 */
public final class ConsentInfo {
    /** Through the API, by the subject, notice language "en", no notice hash. */
    public static final @NotNull ConsentInfo DEFAULT =
        new ConsentInfo(ConsentMethod.API, ConsentActor.SUBJECT, "en", null);

    private final ConsentMethod method;
    private final ConsentActor actor;
    private final String noticeLang;
    private final byte[] noticeHash;

    private ConsentInfo(ConsentMethod method, ConsentActor actor, String noticeLang, byte[] noticeHash) {
        this.method = Objects.requireNonNull(method, "method");
        this.actor = Objects.requireNonNull(actor, "actor");
        if (noticeLang == null || noticeLang.isEmpty() || noticeLang.length() > 16) {
            throw new IllegalArgumentException("a notice language is a BCP 47 tag of 1 to 16 characters");
        }
        if (noticeHash != null && noticeHash.length != 32) {
            throw new IllegalArgumentException("a notice hash is 32 bytes (BLAKE2b-256)");
        }
        this.noticeLang = noticeLang;
        this.noticeHash = noticeHash == null ? null : noticeHash.clone();
    }

    public @NotNull ConsentInfo withMethod(@NotNull ConsentMethod m) {
        return new ConsentInfo(m, actor, noticeLang, noticeHash);
    }

    public @NotNull ConsentInfo withActor(@NotNull ConsentActor a) {
        return new ConsentInfo(method, a, noticeLang, noticeHash);
    }

    public @NotNull ConsentInfo withNotice(@NotNull String lang, @Nullable byte[] hash) {
        return new ConsentInfo(method, actor, lang, hash);
    }

    public @NotNull ConsentMethod method() {
        return method;
    }

    public @NotNull ConsentActor actor() {
        return actor;
    }

    public @NotNull String noticeLang() {
        return noticeLang;
    }

    /** The notice hash, or null if none was recorded. */
    public @Nullable byte[] noticeHash() {
        return noticeHash == null ? null : noticeHash.clone();
    }

    byte[] noticeHashRaw() {
        return noticeHash;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        if (!(o instanceof ConsentInfo)) {
            return false;
        }
        ConsentInfo c = (ConsentInfo) o;
        return method == c.method && actor == c.actor && noticeLang.equals(c.noticeLang)
            && Arrays.equals(noticeHash, c.noticeHash);
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, actor, noticeLang, Arrays.hashCode(noticeHash));
    }
}
