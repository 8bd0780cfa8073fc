package dev.jobq.cli.process;

import dev.jobq.localsqs.LocalSqs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code jobq.yaml} for child processes, section by section: {@code provider} (an SQS queue of a
 * {@link LocalSqs}), {@code worker} and, when a key is set, {@code scheduler}. Values are written
 * as plain YAML scalars, so they must not hold {@code ": "} or {@code " #"}.
 */
final class JobqYaml {

    private final Map<String, Map<String, Object>> sections = new LinkedHashMap<>();

    private JobqYaml() {
    }

    /** The provider section for {@code queues} on {@code sqs}: endpoint, static keys, queue and DLQ URLs. */
    static JobqYaml sqs(LocalSqs sqs, LocalSqs.Queues queues) {
        var yaml = new JobqYaml();
        sqs.connectionSettings().forEach(yaml::provider);
        return yaml.provider("queueUrl", queues.url()).provider("deadLetterQueueUrl", queues.deadLetterUrl());
    }

    JobqYaml provider(String key, Object value) {
        return set("provider", key, value);
    }

    JobqYaml worker(String key, Object value) {
        return set("worker", key, value);
    }

    JobqYaml scheduler(String key, Object value) {
        return set("scheduler", key, value);
    }

    private JobqYaml set(String section, String key, Object value) {
        sections.computeIfAbsent(section, s -> new LinkedHashMap<>()).put(key, value);
        return this;
    }

    String text() {
        var text = new StringBuilder();
        sections.forEach((section, keys) -> {
            text.append(section).append(":\n");
            keys.forEach((key, value) -> text.append("  ").append(key).append(": ").append(value).append('\n'));
        });
        return text.toString();
    }

    Path writeTo(Path file) {
        try {
            return Files.writeString(file, text());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
