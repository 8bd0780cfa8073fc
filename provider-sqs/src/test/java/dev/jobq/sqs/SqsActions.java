package dev.jobq.sqs;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;

/**
 * The SQS actions every client of the test JVM calls, by queue: an SDK interceptor loaded from
 * {@code software/amazon/awssdk/global/handlers/execution.interceptors}, recording only queues whose
 * name starts with a {@linkplain #watch watched} prefix. A call is named by the IAM action that
 * authorizes it: a batch call by its single-message name ({@code SendMessageBatch} is
 * {@code sqs:SendMessage}), as AWS authorizes it. The seconds of each visibility change asked of such a queue
 * (single or batched, in the order the calls went out) are recorded too.
 */
public final class SqsActions implements ExecutionInterceptor {

    private static final Map<String, Map<String, Set<String>>> WATCHED = new ConcurrentHashMap<>();
    private static final Map<String, Map<String, List<Integer>>> VISIBILITY = new ConcurrentHashMap<>();

    /** Starts recording calls on queues whose name starts with {@code prefix}. */
    static void watch(String prefix) {
        WATCHED.put(prefix, new ConcurrentHashMap<>());
        VISIBILITY.put(prefix, new ConcurrentHashMap<>());
    }

    /** The actions called so far on each queue (by name) of {@code prefix}. */
    static Map<String, Set<String>> calls(String prefix) {
        Map<String, Set<String>> copy = new ConcurrentHashMap<>();
        WATCHED.get(prefix).forEach((queue, actions) -> copy.put(queue, new java.util.TreeSet<>(actions)));
        return copy;
    }

    /** The seconds of the visibility changes asked so far of the queue named {@code queue}, of {@code prefix}. */
    static List<Integer> visibilityChanges(String prefix, String queue) {
        return List.copyOf(VISIBILITY.get(prefix).getOrDefault(queue, List.of()));
    }

    static void forget(String prefix) {
        WATCHED.remove(prefix);
        VISIBILITY.remove(prefix);
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        SdkRequest request = context.request();
        String queue = request.getValueForField("QueueName", String.class)
                .or(() -> request.getValueForField("QueueUrl", String.class)
                        .map(url -> url.substring(url.lastIndexOf('/') + 1)))
                .orElse(null);
        if (queue == null) {
            return;
        }
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        String action = "sqs:" + (operation.endsWith("Batch") ? operation.substring(0, operation.length() - 5) : operation);
        WATCHED.forEach((prefix, queues) -> {
            if (queue.startsWith(prefix)) {
                queues.computeIfAbsent(queue, q -> ConcurrentHashMap.newKeySet()).add(action);
            }
        });
        List<Integer> seconds = switch (request) {
            case ChangeMessageVisibilityBatchRequest batch -> batch.entries().stream()
                    .map(ChangeMessageVisibilityBatchRequestEntry::visibilityTimeout).toList();
            case ChangeMessageVisibilityRequest single -> List.of(single.visibilityTimeout());
            default -> List.of();
        };
        if (!seconds.isEmpty()) {
            VISIBILITY.forEach((prefix, queues) -> {
                if (queue.startsWith(prefix)) {
                    queues.computeIfAbsent(queue, q -> new CopyOnWriteArrayList<>()).addAll(seconds);
                }
            });
        }
    }
}
