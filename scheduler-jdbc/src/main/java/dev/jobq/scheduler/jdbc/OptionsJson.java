package dev.jobq.scheduler.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jobq.JobOptions;
import java.time.Duration;

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

    private final ObjectMapper mapper = new ObjectMapper();
    private volatile LastRead last = new LastRead("", JobOptions.defaults());

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
     * Reads a column written by {@link #write}; a missing field takes its default.
     *
     * @throws IllegalStateException naming the row when the text is not such an object
     */
    JobOptions read(String json, String row) {
        LastRead remembered = last;
        if (remembered.json().equals(json)) {
            return remembered.options();
        }
        JobOptions options = parse(json, row);
        last = new LastRead(json, options);
        return options;
    }

    private JobOptions parse(String json, String row) {
        try {
            JsonNode node = mapper.readTree(json);
            JsonNode key = node.path("deduplicationKey");
            return new JobOptions(
                    node.path("maxAttempts").asInt(JobOptions.DEFAULT_MAX_ATTEMPTS),
                    Duration.ofMillis(node.path("timeoutMs").asLong(JobOptions.DEFAULT_TIMEOUT.toMillis())),
                    node.path("priority").asInt(JobOptions.DEFAULT_PRIORITY),
                    key.isTextual() ? key.asText() : null,
                    node.path("queue").asText(JobOptions.DEFAULT_QUEUE));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalStateException("the options column of " + row + " is not a jobq options object ("
                    + e.getMessage() + "): " + json, e);
        }
    }
}
