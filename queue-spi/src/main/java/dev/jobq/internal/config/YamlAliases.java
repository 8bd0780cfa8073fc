package dev.jobq.internal.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Builds one YAML document into maps, lists and values as written (text), resolving anchors
 * ({@code &sqs}), aliases ({@code *sqs}) and merge keys ({@code <<: *sqs}), which Jackson's YAML parser
 * leaves to its caller:
 * bound to {@code Object} it reads an alias as the anchor's name, a plain string. A config that
 * shares one queue's settings with another is written with them. Jackson reports the anchors of
 * sections and lists only, not of single values, so an alias of a single value is reported as
 * standing for nothing rather than read as its anchor's name.
 */
final class YamlAliases {

    private static final String MERGE_KEY = "<<";

    private final YAMLParser parser;
    private final Map<String, @Nullable Object> anchors = new HashMap<>();

    private YamlAliases(YAMLParser parser) {
        this.parser = parser;
    }

    /** An alias whose anchor does not come before it. */
    static final class UnknownAliasException extends RuntimeException {
        UnknownAliasException(String message) {
            super(message);
        }
    }

    /**
     * The value at the parser's current token (the document's first), the parser left on its last token.
     *
     * @throws UnknownAliasException for an alias without its anchor
     */
    static @Nullable Object read(YAMLParser parser) throws IOException {
        return new YamlAliases(parser).value();
    }

    private @Nullable Object value() throws IOException {
        if (parser.isCurrentAlias()) {
            String name = parser.getText();
            if (!anchors.containsKey(name)) {
                JsonLocation at = parser.currentTokenLocation();
                throw new UnknownAliasException("line " + at.getLineNr() + ", column " + at.getColumnNr() + ": *"
                        + name + " stands for no section or list anchored &" + name + " above it; anchors of single "
                        + "values are not supported: write the value itself");
            }
            return anchors.get(name);
        }
        String anchor = parser.getCurrentAnchor();
        JsonToken token = parser.currentToken();
        Object value = switch (token) {
            case START_OBJECT -> map();
            case START_ARRAY -> list();
            case VALUE_NULL -> null;
            case VALUE_EMBEDDED_OBJECT -> parser.getEmbeddedObject();
            // a plain value as written: YAML 1.1 reads `0123` as octal 83 and `no` as false, and a
            // password, user or queue name must not change; keys that want a number or a boolean parse it
            default -> parser.getText();
        };
        if (anchor != null) {
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
        return map;
    }

    private List<@Nullable Object> list() throws IOException {
        List<@Nullable Object> list = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            list.add(value());
        }
        return list;
    }

    /** A map, or a list of maps, as YAML's merge key takes; anything else stays an ordinary (unknown) key. */
    private static boolean isMergeable(@Nullable Object value) {
        return value instanceof Map<?, ?>
                || value instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(Map.class::isInstance);
    }
}
