package dev.jobq.internal.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.jobq.spi.UntrustedText;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Builds one YAML document into maps, lists and values as written (text), resolving anchors
 * ({@code &sqs}), aliases ({@code *sqs}) and merge keys ({@code <<: *sqs}), which Jackson's YAML parser
 * leaves to its caller:
 * bound to {@code Object} it reads an alias as the anchor's name, a plain string. A config that
 * shares one queue's settings with another is written with them. Jackson reports the anchors of
 * sections and lists only, not of single values, so an alias of a single value is reported as
 * standing for nothing rather than read as its anchor's name.
 *
 * <p>An alias stands for its anchor's whole value, which may hold aliases in turn: ten lines of lists of
 * ten aliases of the line above stand for ten billion values ("billion laughs"). SnakeYAML's limit on
 * aliases is its composer's, which Jackson does not use, so the values aliases stand for are counted here
 * and a document of more than {@link #MAX_VALUES} is refused, before anything walks or copies it.
 */
final class YamlAliases {

    private static final String MERGE_KEY = "<<";

    /**
     * The most values (each section, list and single value counts one) a document may stand for with its aliases
     * expanded: far beyond a config of many queues sharing a section, far below what hangs a load.
     */
    static final int MAX_VALUES = 100_000;

    /** The characters of an alias's name a refusal shows; the rest is cut. */
    private static final int NAME_PREVIEW_CHARS = 80;

    private final YAMLParser parser;
    private final Map<String, @Nullable Object> anchors = new HashMap<>();
    /** The anchors of the sections and lists being read, which their own aliases cannot stand for yet. */
    private final Set<String> reading = new HashSet<>();
    /** The values each section or list read stands for, itself included, its aliases expanded. */
    private final Map<Object, Long> sizes = new IdentityHashMap<>();
    /** The values read so far, each alias counted as the values it stands for. */
    private long values;

    private YamlAliases(YAMLParser parser) {
        this.parser = parser;
    }

    /** An alias whose anchor does not come before it, aliases that make the document too large, or a binary value. */
    static final class UnreadableYamlException extends RuntimeException {
        UnreadableYamlException(String message) {
            super(message);
        }
    }

    /**
     * The value at the parser's current token (the document's first), the parser left on its last token.
     *
     * @throws UnreadableYamlException for an alias without its anchor, aliases standing for more than
     *         {@link #MAX_VALUES}, or a {@code !!binary} value
     */
    static @Nullable Object read(YAMLParser parser) throws IOException {
        return new YamlAliases(parser).value();
    }

    /**
     * An alias's or anchor's name as a refusal writes it: escaped, cut after {@value #NAME_PREVIEW_CHARS} characters,
     * its length said at its first mention. Written whole, and twice, a 100,000-character name made a 200,000-character
     * problem.
     */
    private static String shown(String name, boolean withLength) {
        return UntrustedText.escape(name, NAME_PREVIEW_CHARS)
                + (withLength && name.length() > NAME_PREVIEW_CHARS ? " (" + name.length() + " characters)" : "");
    }

    private @Nullable Object value() throws IOException {
        if (parser.isCurrentAlias()) {
            String name = parser.getText();
            if (!anchors.containsKey(name) && reading.contains(name)) {
                JsonLocation at = parser.currentTokenLocation();
                throw new UnreadableYamlException("line " + at.getLineNr() + ", column " + at.getColumnNr() + ": *"
                        + shown(name, true) + " is inside the section or list anchored &" + shown(name, false)
                        + ", which would then hold itself without end; alias it from outside it");
            }
            if (!anchors.containsKey(name)) {
                JsonLocation at = parser.currentTokenLocation();
                throw new UnreadableYamlException("line " + at.getLineNr() + ", column " + at.getColumnNr() + ": *"
                        + shown(name, true) + " stands for no section or list anchored &" + shown(name, false)
                        + " above it; anchors of single values are not supported: write the value itself");
            }
            Object value = anchors.get(name);
            values += size(value);
            if (values > MAX_VALUES) {
                JsonLocation at = parser.currentTokenLocation();
                throw new UnreadableYamlException("line " + at.getLineNr() + ", column " + at.getColumnNr() + ": *"
                        + shown(name, true) + " makes the file more than " + MAX_VALUES + " values long with its "
                        + "aliases expanded (each alias stands for all of its anchor's section or list, aliases in it "
                        + "included); write the shared sections out, or alias a section that holds no aliases itself");
            }
            return value;
        }
        values++;
        String anchor = parser.getCurrentAnchor();
        JsonToken token = parser.currentToken();
        if (anchor != null) {
            reading.add(anchor);
        }
        Object value = switch (token) {
            case START_OBJECT -> map();
            case START_ARRAY -> list();
            case VALUE_NULL -> null;
            // !!binary: a byte[], which a key would read as its name ("[B@64729b1e"), a password too
            case VALUE_EMBEDDED_OBJECT -> throw binary();
            // a plain value as written: YAML 1.1 reads `0123` as octal 83 and `no` as false, and a
            // password, user or queue name must not change; keys that want a number or a boolean parse it
            default -> parser.getText();
        };
        if (anchor != null) {
            reading.remove(anchor);
            anchors.put(anchor, value);
        }
        return value;
    }

    /** A mapping; keys written in it win over merged ones, and an earlier merged map over a later one. */
    private Map<String, @Nullable Object> map() throws IOException {
        Map<String, @Nullable Object> map = new LinkedHashMap<>();
        List<Object> merged = new ArrayList<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            parser.nextToken();
            Object value = value();
            if (key.equals(MERGE_KEY) && isMergeable(value)) {
                merged.add(value);
            } else {
                map.put(key, value);
            }
        }
        for (Object source : merged) {
            for (Object each : source instanceof List<?> list ? list : List.of(source)) {
                // not putIfAbsent: a key written empty beside << (`queueUrl:`) clears the merged one
                ((Map<?, ?>) each).forEach((key, value) -> {
                    if (!map.containsKey(String.valueOf(key))) {
                        map.put(String.valueOf(key), value);
                    }
                });
            }
        }
        long size = 1;
        for (Object value : map.values()) {
            size += size(value);
        }
        sizes.put(map, size);
        return map;
    }

    private List<@Nullable Object> list() throws IOException {
        List<@Nullable Object> list = new ArrayList<>();
        long size = 1;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            Object value = value();
            size += size(value);
            list.add(value);
        }
        sizes.put(list, size);
        return list;
    }

    private UnreadableYamlException binary() {
        JsonLocation at = parser.currentTokenLocation();
        return new UnreadableYamlException("line " + at.getLineNr() + ", column " + at.getColumnNr() + ": a !!binary "
                + "value is not read (jobq's values are text): write the text itself, or for a secret ${VARIABLE} "
                + "with the text in the environment");
    }

    /** The values {@code value} stands for: 1 for a single value, a section's or list's as counted when read. */
    private long size(@Nullable Object value) {
        Long size = value == null ? null : sizes.get(value);
        return size == null ? 1 : size;
    }

    /** A map, or a list of maps, as YAML's merge key takes; anything else stays an ordinary (unknown) key. */
    private static boolean isMergeable(@Nullable Object value) {
        return value instanceof Map<?, ?>
                || value instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(Map.class::isInstance);
    }
}
