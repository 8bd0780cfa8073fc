package dev.jobq.bench.sqs;

import dev.jobq.bench.runner.Countdown;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * The ceiling of B5: what an application does with the AWS SDK alone, on {@code concurrency}
 * threads: sends in {@code SendMessageBatch} calls of ten (or one {@code SendMessage} per message),
 * and drains with {@code ReceiveMessage} of up to ten followed by one {@code DeleteMessageBatch} of
 * what came. Its requests ask for what the provider's ask for (the same attributes, the same
 * visibility timeout), so the server does the same work per message on both sides.
 */
final class RawSqsLoop {

    private static final int BATCH = 10;
    private static final Duration LIMIT = Duration.ofMinutes(3);

    private final SqsClient sqs;
    private final int concurrency;

    RawSqsLoop(SqsClient sqs, int concurrency) {
        this.sqs = sqs;
        this.concurrency = concurrency;
    }

    /** Sends every message in batches of ten; returns messages per second. */
    double sendBatches(String queueUrl, List<SqsMessages.Body> bodies, AtomicInteger sent) throws InterruptedException {
        var next = new AtomicInteger();
        return onThreads(() -> {
            for (int from = next.getAndAdd(BATCH); from < bodies.size(); from = next.getAndAdd(BATCH)) {
                List<SendMessageBatchRequestEntry> entries = new ArrayList<>(BATCH);
                for (int i = from; i < Math.min(from + BATCH, bodies.size()); i++) {
                    SqsMessages.Body body = bodies.get(i);
                    entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i - from))
                            .messageBody(body.json()).messageAttributes(body.attributes()).build());
                }
                var response = sqs.sendMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
                if (!response.failed().isEmpty()) {
                    throw new IllegalStateException("SendMessageBatch failed: " + response.failed());
                }
                sent.addAndGet(entries.size());
            }
        }, bodies.size());
    }

    /** Sends every message with a SendMessage call of its own; returns messages per second. */
    double sendSingly(String queueUrl, List<SqsMessages.Body> bodies, AtomicInteger sent) throws InterruptedException {
        var next = new AtomicInteger();
        return onThreads(() -> {
            for (int i = next.getAndIncrement(); i < bodies.size(); i = next.getAndIncrement()) {
                SqsMessages.Body body = bodies.get(i);
                sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body.json())
                        .messageAttributes(body.attributes()));
                sent.incrementAndGet();
            }
        }, bodies.size());
    }

    /**
     * Receives and deletes until {@code count} messages are deleted; returns messages per second,
     * timed until the last delete (not until the threads' last, empty polls end).
     */
    double drain(String queueUrl, int count, int visibilitySeconds, Countdown deleted) throws InterruptedException {
        var remaining = new AtomicInteger(count);
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            threads.add(Thread.ofPlatform().name("raw-sqs-receiver-" + t).start(() -> {
                try {
                    while (remaining.get() > 0) {
                        List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(queueUrl)
                                .maxNumberOfMessages(BATCH).waitTimeSeconds(1).visibilityTimeout(visibilitySeconds)
                                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT,
                                        MessageSystemAttributeName.MESSAGE_GROUP_ID)
                                .messageAttributeNames("All")).messages();
                        if (messages.isEmpty()) {
                            continue;
                        }
                        List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(messages.size());
                        for (int i = 0; i < messages.size(); i++) {
                            entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i))
                                    .receiptHandle(messages.get(i).receiptHandle()).build());
                        }
                        var response = sqs.deleteMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
                        if (!response.failed().isEmpty()) {
                            throw new IllegalStateException("DeleteMessageBatch failed: " + response.failed());
                        }
                        remaining.addAndGet(-messages.size());
                        for (int i = 0; i < messages.size(); i++) {
                            deleted.tick();
                        }
                    }
                } catch (Throwable e) {
                    remaining.set(0);
                    deleted.fail(new IllegalStateException("a raw receiver failed", e));
                }
            }));
        }
        deleted.await(LIMIT);
        long nanos = System.nanoTime() - start;
        for (Thread thread : threads) {
            thread.join();
        }
        return count / (nanos / 1e9);
    }

    /** Runs {@code work} on every thread at once; returns {@code count} per second until the last ends. */
    private double onThreads(Runnable work, int count) throws InterruptedException {
        var go = new CountDownLatch(1);
        var failure = new AtomicReference<Throwable>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            threads.add(Thread.ofPlatform().name("raw-sqs-sender-" + t).start(() -> {
                try {
                    go.await();
                    work.run();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        long start = System.nanoTime();
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        long nanos = System.nanoTime() - start;
        if (failure.get() != null) {
            throw new IllegalStateException("a raw sender failed", failure.get());
        }
        return count / (nanos / 1e9);
    }
}
