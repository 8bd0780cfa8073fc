package dev.jobq.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.jobq.internal.runtime.HandlerRegistry.Registration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A registration reads a job's payload as its mapper would. A job without a payload ({@code null})
 * skips the parser only where the mapper's answer is null too; these pin that the answer is the
 * mapper's for every kind of type.
 */
class HandlerRegistryTest {

    private final ObjectMapper mapper = JobQueueRuntime.defaultMapper();
    private final HandlerRegistry registry = new HandlerRegistry();

    record Email(String to) {
    }

    private Registration registered(JavaType type) {
        String name = "job:" + type.toCanonical();
        registry.register(name, type, mapper.readerFor(type), (job, context) -> { }, null);
        return registry.find(name).orElseThrow();
    }

    @Test
    void aMissingPayloadIsNullForTypesWhoseReaderMakesNullOfIt() throws Exception {
        for (JavaType type : List.of(mapper.constructType(Void.class), mapper.constructType(Email.class),
                mapper.constructType(String.class), mapper.constructType(new TypeReference<List<Email>>() { }))) {
            Registration registration = registered(type);

            assertThat(registration.nullReadsAsNull()).as("%s", type).isTrue();
            assertThat(registration.readPayload("null")).as("%s", type).isNull();
        }
    }

    @Test
    void aMissingPayloadIsWhatTheReaderMakesOfNullForTheOthers() throws Exception {
        Registration tree = registered(mapper.constructType(JsonNode.class));
        Registration number = registered(mapper.constructType(int.class));

        assertThat(tree.nullReadsAsNull()).isFalse();
        assertThat(tree.readPayload("null")).isEqualTo(NullNode.getInstance());
        assertThat(number.nullReadsAsNull()).isFalse();
        assertThat(number.readPayload("null")).isEqualTo(0);
    }

    @Test
    void aPayloadIsReadByTheRegistrationsReader() throws Exception {
        Registration email = registered(mapper.constructType(Email.class));

        assertThat(email.readPayload("{\"to\":\"user@example.com\"}")).isEqualTo(new Email("user@example.com"));
    }
}
