package dev.jobq.sqs;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesResponse;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * Batch entries that SQS fails, for failures ElasticMQ never produces (an {@code InternalError} for
 * one entry of a batch the rest of which succeeded). An SDK interceptor, loaded by every client of
 * the test JVM from {@code software/amazon/awssdk/global/handlers/execution.interceptors}, but
 * acting only on queues a test {@linkplain #arm armed}: it takes the faulted entries out of the
 * request, so that ElasticMQ never sees them (a failed send stores nothing, a failed delete deletes
 * nothing), and adds them to the response's failed entries with the armed code. A batch all of whose
 * entries are faulted goes to a scratch queue instead, whose answer is replaced. Every batch call on
 * an armed queue is recorded, with its entry count and time.
 */
public final class BatchEntryFaults implements ExecutionInterceptor {

    /** Which entries fail, how, and how many more times. */
    record Fault(String operation, Predicate<Object> entry, String code, boolean senderFault, AtomicInteger remaining) {
    }

    /** One batch call that reached the interceptor: its operation, entries sent on, entries faulted, when. */
    record Call(String operation, int entries, int faulted, long nanos) {
    }

    private static final Map<String, Armed> ARMED = new ConcurrentHashMap<>();
    /** The MaximumMessageSize each queue URL answers, as SQS does (ElasticMQ neither keeps nor answers one). */
    private static final Map<String, Integer> MAXIMUM_MESSAGE_SIZES = new ConcurrentHashMap<>();
    /** The RedrivePolicy each queue URL answers, for policies ElasticMQ refuses to keep. */
    private static final Map<String, String> REDRIVE_POLICIES = new ConcurrentHashMap<>();
    /** Queue attributes each queue URL answers as written, whatever they are: a server or proxy that is not SQS. */
    private static final Map<String, Map<QueueAttributeName, String>> ATTRIBUTES = new ConcurrentHashMap<>();
    /** The ApproximateReceiveCount each queue URL's received messages carry, as written. */
    private static final Map<String, String> RECEIVE_COUNTS = new ConcurrentHashMap<>();
    /** The error message each queue's GetQueueAttributes calls are answered with ({@link #answerAttributesWithError}). */
    private static final Map<String, String> ATTRIBUTE_ERRORS = new ConcurrentHashMap<>();
    /** The message id each queue's ReceiveMessage answers are made to carry ({@link #reportMessageId}). */
    private static final Map<String, String> MESSAGE_IDS = new ConcurrentHashMap<>();
    /** For each queue URL armed, the receipt handle of a copy of each message its next receive answers twice. */
    private static final Map<String, java.util.function.UnaryOperator<String>> DUPLICATES = new ConcurrentHashMap<>();
    /**
     * For each queue URL armed, the messages of its first receive that got some (empty until then), answered again,
     * with the same receipt handles, in the receive after it.
     */
    private static final Map<String, List<software.amazon.awssdk.services.sqs.model.Message>> REPLAYS =
            new ConcurrentHashMap<>();
    private static final ExecutionAttribute<Map<String, Fault>> FAULTED = new ExecutionAttribute<>("jobq-faulted");

    private record Armed(String scratchUrl, List<Fault> faults, List<Call> calls, List<Hold> holds) {
    }

    /**
     * One batch call held in the interceptor, on its caller's thread, until the test lets it go: a call a test
     * needs on the wire while it does something else.
     */
    record Hold(String operation, Predicate<Object> entry, CountDownLatch reached, CountDownLatch released) {

        /** Waits up to 30 s for the held call to arrive. */
        void awaitReached() throws InterruptedException {
            if (!reached.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("no " + operation + " call matching the hold came within 30 s");
            }
        }

        /** Lets the held call go on to ElasticMQ. */
        void release() {
            released.countDown();
        }
    }

    /** Starts recording batch calls on {@code queueUrl}; faulted entries that must go somewhere go to {@code scratchUrl}. */
    static void watch(String queueUrl, String scratchUrl) {
        ARMED.put(queueUrl, new Armed(scratchUrl, new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>(),
                new CopyOnWriteArrayList<>()));
    }

    /**
     * Holds the next {@code operation} call on a {@linkplain #watch watched} queue that has an entry matching
     * {@code entry} before it is sent, until {@link Hold#release()} (or 30 s); entries are faulted after that.
     */
    static Hold hold(String queueUrl, String operation, Predicate<Object> entry) {
        var hold = new Hold(operation, entry, new CountDownLatch(1), new CountDownLatch(1));
        ARMED.get(queueUrl).holds().add(hold);
        return hold;
    }

    /**
     * Fails the next {@code times} entries of {@code operation} (SendMessageBatch, DeleteMessageBatch,
     * ChangeMessageVisibilityBatch) on a {@linkplain #watch watched} queue that match {@code entry}.
     */
    static void arm(String queueUrl, String operation, Predicate<Object> entry, String code, boolean senderFault,
                    int times) {
        ARMED.get(queueUrl).faults().add(new Fault(operation, entry, code, senderFault, new AtomicInteger(times)));
    }

    /** Stops failing entries on {@code queueUrl}; its calls are still recorded. */
    static void disarm(String queueUrl) {
        ARMED.get(queueUrl).faults().clear();
    }

    /**
     * Makes {@code GetQueueAttributes} of {@code queueUrl} answer a {@code MaximumMessageSize} of {@code bytes}, as
     * every SQS queue does: ElasticMQ takes the attribute at creation but answers none. Limits nothing.
     */
    static void reportMaximumMessageSize(String queueUrl, int bytes) {
        MAXIMUM_MESSAGE_SIZES.put(queueUrl, bytes);
    }

    /**
     * Makes {@code GetQueueAttributes} of {@code queueUrl} answer {@code policy} as its {@code RedrivePolicy}, as
     * another server or a hand-set policy may: ElasticMQ refuses one whose numbers it cannot read. Moves nothing.
     */
    static void reportRedrivePolicy(String queueUrl, String policy) {
        REDRIVE_POLICIES.put(queueUrl, policy);
    }

    /**
     * Makes {@code GetQueueAttributes} of {@code queueUrl} answer {@code value} as its attribute {@code name}, as a
     * server or a proxy that is not SQS may: a value SQS never answers (not a number, say). Changes nothing else.
     */
    static void reportAttribute(String queueUrl, QueueAttributeName name, String value) {
        ATTRIBUTES.computeIfAbsent(queueUrl, url -> new ConcurrentHashMap<>()).put(name, value);
    }

    /**
     * Makes the messages {@code ReceiveMessage} of {@code queueUrl} answers carry {@code count} as their
     * {@code ApproximateReceiveCount}, as a server or a proxy that is not SQS may.
     */
    static void reportReceiveCount(String queueUrl, String count) {
        RECEIVE_COUNTS.put(queueUrl, count);
    }

    /**
     * Makes each {@code GetQueueAttributes} of {@code queueUrl} fail as SQS answering an error with {@code message}
     * would, as a server or a proxy that is not SQS may word it.
     */
    static void answerAttributesWithError(String queueUrl, String message) {
        ATTRIBUTE_ERRORS.put(queueUrl, message);
    }

    /**
     * Makes the messages {@code ReceiveMessage} of {@code queueUrl} answers carry {@code id} as their message id, as a
     * server or a proxy that is not SQS may.
     */
    static void reportMessageId(String queueUrl, String id) {
        MESSAGE_IDS.put(queueUrl, id);
    }

    /**
     * Makes the next {@code ReceiveMessage} of {@code queueUrl} that gets messages answer each of them twice in its
     * batch, as an at-least-once server may: first a copy with the receipt handle {@code earlierReceipt} makes of
     * the message's, then the message as received.
     */
    static void duplicateNextReceive(String queueUrl, java.util.function.UnaryOperator<String> earlierReceipt) {
        DUPLICATES.put(queueUrl, earlierReceipt);
    }

    /**
     * Makes the next {@code ReceiveMessage} of {@code queueUrl} that gets messages be answered again in the receive
     * after it, each message with the same receipt handle, as a server or proxy that replays an answer may.
     */
    static void answerAgainInNextReceive(String queueUrl) {
        REPLAYS.put(queueUrl, List.of());
    }

    static List<Call> calls(String queueUrl) {
        return List.copyOf(ARMED.get(queueUrl).calls());
    }

    static void forget(String queueUrl) {
        ARMED.remove(queueUrl);
        REPLAYS.remove(queueUrl);
    }

    /** Whether a send entry's body contains {@code text}. */
    static Predicate<Object> bodyContains(String text) {
        return e -> e instanceof SendMessageBatchRequestEntry send && send.messageBody().contains(text);
    }

    static Predicate<Object> any() {
        return e -> true;
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        SdkRequest request = context.request();
        if (request instanceof SendMessageBatchRequest send && ARMED.get(send.queueUrl()) instanceof Armed armed) {
            var kept = keep(armed, "SendMessageBatch", send.entries(), SendMessageBatchRequestEntry::id, attributes);
            return kept.isEmpty() ? send.toBuilder().queueUrl(armed.scratchUrl()).build()
                    : send.toBuilder().entries(kept).build();
        }
        if (request instanceof DeleteMessageBatchRequest delete && ARMED.get(delete.queueUrl()) instanceof Armed armed) {
            var kept = keep(armed, "DeleteMessageBatch", delete.entries(), DeleteMessageBatchRequestEntry::id, attributes);
            return kept.isEmpty() ? delete.toBuilder().queueUrl(armed.scratchUrl()).build()
                    : delete.toBuilder().entries(kept).build();
        }
        if (request instanceof ChangeMessageVisibilityBatchRequest change
                && ARMED.get(change.queueUrl()) instanceof Armed armed) {
            var kept = keep(armed, "ChangeMessageVisibilityBatch", change.entries(),
                    ChangeMessageVisibilityBatchRequestEntry::id, attributes);
            return kept.isEmpty() ? change.toBuilder().queueUrl(armed.scratchUrl()).build()
                    : change.toBuilder().entries(kept).build();
        }
        return request;
    }

    private static <E> List<E> keep(Armed armed, String operation, List<E> entries,
                                    Function<E, String> id, ExecutionAttributes attributes) {
        for (Hold hold : armed.holds()) {
            if (hold.operation().equals(operation) && entries.stream().anyMatch(hold.entry())
                    && armed.holds().remove(hold)) {
                hold.reached().countDown();
                try {
                    hold.released().await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        Map<String, Fault> faulted = new HashMap<>();
        List<E> kept = new ArrayList<>();
        for (E entry : entries) {
            Fault fault = armed.faults().stream().filter(f -> f.operation().equals(operation) && f.entry().test(entry)
                    && f.remaining().getAndUpdate(n -> Math.max(0, n - 1)) > 0).findFirst().orElse(null);
            if (fault != null) {
                faulted.put(id.apply(entry), fault);
            } else {
                kept.add(entry);
            }
        }
        attributes.putAttribute(FAULTED, faulted);
        armed.calls().add(new Call(operation, entries.size(), faulted.size(), System.nanoTime()));
        return kept;
    }

    /** A GetQueueAttributes {@linkplain #answerAttributesWithError armed} is answered a 400: SQS's error status. */
    @Override
    public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        return context.request() instanceof GetQueueAttributesRequest asked
                && ATTRIBUTE_ERRORS.containsKey(asked.queueUrl())
                ? context.httpResponse().toBuilder().statusCode(400).build() : context.httpResponse();
    }

    /** ...and its body is SQS's error, {@code __type} and {@code message}, the message as armed. */
    @Override
    public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
                                                           ExecutionAttributes attributes) {
        if (context.request() instanceof GetQueueAttributesRequest asked
                && ATTRIBUTE_ERRORS.get(asked.queueUrl()) instanceof String message) {
            StringBuilder json = new StringBuilder("{\"__type\":\"com.amazonaws.sqs#Forged\",\"message\":\"");
            message.chars().forEach(c -> json.append(c == '"' || c == '\\' || c < 0x20
                    ? String.format("\\u%04x", c) : String.valueOf((char) c)));
            return Optional.of(new ByteArrayInputStream(json.append("\"}").toString().getBytes(StandardCharsets.UTF_8)));
        }
        return context.responseBody();
    }

    @Override
    public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
        if (context.response() instanceof GetQueueAttributesResponse answer
                && context.request() instanceof GetQueueAttributesRequest asked
                && MAXIMUM_MESSAGE_SIZES.get(asked.queueUrl()) instanceof Integer bytes
                && (asked.attributeNames().contains(QueueAttributeName.ALL)
                        || asked.attributeNames().contains(QueueAttributeName.MAXIMUM_MESSAGE_SIZE))) {
            var reported = new java.util.HashMap<>(answer.attributes());
            reported.put(QueueAttributeName.MAXIMUM_MESSAGE_SIZE, Integer.toString(bytes));
            return answer.toBuilder().attributes(reported).build();
        }
        if (context.response() instanceof GetQueueAttributesResponse answer
                && context.request() instanceof GetQueueAttributesRequest asked
                && REDRIVE_POLICIES.get(asked.queueUrl()) instanceof String policy
                && (asked.attributeNames().contains(QueueAttributeName.ALL)
                        || asked.attributeNames().contains(QueueAttributeName.REDRIVE_POLICY))) {
            var reported = new java.util.HashMap<>(answer.attributes());
            reported.put(QueueAttributeName.REDRIVE_POLICY, policy);
            return answer.toBuilder().attributes(reported).build();
        }
        if (context.response() instanceof GetQueueAttributesResponse answer
                && context.request() instanceof GetQueueAttributesRequest asked
                && ATTRIBUTES.get(asked.queueUrl()) instanceof Map<QueueAttributeName, String> written) {
            var reported = new java.util.HashMap<>(answer.attributes());
            written.forEach((name, value) -> {
                if (asked.attributeNames().contains(QueueAttributeName.ALL) || asked.attributeNames().contains(name)) {
                    reported.put(name, value);
                }
            });
            return answer.toBuilder().attributes(reported).build();
        }
        if (context.response() instanceof ReceiveMessageResponse answer
                && context.request() instanceof ReceiveMessageRequest asked
                && MESSAGE_IDS.get(asked.queueUrl()) instanceof String id) {
            return answer.toBuilder().messages(answer.messages().stream()
                    .map(message -> message.toBuilder().messageId(id).build()).toList()).build();
        }
        if (context.response() instanceof ReceiveMessageResponse answer
                && context.request() instanceof ReceiveMessageRequest asked
                && RECEIVE_COUNTS.get(asked.queueUrl()) instanceof String count) {
            return answer.toBuilder().messages(answer.messages().stream().map(message -> {
                var reported = new java.util.HashMap<>(message.attributes());
                reported.put(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, count);
                return message.toBuilder().attributes(reported).build();
            }).toList()).build();
        }
        if (context.response() instanceof ReceiveMessageResponse answer
                && context.request() instanceof ReceiveMessageRequest asked
                && REPLAYS.get(asked.queueUrl()) instanceof List<software.amazon.awssdk.services.sqs.model.Message> earlier) {
            if (earlier.isEmpty()) {
                if (!answer.messages().isEmpty()) {
                    REPLAYS.put(asked.queueUrl(), List.copyOf(answer.messages()));
                }
                return answer;
            }
            REPLAYS.remove(asked.queueUrl());
            List<software.amazon.awssdk.services.sqs.model.Message> again = new ArrayList<>(answer.messages());
            again.addAll(earlier);
            return answer.toBuilder().messages(again).build();
        }
        if (context.response() instanceof ReceiveMessageResponse answer && !answer.messages().isEmpty()
                && context.request() instanceof ReceiveMessageRequest asked
                && DUPLICATES.remove(asked.queueUrl()) instanceof java.util.function.UnaryOperator<String> earlier) {
            List<software.amazon.awssdk.services.sqs.model.Message> twice = new ArrayList<>();
            answer.messages().forEach(message -> {
                twice.add(message.toBuilder().receiptHandle(earlier.apply(message.receiptHandle())).build());
                twice.add(message);
            });
            return answer.toBuilder().messages(twice).build();
        }
        Map<String, Fault> faulted = attributes.getAttribute(FAULTED);
        if (faulted == null || faulted.isEmpty()) {
            return context.response();
        }
        List<BatchResultErrorEntry> errors = new ArrayList<>();
        faulted.forEach((id, fault) -> errors.add(BatchResultErrorEntry.builder().id(id).code(fault.code())
                .senderFault(fault.senderFault()).message("injected by the test's BatchEntryFaults").build()));
        SdkResponse response = context.response();
        if (response instanceof SendMessageBatchResponse send) {
            return send.toBuilder().successful(send.successful().stream().filter(e -> !faulted.containsKey(e.id())).toList())
                    .failed(merge(send.failed(), faulted, errors)).build();
        }
        if (response instanceof DeleteMessageBatchResponse delete) {
            return delete.toBuilder().successful(delete.successful().stream().filter(e -> !faulted.containsKey(e.id()))
                    .toList()).failed(merge(delete.failed(), faulted, errors)).build();
        }
        if (response instanceof ChangeMessageVisibilityBatchResponse change) {
            return change.toBuilder().successful(change.successful().stream().filter(e -> !faulted.containsKey(e.id()))
                    .toList()).failed(merge(change.failed(), faulted, errors)).build();
        }
        return response;
    }

    private static List<BatchResultErrorEntry> merge(List<BatchResultErrorEntry> failed, Map<String, Fault> faulted,
                                                     List<BatchResultErrorEntry> errors) {
        List<BatchResultErrorEntry> all = new ArrayList<>(failed.stream().filter(e -> !faulted.containsKey(e.id())).toList());
        all.addAll(errors);
        return all;
    }
}
