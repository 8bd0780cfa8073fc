package dev.jobq.localsqs;

import java.net.URI;

/**
 * A {@code jobq.yaml} for one queue of a {@link LocalSqs}: its provider section (endpoint, the
 * static keys, the queue and dead-letter queue URLs) and a worker section with jobq's defaults
 * written out, ready to save and use with {@code jobq run} and {@code jobq enqueue}.
 *
 * @param endpoint where the SQS API answers
 * @param queues   the queue and its dead-letter queue
 */
public record ConfigSnippet(URI endpoint, LocalSqs.Queues queues) {

    /** The file's text. */
    public String yaml() {
        return """
                provider:
                  type: sqs
                  region: %s
                  endpoint: %s
                  accessKeyId: %s              # local-sqs checks no keys; never write real keys here
                  secretAccessKey: %s
                  queueUrl: %s
                  deadLetterQueueUrl: %s
                worker:
                  concurrency: 5
                  shutdownTimeout: 30s
                """.formatted(LocalSqs.REGION, endpoint, LocalSqs.ACCESS_KEY_ID, LocalSqs.SECRET_ACCESS_KEY,
                queues.url(), queues.deadLetterUrl());
    }
}
