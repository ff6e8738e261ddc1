package com.hostkey.invapi.client;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The one place where Hostkey's words are read: which {@link Refusal} an error answer means. No
 * caller of the client matches Hostkey's text; they decide on {@link HostkeyException#refusal()}.
 *
 * <p>Each kind that Hostkey's answer can tell has one pattern (a Java regex, case-insensitive,
 * found anywhere), tried against the error body's {@code code} (as text, e.g.
 * {@code NO_APPROPRIATE_SERVERS} or {@code -1}) and against its message; the kinds are tried in
 * the order of {@link Refusal}, the first match wins. The defaults match the wordings Hostkey is
 * known to use and those the simulator speaks by default (docs/hostkey-invapi.md: only "Invalid
 * hash" and the login refusal are known, the rest are assumed). Each is replaced, never extended,
 * by its environment variable ({@link #env(Refusal)}); to keep a default, repeat it in the new
 * pattern ({@code server\s+not\s+found|no access to equipment}).
 *
 * <p>"AsyncKey not found" (a callback key that is gone) is known and is not a refusal but an answer
 * of eq_callback: it is recognised here too ({@link #isCallbackKeyNotFound}), and is not a setting.
 */
public final class RefusalPatterns {

    private record Definition(String env, String pattern) {}

    private static final Map<Refusal, Definition> DEFINITIONS = new EnumMap<>(Refusal.class);

    static {
        DEFINITIONS.put(Refusal.ACCOUNT_LOCKED, new Definition("HOSTKEY_REFUSAL_ACCOUNT_LOCKED_PATTERN",
                "account\\s+(is\\s+)?locked|locked\\s+account"));
        // "PIN" as a word of its own (not "pinned", "spin"); underscores count as word breaks.
        DEFINITIONS.put(Refusal.WRONG_PIN, new Definition("HOSTKEY_REFUSAL_WRONG_PIN_PATTERN",
                "(?<![a-z])pin(?![a-z])"));
        DEFINITIONS.put(Refusal.INVALID_TOKEN, new Definition("HOSTKEY_REFUSAL_INVALID_TOKEN_PATTERN",
                "invalid\\s+hash|invalid\\s+token|token\\s+(has\\s+)?expired|expired\\s+token|not\\s+authori[sz]ed"));
        DEFINITIONS.put(Refusal.LOGIN_REFUSED, new Definition("HOSTKEY_REFUSAL_LOGIN_REFUSED_PATTERN",
                "no[\\s_]+appropriate[\\s_]+servers"));
        DEFINITIONS.put(Refusal.SERVER_NOT_FOUND, new Definition("HOSTKEY_REFUSAL_SERVER_NOT_FOUND_PATTERN",
                "server\\s+not\\s+found|no\\s+such\\s+server"));
        DEFINITIONS.put(Refusal.HOSTNAME_MISMATCH, new Definition("HOSTKEY_REFUSAL_HOSTNAME_MISMATCH_PATTERN",
                "hostname\\s+does\\s+not\\s+match"));
        DEFINITIONS.put(Refusal.REINSTALL_KEY_NOT_FOUND, new Definition("HOSTKEY_REFUSAL_REINSTALL_KEY_NOT_FOUND_PATTERN",
                "reinstall[_\\s]?key\\s+not\\s+found"));
        DEFINITIONS.put(Refusal.OS_NOT_OFFERED, new Definition("HOSTKEY_REFUSAL_OS_NOT_OFFERED_PATTERN",
                "no\\s+os\\s+found|os\\s+\\S+\\s+is\\s+not\\s+available"));
        DEFINITIONS.put(Refusal.INVALID_PARAMETER, new Definition("HOSTKEY_REFUSAL_INVALID_PARAMETER_PATTERN",
                "missing\\s+required\\s+field|invalid\\s+(hostname|media|parameter)|must\\s+be\\s+a\\s+number"
                        + "|does\\s+not\\s+meet|unknown\\s+(disk\\s+scheme|action)|disk\\s+scheme\\s+\\S+\\s+needs"
                        + "|task\\s+\\S+\\s+(not\\s+found|does\\s+not\\s+apply)"));
    }

    private static final Pattern CALLBACK_KEY_NOT_FOUND = Pattern.compile("asynckey\\s+not\\s+found", Pattern.CASE_INSENSITIVE);

    /** The defaults: the known wordings and the simulator's default ones. */
    public static final RefusalPatterns DEFAULTS = defaults();

    private final Map<Refusal, Pattern> patterns;

    private RefusalPatterns(Map<Refusal, Pattern> patterns) {
        this.patterns = Collections.unmodifiableMap(new EnumMap<>(patterns));
    }

    private static RefusalPatterns defaults() {
        Map<Refusal, Pattern> patterns = new EnumMap<>(Refusal.class);
        DEFINITIONS.forEach((kind, d) -> patterns.put(kind, compile(d.pattern())));
        return new RefusalPatterns(patterns);
    }

    /** The environment variable that replaces {@code kind}'s pattern; null for kinds Hostkey's answer cannot tell. */
    public static String env(Refusal kind) {
        Definition d = DEFINITIONS.get(Objects.requireNonNull(kind, "kind"));
        return d == null ? null : d.env();
    }

    /** The default pattern of {@code kind}, as a regex; null for kinds Hostkey's answer cannot tell. */
    public static String defaultPattern(Refusal kind) {
        Definition d = DEFINITIONS.get(Objects.requireNonNull(kind, "kind"));
        return d == null ? null : d.pattern();
    }

    /** These patterns with {@code kind}'s replaced by {@code regex} (case-insensitive, found anywhere). */
    public RefusalPatterns with(Refusal kind, String regex) {
        if (!Objects.requireNonNull(kind, "kind").recognisedByPattern()) {
            throw new IllegalArgumentException(kind + " is not told by Hostkey's answer, it has no pattern");
        }
        Objects.requireNonNull(regex, "regex");
        if (regex.isBlank()) {
            throw new IllegalArgumentException("the pattern of " + kind + " is blank");
        }
        Map<Refusal, Pattern> next = new EnumMap<>(patterns);
        next.put(kind, compile(regex));
        return new RefusalPatterns(next);
    }

    /** The pattern in force for {@code kind}, as a regex; null for kinds Hostkey's answer cannot tell. */
    public String pattern(Refusal kind) {
        Pattern p = patterns.get(kind);
        return p == null ? null : p.pattern();
    }

    /**
     * The kind of an error answer: the first kind (in {@link Refusal} order) whose pattern is
     * found in {@code code} or in {@code message}; {@link Refusal#UNCLASSIFIED} when none is.
     * Either may be null.
     */
    public Refusal classify(String code, String message) {
        for (Map.Entry<Refusal, Pattern> e : patterns.entrySet()) {
            Pattern p = e.getValue();
            if ((code != null && p.matcher(code).find()) || (message != null && p.matcher(message).find())) {
                return e.getKey();
            }
        }
        return Refusal.UNCLASSIFIED;
    }

    /** "AsyncKey not found": the callback key asked about is gone (known wording, not a setting). */
    public static boolean isCallbackKeyNotFound(String message) {
        return message != null && CALLBACK_KEY_NOT_FOUND.matcher(message).find();
    }

    /**
     * {@code base} with every pattern the environment sets replaced.
     *
     * @throws IllegalStateException naming the variable whose pattern is not a valid regex
     */
    static RefusalPatterns fromEnv(Map<String, String> env, RefusalPatterns base) {
        RefusalPatterns out = base;
        for (Map.Entry<Refusal, Definition> e : DEFINITIONS.entrySet()) {
            String value = env.get(e.getValue().env());
            if (value == null || value.isBlank()) {
                continue;
            }
            try {
                out = out.with(e.getKey(), value.strip());
            } catch (PatternSyntaxException ex) {
                throw new IllegalStateException(e.getValue().env() + " is not a valid regular expression: "
                        + ex.getDescription() + " in " + value.strip(), ex);
            }
        }
        return out;
    }

    private static Pattern compile(String regex) {
        return Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RefusalPatterns other)) {
            return false;
        }
        for (Refusal kind : Refusal.values()) {
            if (!Objects.equals(pattern(kind), other.pattern(kind))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (Refusal kind : Refusal.values()) {
            h = 31 * h + Objects.hashCode(pattern(kind));
        }
        return h;
    }

    @Override
    public String toString() {
        Map<Refusal, String> shown = new EnumMap<>(Refusal.class);
        patterns.forEach((k, p) -> shown.put(k, p.pattern()));
        return "RefusalPatterns" + shown;
    }
}
