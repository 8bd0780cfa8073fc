package dev.jobq.scheduler.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jobq.JobOptions;
import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A job's options as the {@code options} column holds them: the wire format's {@code options}
 * object ({@code maxAttempts}, {@code timeoutMs}, {@code priority}, {@code deduplicationKey},
 * {@code queue}), so an operator reads the same shape in the table as in a message. Thread-safe.
 *
 * <p>Rows of one kind of job carry the same options text, so the last text read is remembered with
 * its options: handing on a batch of such rows parses it once, not once per row (a fifth of the
 * firing thread's time in B6, docs/benchmarks.md).
 */
final class OptionsJson {

    /** How much of a column refused its refusal repeats: all of any jobq writes. */
    private static final int COLUMN_PREVIEW_CHARS = 1000;

    private final ObjectMapper mapper = new ObjectMapper();
    /**
     * Starts as the text {@link #write} makes of the defaults: started as {@code ""}, an empty column (changed by hand)
     * read first was taken for all defaults, where it is refused as any other text that is not an options object.
     */
    private volatile LastRead last = new LastRead(write(JobOptions.defaults()), JobOptions.defaults());

    private record LastRead(String json, JobOptions options) {
    }

    String write(JobOptions options) {
        ObjectNode node = mapper.createObjectNode()
                .put("maxAttempts", options.maxAttempts())
                .put("timeoutMs", options.timeout().toMillis())
                .put("priority", options.priority())
                .put("deduplicationKey", options.deduplicationKey())
                .put("queue", options.queue());
        return node.toString();
    }

    /**
     * Reads a column written by {@link #write}; a missing field takes its default. {@code row} names the row, asked
     * only for a refusal: the name a recurring job's is escaped to, built on every hand-off, was thrown away.
     *
     * @throws IllegalStateException naming the row when the text is not such an object
     */
    JobOptions read(String json, Supplier<String> row) {
        LastRead remembered = last;
        if (remembered.json().equals(json)) {
            return remembered.options();
        }
        JobOptions options = parse(json, row);
        last = new LastRead(json, options);
        return options;
    }

    private JobOptions parse(String json, Supplier<String> row) {
        try {
            JsonNode node = mapper.readTree(json);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            JsonNode key = field(node, "deduplicationKey", JsonNode::isTextual, "a string", "");
            JsonNode queue = field(node, "queue", JsonNode::isTextual, "a string", "");
            return new JobOptions(
                    wholeNumber(node, "maxAttempts", JobOptions.DEFAULT_MAX_ATTEMPTS),
                    timeout(node),
                    wholeNumber(node, "priority", JobOptions.DEFAULT_PRIORITY),
                    key.isTextual() ? key.asText() : null,
                    queue.isTextual() ? queue.asText() : JobOptions.DEFAULT_QUEUE);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            // the column and Jackson's reason escaped, a long column cut: changed by hand, a newline in it forged a
            // line of the WARN, and all of a large one went into every line that named the row; and without Jackson's
            // exception as the cause, whose message repeats a token raw ("Unrecognized token 'x<ESC>'")
            throw new IllegalStateException("the options column of " + row.get() + " is not a jobq options object ("
                    + UntrustedText.escape(String.valueOf(e.getMessage())) + "): "
                    + UntrustedText.singleQuote(json, COLUMN_PREVIEW_CHARS));
        }
    }

    private static int wholeNumber(JsonNode node, String name, int otherwise) {
        JsonNode value = field(node, name, v -> v.isIntegralNumber() && v.canConvertToInt(), "a whole number",
                " from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE);
        return value.isIntegralNumber() ? value.asInt() : otherwise;
    }

    private static Duration timeout(JsonNode node) {
        JsonNode value = field(node, "timeoutMs", v -> v.isIntegralNumber() && v.canConvertToLong(),
                "a whole number of milliseconds", " up to " + Long.MAX_VALUE);
        return value.isIntegralNumber() ? Duration.ofMillis(value.asLong()) : JobOptions.DEFAULT_TIMEOUT;
    }

    /**
     * The field {@code name}, missing or null for its default; of another JSON type refused, naming it: a wrong type read
     * as its default ({@code "maxAttempts": "five"} as 3, {@code true} as 1) handed a row changed by hand or written
     * by a newer jobq on with options it was never given, where docs/scheduler.md says such a row is left to processes
     * that can read it. A whole number beyond what the field holds is told {@code range}: "must be a whole number, got
     * 4294967296" said it was not one.
     */
    private static JsonNode field(JsonNode node, String name, Predicate<JsonNode> fits, String what, String range) {
        JsonNode value = node.path(name);
        if (value.isMissingNode() || value.isNull() || fits.test(value)) {
            return value;
        }
        throw new IllegalArgumentException("'" + name + "' must be " + what + (value.isIntegralNumber() ? range : "")
                + ", got " + value);
    }
}
