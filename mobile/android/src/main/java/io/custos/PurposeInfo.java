package io.custos;

import java.util.List;
import java.util.Objects;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/**
 * One purpose as a consent screen shows it ({@link Manifest#consentScreen}):
 * its texts in the screen's language and the facts the person decides on.
 * Immutable. Swift: {@code PurposeInfo}, with the same names.
 */
public final class PurposeInfo {
    /** A data category the purpose uses. */
    public static final class Category {
        private final int id;
        private final String key;
        private final String name;

        Category(int id, String key, String name) {
            this.id = id;
            this.key = key;
            this.name = name;
        }

        /** The category's stable id (what {@link Custos#check} takes). */
        public int id() {
            return id;
        }

        /** The taxonomy key, e.g. "user.sensor.video". */
        public @NotNull String key() {
            return key;
        }

        /** The localized name. */
        public @NotNull String name() {
            return name;
        }

        @Override
        public boolean equals(@Nullable Object o) {
            if (!(o instanceof Category)) {
                return false;
            }
            Category c = (Category) o;
            return id == c.id && key.equals(c.key) && name.equals(c.name);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, key, name);
        }

        @Override
        public @NotNull String toString() {
            return new StringBuilder().append(id).append(" ").append(name).toString();
        }
    }

    /** Someone the data is shared with. */
    public static final class Recipient {
        private final String name;
        private final String country;
        private final String role;

        Recipient(String name, String country, String role) {
            this.name = name;
            this.country = country;
            this.role = role;
        }

        public @NotNull String name() {
            return name;
        }

        /** ISO 3166-1 alpha-2, e.g. "JP", "US". */
        public @NotNull String country() {
            return country;
        }

        /** "processor", "third-party", or null when the manifest does not say. */
        public @Nullable String role() {
            return role;
        }

        @Override
        public boolean equals(@Nullable Object o) {
            if (!(o instanceof Recipient)) {
                return false;
            }
            Recipient r = (Recipient) o;
            return name.equals(r.name) && country.equals(r.country) && Objects.equals(role, r.role);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, country, role);
        }

        @Override
        public @NotNull String toString() {
            return new StringBuilder().append(name).append(" (").append(country).append(")").toString();
        }
    }

    private final int id;
    private final boolean required;
    private final String key;
    private final String title;
    private final String description;
    private final String legalBasis;
    private final List<Category> categories;
    private final List<Recipient> recipients;
    private final String retention;
    private final long retentionDays;
    private final String retentionUntil;

    /* Built by Manifest.consentScreen only; the lists are already unmodifiable. */
    PurposeInfo(int id, boolean required, String[] texts, List<Category> categories, List<Recipient> recipients,
                long retentionDays) {
        this.id = id;
        this.required = required;
        this.key = texts[0];
        this.title = texts[1];
        this.description = texts[2];
        this.legalBasis = texts[3];
        this.retention = texts[4];
        this.retentionUntil = texts[5];
        this.categories = categories;
        this.recipients = recipients;
        this.retentionDays = retentionDays;
    }

    /** The purpose id consent is given for. */
    public int id() {
        return id;
    }

    /** The manifest key, e.g. "functional.service". */
    public @NotNull String key() {
        return key;
    }

    /** The localized name. */
    public @NotNull String title() {
        return title;
    }

    /** The localized description; "" when the manifest gives none. */
    public @NotNull String description() {
        return description;
    }

    /**
     * The manifest's word for the legal basis: "consent", "contract",
     * "legal_obligation", "vital_interest", "public_task" or
     * "legitimate_interest". Only "consent" purposes take a decision.
     */
    public @NotNull String legalBasis() {
        return legalBasis;
    }

    /** True if the purpose is required (shown, not switchable); false if optional. */
    public boolean isRequired() {
        return required;
    }

    /** The data categories it uses, sorted by id. */
    public @NotNull List<Category> categories() {
        return categories;
    }

    /** Who the data is shared with, sorted by name; empty if nobody. */
    public @NotNull List<Recipient> recipients() {
        return recipients;
    }

    /** The retention as an ISO 8601 duration ("P30D"), or null when it lasts until an event or is not declared. */
    public @Nullable String retention() {
        return retention;
    }

    /** The length of {@link #retention()} in whole days (1 Y = 365, 1 M = 30, rounded up); 0 without one. */
    public long retentionDays() {
        return retentionDays;
    }

    /** The event the data is kept until (e.g. "device_reset"), or null. */
    public @Nullable String retentionUntil() {
        return retentionUntil;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        if (!(o instanceof PurposeInfo)) {
            return false;
        }
        PurposeInfo p = (PurposeInfo) o;
        return id == p.id && required == p.required && key.equals(p.key) && title.equals(p.title)
            && description.equals(p.description) && legalBasis.equals(p.legalBasis)
            && categories.equals(p.categories) && recipients.equals(p.recipients)
            && Objects.equals(retention, p.retention) && retentionDays == p.retentionDays
            && Objects.equals(retentionUntil, p.retentionUntil);
    }

    @Override
    public int hashCode() {
        int requiredBit = required ? 1 : 0; /* no branch inside the varargs array: no Object[] stack frame */
        return Objects.hash(id, requiredBit, key, title, description, legalBasis, categories, recipients,
            retention, retentionDays, retentionUntil);
    }

    @Override
    public @NotNull String toString() {
        return new StringBuilder().append("purpose ").append(id).append(" ").append(title).toString();
    }
}
