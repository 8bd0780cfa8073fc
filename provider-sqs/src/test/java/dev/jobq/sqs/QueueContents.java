package dev.jobq.sqs;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Looks into a queue with a plain SDK client, as an operator would. */
final class QueueContents {

    private QueueContents() {
    }

    /** Every message of the queue, visible, delayed or in flight. */
    static long total(String url) {
        Map<QueueAttributeName, String> counts = ElasticMq.client().getQueueAttributes(r -> r.queueUrl(url)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return counts.values().stream().mapToLong(Long::parseLong).sum();
    }

    /** Receives up to ten messages with all their attributes, waiting up to {@code waitSeconds}. */
    static List<Message> receive(String url, int waitSeconds) {
        return ElasticMq.client().receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10)
                .waitTimeSeconds(waitSeconds).visibilityTimeout(30).messageAttributeNames("All")
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
    }

    static String attribute(Message message, String name) {
        var value = message.messageAttributes().get(name);
        return value == null ? null : value.stringValue();
    }
}
