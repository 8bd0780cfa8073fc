package dev.jobq.internal.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.jobq.ConfigException;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.UntrustedText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.reader.ReaderException;

/**
 * Reads the YAML text into plain maps, lists and scalars, nothing bound yet. A syntax error ends
 * the load with one problem that gives its line and column: nothing after it can be trusted.
 */
final class YamlTreeReader {

    /** The characters of Jackson's own message (a duplicate key's) a problem shows; the rest is cut. */
    private static final int PARSER_MESSAGE_CHARS = 200;

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** A line of a .properties or environment file: {@code key=value}, {@code key = value}, {@code export KEY=value}. */
    private static final Pattern KEY_VALUE_LINE = Pattern.compile("(export\\s+)?[^\\s=:#!]+\\s*=.*");

    private YamlTreeReader() {
    }

    /** Whether every line of {@code text} but blanks and comments is a {@code key=value} line, and there is one. */
    private static boolean keyValueLines(String text) {
        List<String> lines = text.lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#") && !line.startsWith("!")).toList();
        return !lines.isEmpty() && lines.stream().allMatch(line -> KEY_VALUE_LINE.matcher(line).matches());
    }

    /** The top-level map; empty for an empty file. */
    static Map<String, Object> read(String yamlText, String sourceName) {
        Object tree;
        try (YAMLParser parser = YAML.getFactory().createParser(yamlText)) {
            tree = parser.nextToken() == null ? null : YamlAliases.read(parser);
            JsonToken next = parser.nextToken();
            if (next == JsonToken.VALUE_NULL && parser.nextToken() == null) {
                // a trailing '---' (files joined, a template's separator): there are no keys to ignore
                throw new ConfigException(sourceName, List.of("line " + separatorLine(yamlText,
                        parser.currentLocation().getLineNr()) + ", column 1: this '---' line begins a second YAML "
                        + "document, with nothing in it; jobq reads one document per file: remove the '---' line"));
            }
            if (next != null) {
                JsonLocation second = parser.currentTokenLocation();
                throw new ConfigException(sourceName, List.of("line " + second.getLineNr() + ", column "
                        + second.getColumnNr() + ": a second YAML document begins here (after a '---' line); jobq reads "
                        + "one document per file, so its keys would be ignored: remove the '---' line"));
            }
        } catch (JsonProcessingException e) {
            // escaped: the parser's message quotes the file's own characters (a key's, an escape's, an alias's name),
            // where an ESC repainted the terminal and a U+202E reordered the line
            throw new ConfigException(sourceName, List.of(UntrustedText.escape(syntaxProblem(e, yamlText))));
        } catch (YamlAliases.UnreadableYamlException e) {
            throw new ConfigException(sourceName, List.of(UntrustedText.escape(e.getMessage())));
        } catch (IOException e) {
            throw new UncheckedIOException("reading a String cannot fail", e);
        }
        if (tree == null) {
            return Map.of();
        }
        if (!(tree instanceof Map<?, ?> map)) {
            throw new ConfigException(sourceName, List.of("the file must be a map of sections (provider, queues, "
                    + "worker, scheduler), got " + (tree instanceof List<?> ? "a list"
                    // a file that is one value may be a secret's (JOBQ_CONFIG naming a mounted URL): a URL up to its
                    // host, its password masked, as a webhook's holds its token in the path; one that is no URL (a
                    // mounted password) is not shown, nor is one that only holds a URL, as a .properties or an
                    // environment file does beside its passwords; escaped, a U+202E in it reordered the line
                    : Secrets.isOneUrl(String.valueOf(tree))
                            ? "the value '" + UntrustedText.escape(upToItsHost(String.valueOf(tree)))
                            + "' (a URL, not repeated past its host: a file of one value may be a secret); check "
                            + "that this is the config file meant"
                    : "a single value (not repeated here: a file of one value may be a secret, such as a mounted "
                            + "password); " + (keyValueLines(yamlText) ? "it reads as key=value lines, as a .properties "
                            + "or environment file does: jobq reads YAML, each section a key ending in ':' with its own "
                            + "keys indented under it (a line 'worker:', then '  concurrency: 5')"
                            : "check that this is the config file meant"))));
        }
        Map<String, Object> top = new LinkedHashMap<>();
        map.forEach((key, value) -> top.put(String.valueOf(key), value));
        return top;
    }

    /**
     * {@code url} (one URL, {@link Secrets#isOneUrl}) masked and cut after its host ({@code https://hooks.example/…}):
     * a secret in its path (a webhook's token) is no parameter or password that {@link Secrets#maskUrl} finds. Cut
     * once masked, where a password's '/', '?' or '#' is masked with it.
     */
    static String upToItsHost(String url) {
        String masked = Secrets.maskUrl(url.strip());
        int host = masked.indexOf("://") + 3;
        for (int end = host; end < masked.length(); end++) {
            if ("/?#".indexOf(masked.charAt(end)) >= 0) {
                return masked.substring(0, end + 1) + "…";
            }
        }
        return masked;
    }

    /** The number of the last line before {@code line} (1-based, inclusive) that starts with '---'. */
    private static int separatorLine(String yamlText, int line) {
        List<String> lines = yamlText.lines().toList();
        for (int i = Math.min(line, lines.size()) - 1; i >= 0; i--) {
            if (lines.get(i).startsWith("---")) {
                return i + 1;
            }
        }
        return line;
    }

    private static String syntaxProblem(JsonProcessingException e, String yamlText) {
        if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null
                && marked.getProblem() != null) {
            return syntaxProblem(marked, yamlText);
        }
        if (e.getCause() instanceof ReaderException reader && firstAt(yamlText, reader.getCodePoint()) >= 0) {
            return notAllowed(reader.getCodePoint(), yamlText);
        }
        JsonLocation where = e.getLocation();
        String at = where == null ? "" : "line " + where.getLineNr() + ", column " + where.getColumnNr() + ": ";
        // Jackson's own (a duplicate key, which may hold a line break) has no SnakeYAML snippets: cut into sentences
        // at its breaks, 'a\nb' was named 'a; b', a key the file does not hold
        // cut: Jackson's duplicate key quotes the key whole, a 100,000-character one made a problem as long
        return at + "not valid YAML: " + withHint(UntrustedText.escape(e.getCause() == null ? e.getOriginalMessage()
                : withoutSnippets(e.getOriginalMessage()), PARSER_MESSAGE_CHARS));
    }

    /**
     * A character YAML does not allow ({@code codePoint}, a control character other than a tab or a line break: an ESC
     * of terminal colours pasted in, a NUL), named where it first stands: SnakeYAML's reader said "special characters
     * are not allowed" at line 1, column 1, wherever it stood, and not which one.
     */
    private static String notAllowed(int codePoint, String yamlText) {
        int at = firstAt(yamlText, codePoint);
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < at; i++) {
            char c = yamlText.charAt(i);
            // YAML 1.1's line breaks, as SnakeYAML counts them: \r\n once, and NEL, LS and PS too
            if ("\n\u0085\u2028\u2029".indexOf(c) >= 0
                    || c == '\r' && (i + 1 >= yamlText.length() || yamlText.charAt(i + 1) != '\n')) {
                line++;
                lineStart = i + 1;
            }
        }
        // as SnakeYAML counts columns, in code points, the file's byte-order mark not among them: it, which no editor
        // shows, made the first line's column one more than SnakeYAML's own errors and the editor's; a U+FEFF past
        // the start (a second file with one appended) SnakeYAML counts
        int column = yamlText.codePointCount(lineStart + byteOrderMark(yamlText, lineStart), at) + 1;
        String hex = String.format("%04X", codePoint);
        return "line " + line + ", column " + column + ": not valid YAML: the character U+" + hex
                + (Character.isISOControl(codePoint) ? " (a control character)" : "") + " is not allowed in a YAML "
                + "file; remove it, or in a double-quoted value write it as the escape \\u"
                + hex.toLowerCase(Locale.ROOT);
    }

    /**
     * Where {@code codePoint} first stands in {@code text} as a whole code point, or -1: {@code indexOf} placed a lone
     * surrogate (a config given as a String; a file decodes one to U+FFFD) at the first half of an earlier emoji.
     */
    private static int firstAt(String text, int codePoint) {
        for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) {
            if (text.codePointAt(i) == codePoint) {
                return i;
            }
        }
        return -1;
    }

    /**
     * SnakeYAML's own error, placed where it found the problem. Jackson's location is that of the
     * last token it read, which for a scanner error (a tab) is the end of the line before. Where
     * the construct being read began on another line (an unclosed quote), that line is said too.
     */
    private static String syntaxProblem(MarkedYAMLException e, String yamlText) {
        Mark problemAt = e.getProblemMark();
        Mark contextAt = e.getContextMark();
        var what = new StringBuilder();
        if (e.getContext() != null) {
            what.append(e.getContext().strip());
            if (contextAt != null && contextAt.getLine() != problemAt.getLine()) {
                what.append(" (from ").append(position(contextAt)).append(')');
            }
            what.append("; ");
        }
        what.append(e.getProblem().strip());
        String reference = referenceAt(yamlText, problemAt);
        String quoteIt = reference == null ? "" : " (inside { } or [ ], YAML reads the { of a ${…} reference as the "
                + "start of a map: put the value in quotes, e.g. \"" + reference + "\")";
        return position(problemAt) + ": not valid YAML: " + withHint(what.toString()) + quoteIt;
    }

    /**
     * The {@code ${…}} reference whose opening brace is at {@code mark}, or null. In a flow
     * collection (braces or brackets) an unquoted {@code ${VAR}} ends its plain scalar at that brace.
     */
    private static @Nullable String referenceAt(String yamlText, Mark mark) {
        String[] lines = yamlText.split("\\R", -1);
        if (mark.getLine() >= lines.length) {
            return null;
        }
        String line = lines[mark.getLine()];
        int brace = charIndex(line, mark.getLine() == 0 ? byteOrderMark(line, 0) : 0, mark.getColumn());
        if (brace < 1 || line.charAt(brace) != '{' || line.charAt(brace - 1) != '$') {
            return null;
        }
        int close = line.indexOf('}', brace);
        return close < 0 ? null : line.substring(brace - 1, close + 1);
    }

    /**
     * The index in {@code line} of the character at SnakeYAML's {@code column}, counted from {@code from} (past the
     * file's byte-order mark), or -1 past its end. SnakeYAML counts columns in code points, the byte-order mark not
     * among them: used as an index of chars, the column missed the brace after that mark or an emoji earlier on the
     * line. A U+FEFF past the file's start (a second file with one appended) is a column as any character is: left
     * out too, the brace after it was missed.
     */
    private static int charIndex(String line, int from, int column) {
        int counted = 0;
        for (int i = from; i < line.length(); i += Character.charCount(line.codePointAt(i))) {
            if (counted++ == column) {
                return i;
            }
        }
        return -1;
    }

    /** 1 where {@code lineStart} is 0 and {@code text} starts with a byte-order mark, which SnakeYAML does not count. */
    private static int byteOrderMark(String text, int lineStart) {
        return lineStart == 0 && text.startsWith("\uFEFF") ? 1 : 0;
    }

    private static String position(Mark mark) {
        return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    /**
     * SnakeYAML's wording with what to do about it: "mapping values are not allowed here" alone named neither of its
     * usual causes, a key indented deeper than the one above it (read as the rest of that key's value) and a value
     * that holds {@code ': '} unquoted.
     */
    private static String withHint(String what) {
        String hint = what.contains("<block") ? " (check the indentation: nested keys need more spaces than their parent)"
                : what.contains("mapping values are not allowed") ? " (a key indented deeper than the key above it, or "
                + "a value holding ': ' without quotes: line the key up with the one above, or put the value in quotes)"
                : "";
        return what + hint;
    }

    /**
     * SnakeYAML's message repeats each position as a line of the file with a caret under it; the
     * position is already in front of the problem, so only the sentences are kept.
     */
    private static String withoutSnippets(String message) {
        List<String> sentences = new ArrayList<>();
        String[] lines = message.split("\\R");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith(" in '")) {
                i += 2;
            } else if (!lines[i].isBlank()) {
                sentences.add(lines[i].strip());
            }
        }
        return String.join("; ", new LinkedHashSet<>(sentences));
    }
}
