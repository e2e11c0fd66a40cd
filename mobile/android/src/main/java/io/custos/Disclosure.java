package io.custos;

import java.nio.charset.StandardCharsets;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/**
 * Every disclosure a product needs, generated from its compiled manifest:
 * privacy notices, Apple and Google store labels, DPV, fideslang, ETSI
 * EN 303 645 ICS / IXIT, the JC-STAR, EN 18031-2 and CRA evidence sheets. Output is
 * deterministic. A manifest that a format cannot express is
 * {@link ManifestException} naming the category or purpose.
 */
public final class Disclosure {
    static {
        NativeLoader.load();
    }

    /** What to generate (custos_disclose_format; the numbers are stable). */
    public enum Format {
        NOTICE_MD(1, true),
        NOTICE_HTML(2, true),
        XCPRIVACY(3, false),
        PLAY_CSV(4, false),
        ANDROID_LABELS(5, false),
        DPV_JSONLD(6, false),
        FIDESLANG(7, false),
        ICS_JSON(8, false),
        ICS_MD(9, false),
        IXIT_JSON(10, false),
        IXIT_MD(11, false),
        JCSTAR_MD(12, false),
        EN18031_MD(13, false),
        CRA_MD(14, false);

        private final int code;
        private final boolean localized;

        Format(int code, boolean localized) {
            this.code = code;
            this.localized = localized;
        }

        int code() {
            return code;
        }

        /** True if the output depends on the language (the notices). */
        public boolean isLocalized() {
            return localized;
        }
    }

    private Disclosure() {
    }

    /**
     * Generate one disclosure. lang is "en" or "ja" (null: "en"); it
     * matters for the localized formats only.
     */
    public static @NotNull String generate(@NotNull byte[] compiledManifest, @NotNull Format format,
                                           @Nullable String lang) throws CustosException {
        return generate(compiledManifest, format, lang, null);
    }

    /** The same, printing date (ISO 8601, e.g. "2026-04-01") as the document date. */
    public static @NotNull String generate(@NotNull byte[] compiledManifest, @NotNull Format format,
                                           @Nullable String lang, @Nullable String date) throws CustosException {
        if (compiledManifest == null || format == null) {
            throw new IllegalArgumentException("compiledManifest and format must not be null");
        }
        return new String(nativeGenerate(compiledManifest, format.code(), lang, date), StandardCharsets.UTF_8);
    }

    /** The conventional file name of a format's output ("PrivacyInfo.xcprivacy", ...). */
    public static @NotNull String fileName(@NotNull Format format, @Nullable String lang) throws CustosException {
        if (format == null) {
            throw new IllegalArgumentException("format must not be null");
        }
        return nativeFileName(format.code(), lang);
    }

    /**
     * The access report of one subject of an open store (GDPR Art. 15):
     * per purpose, the consent state, the categories held and how many
     * records. compiledManifest must be the one loaded in the store
     * ({@link InvalidStateException} otherwise); format is NOTICE_MD or
     * NOTICE_HTML.
     */
    public static @NotNull String accessReport(@NotNull Custos custos, @NotNull Subject subject,
                                               @NotNull byte[] compiledManifest, @NotNull Format format,
                                               @Nullable String lang) throws CustosException {
        Custos.requireSubject(subject);
        if (custos == null || compiledManifest == null || format == null) {
            throw new IllegalArgumentException("custos, compiledManifest and format must not be null");
        }
        byte[] r = custos.withHandle(h -> nativeAccessReport(h, subject.id(), compiledManifest, format.code(), lang));
        return new String(r, StandardCharsets.UTF_8);
    }

    private static native byte[] nativeGenerate(byte[] compiled, int format, String lang, String date)
        throws CustosException;
    /* Package-private: the tests walk the core's format table through it. */
    static native String nativeFileName(int format, String lang) throws CustosException;
    private static native byte[] nativeAccessReport(long h, long subject, byte[] compiled, int format, String lang)
        throws CustosException;
}
