package dev.jobq.sqs;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * An SQS server the tests run against (ElasticMQ, or LocalStack where Docker exists): a plain SDK
 * client for it, as another producer would use, and the provider settings that reach it.
 *
 * @param client             a plain AWS SDK client of the server
 * @param connectionSettings region, endpoint and the server's dummy keys, as a provider section
 */
record SqsServer(SqsClient client, Map<String, Object> connectionSettings) {

    private static final AtomicInteger QUEUE_NUMBERS = new AtomicInteger();

    /** A live queue and its dead-letter queue. */
    record Queues(String url, String deadLetterUrl) {
    }

    /** A new queue (FIFO when asked) with a new dead-letter queue of the same kind, no redrive policy. */
    Queues newQueues(String prefix, boolean fifo) {
        int n = QUEUE_NUMBERS.incrementAndGet();
        String suffix = fifo ? ".fifo" : "";
        String deadLetters = createQueue(prefix + "-" + n + "-dlq" + suffix, Map.of());
        String live = createQueue(prefix + "-" + n + suffix, Map.of());
        return new Queues(live, deadLetters);
    }

    /** Creates a queue (FIFO when its name ends in .fifo) with these attributes; returns its URL. */
    String createQueue(String name, Map<QueueAttributeName, String> attributes) {
        Map<QueueAttributeName, String> all = new HashMap<>(attributes);
        if (name.endsWith(".fifo")) {
            all.put(QueueAttributeName.FIFO_QUEUE, "true");
        }
        return client.createQueue(r -> r.queueName(name).attributes(all)).queueUrl();
    }

    /** Provider settings for {@code queues} on this server, with {@code extra} on top. */
    Map<String, Object> settings(Queues queues, Map<String, ?> extra) {
        Map<String, Object> settings = new LinkedHashMap<>(connectionSettings);
        settings.put("queueUrl", queues.url());
        settings.put("deadLetterQueueUrl", queues.deadLetterUrl());
        settings.putAll(extra);
        return settings;
    }
}
