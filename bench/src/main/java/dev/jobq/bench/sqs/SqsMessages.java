package dev.jobq.bench.sqs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jobq.JobOptions;
import dev.jobq.bench.memory.SamplePayload;
import dev.jobq.spi.EnvelopeCodec;
import dev.jobq.spi.JobEnvelope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The raw side's messages, made before its clock starts: the very body and attributes the provider
 * sends for a job with the same payload (the wire-format envelope, {@code JobId} and
 * {@code JobType}), so both sides move the same bytes.
 */
final class SqsMessages {

    /** One message as the raw loop sends it. */
    record Body(String json, Map<String, MessageAttributeValue> attributes) {
    }

    private SqsMessages() {
    }

    static List<Body> of(String type, int count) {
        var mapper = new ObjectMapper();
        var codec = new EnvelopeCodec();
        Instant now = Instant.now();
        List<Body> bodies = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String id = UUID.randomUUID().toString();
            var envelope = new JobEnvelope(JobEnvelope.CURRENT_VERSION, id, type, json(mapper, SamplePayload.forJob(i)),
                    JobOptions.defaults(), 0, now, null, null);
            bodies.add(new Body(codec.encode(envelope), Map.of("JobId", string(id), "JobType", string(type))));
        }
        return bodies;
    }

    private static String json(ObjectMapper mapper, Object payload) {
        try {
            return mapper.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MessageAttributeValue string(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }
}
