package dev.jobq.examples;

/**
 * A task that cannot succeed: the payload of {@link AlwaysFailingHandler}.
 *
 * @param reason why it fails; the message of every attempt's error
 */
public record FailingTask(String reason) {

    public FailingTask {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("FailingTask.reason must not be blank, got \"" + reason + "\"");
        }
    }
}
