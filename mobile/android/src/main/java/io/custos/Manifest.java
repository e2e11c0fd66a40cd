package io.custos;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/**
 * The product's privacy declaration: compile the maker's YAML into the
 * compiled manifest that stores load ({@link Custos#loadManifest}) and that
 * disclosures are generated from. No store is needed. Errors are
 * {@link ManifestException} whose message names "file:line:column: why",
 * or {@link CorruptException} for a damaged compiled file.
 */
public final class Manifest {
    static {
        NativeLoader.load();
    }

    private Manifest() {
    }

    /** Compile YAML (fileName only names it in messages; may be null). */
    public static @NotNull byte[] compile(@NotNull String yaml, @Nullable String fileName) throws CustosException {
        return compile(yaml, fileName, null);
    }

    /**
     * Compile a new version of a manifest; previous (the compiled older
     * version, or null) makes the compiler refuse an id that changed
     * meaning, a retired id that came back, or a policy version that did not
     * increase.
     */
    public static @NotNull byte[] compile(@NotNull String yaml, @Nullable String fileName, @Nullable byte[] previous)
        throws CustosException {
        return nativeCompile(utf8(yaml), fileName, previous);
    }

    /** Validate only: the same checks as compile. */
    public static void check(@NotNull String yaml, @Nullable String fileName) throws CustosException {
        nativeCheck(utf8(yaml), fileName);
    }

    /** Verify a compiled file and return its 32-byte manifest id (BLAKE2b-256). */
    public static @NotNull byte[] id(@NotNull byte[] compiled) throws CustosException {
        return nativeId(requireBytes(compiled));
    }

    /** A summary for people (json false) or JSON for programs (json true). */
    public static @NotNull String show(@NotNull byte[] compiled, boolean json) throws CustosException {
        return new String(nativeShow(requireBytes(compiled), json ? 1 : 0), StandardCharsets.UTF_8);
    }

    /** The purposes that changed materially between two versions, as a report. */
    public static @NotNull String diff(@NotNull byte[] older, @NotNull byte[] newer, boolean json)
        throws CustosException {
        return new String(nativeDiffText(requireBytes(older), requireBytes(newer), json ? 1 : 0),
            StandardCharsets.UTF_8);
    }

    /**
     * The purposes that changed materially from {@code older} to
     * {@code newer}, sorted by purpose id (Swift: changes(since:)).
     */
    public static @NotNull List<ManifestChange> changes(@NotNull byte[] older, @NotNull byte[] newer)
        throws CustosException {
        int[] packed = nativeDiff(requireBytes(older), requireBytes(newer));
        List<ManifestChange> out = new ArrayList<ManifestChange>(packed.length / 3);
        for (int i = 0; i + 2 < packed.length; i += 3) {
            out.add(new ManifestChange(packed[i], packed[i + 1], packed[i + 2] != 0));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * What a consent screen shows: every purpose of the compiled manifest,
     * in id order, with its texts in {@code lang} ("en", "ja": a language
     * the manifest declares; null means "en"). A text the manifest does not
     * give in {@code lang} is given in English. Swift:
     * {@code CompiledManifest.consentScreen(language:)}.
     *
     * @throws IllegalArgumentException compiled is null, or lang is not a language of the manifest
     * @throws CorruptException the compiled manifest is damaged
     */
    public static @NotNull List<PurposeInfo> consentScreen(@NotNull byte[] compiled, @Nullable String lang)
        throws CustosException {
        Object[] flat = nativeConsentScreen(requireBytes(compiled), lang);
        return screenFrom((long[]) flat[0], (String[]) flat[1]);
    }

    /* The flat form jni_manifest.c writes (its comment over screen_counts gives the order). */
    private static List<PurposeInfo> screenFrom(long[] num, String[] str) {
        int n = (int) num[0];
        int at = 1;
        int s = 0;
        List<PurposeInfo> out = new ArrayList<PurposeInfo>(n);
        for (int i = 0; i < n; i++) {
            int id = (int) num[at];
            boolean required = num[at + 1] != 0;
            int nCategories = (int) num[at + 2];
            int nRecipients = (int) num[at + 3];
            long retentionDays = num[at + 4];
            at += 5;
            String[] texts = new String[6];
            for (int k = 0; k < 6; k++) {
                texts[k] = str[s++];
            }
            List<PurposeInfo.Category> categories = new ArrayList<PurposeInfo.Category>(nCategories);
            for (int k = 0; k < nCategories; k++, s += 2) {
                categories.add(new PurposeInfo.Category((int) num[at++], str[s], str[s + 1]));
            }
            List<PurposeInfo.Recipient> recipients = new ArrayList<PurposeInfo.Recipient>(nRecipients);
            for (int k = 0; k < nRecipients; k++, s += 3) {
                recipients.add(new PurposeInfo.Recipient(str[s], str[s + 1], str[s + 2]));
            }
            out.add(new PurposeInfo(id, required, texts, Collections.unmodifiableList(categories),
                Collections.unmodifiableList(recipients), retentionDays));
        }
        return Collections.unmodifiableList(out);
    }

    static String changeString(int reason) {
        return new String(nativeChangeString(reason), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String yaml) {
        if (yaml == null) {
            throw new IllegalArgumentException("yaml must not be null");
        }
        return yaml.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] requireBytes(byte[] b) {
        if (b == null) {
            throw new IllegalArgumentException("a compiled manifest must not be null");
        }
        return b;
    }

    private static native byte[] nativeCompile(byte[] yaml, String fileName, byte[] previous) throws CustosException;
    private static native void nativeCheck(byte[] yaml, String fileName) throws CustosException;
    private static native byte[] nativeId(byte[] compiled) throws CustosException;
    private static native byte[] nativeShow(byte[] compiled, int format) throws CustosException;
    private static native byte[] nativeDiffText(byte[] older, byte[] newer, int format) throws CustosException;
    private static native int[] nativeDiff(byte[] older, byte[] newer) throws CustosException;
    private static native byte[] nativeChangeString(int reason);
    private static native Object[] nativeConsentScreen(byte[] compiled, String lang) throws CustosException;
}
