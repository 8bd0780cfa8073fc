package dev.jobq.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.jobq.internal.runtime.HandlerRegistry.Registration;
import java.util.List;
import java.util.Map;
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
    void aTooLongTypeIsRepeatedWithItsControlCharactersEscapedAndNotCutInsideAnEmoji() {
        // its first 60 characters were repeated raw: a newline in a type read from a message or a file started a line
        // of its own in the log, and an emoji straddling the cut left its first half ('\ud83d', '?' in a log)
        assertThatThrownBy(() -> HandlerRegistry.requireType("a\nb\u001b[31m" + "t".repeat(300)))
                .hasMessageStartingWith("job type 'a\\nb\\u001b[31m" + "t".repeat(52) + "…' is 308 characters long");
        assertThatThrownBy(() -> HandlerRegistry.requireType("t".repeat(59) + "\uD83D\uDE00" + "t".repeat(200)))
                .hasMessageStartingWith("job type '" + "t".repeat(59) + "…' is 261 characters long");
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

    /** Two parameters, no annotations: Jackson has no creator for it (the default mapper reads no parameter names). */
    static final class NoCreator {
        final String to;

        NoCreator(String to, int retries) {
            this.to = to + retries;
        }
    }

    interface Notice {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
    @JsonSubTypes(@JsonSubTypes.Type(value = Reminder.class, name = "reminder"))
    interface TypedNotice {
    }

    record Reminder(String text) implements TypedNotice {
    }

    static final class Bean {
        public String to;
    }

    @Test
    void aPayloadTypeJacksonCannotMakeIsRefusedWhenRegistered() {
        var registering = registry.registering(mapper);

        // Registered before, and every job of the type was dead-lettered when its payload was bound.
        assertThatThrownBy(() -> registering.registerJobHandler("email:send", NoCreator.class, (job, context) -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job type 'email:send': its payload type " + NoCreator.class.getName() + " has no "
                        + "constructor Jackson can make it with, so every job of this type would be dead-lettered; "
                        + "make it a record, give it a no-argument constructor, or mark a constructor @JsonCreator "
                        + "with @JsonProperty on its parameters");
        assertThatThrownBy(() -> registering.registerJobHandler("notice:send", Notice.class, (job, context) -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("its payload type " + Notice.class.getName() + " is abstract, and Jackson is "
                        + "not told which class to make; register a concrete class, or name the subtypes");
        assertThat(registry.types()).isEmpty();
    }

    @Test
    void anOptionalPayloadIsRefusedWhenTheMapperCannotReadOptionals() {
        var registering = registry.registering(mapper);

        // Registered before: Jackson refuses Optional only when reading one, so every job of the type was
        // dead-lettered with "Java 8 optional type ... not supported by default".
        assertThatThrownBy(() -> registering.registerJobHandler("email:maybe",
                new TypeReference<java.util.Optional<Email>>() { }, (job, context) -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job type 'email:maybe': its payload type java.util.Optional<" + Email.class.getName()
                        + "> cannot be read by the queue's ObjectMapper without a Jackson module, so every job of "
                        + "this type would be dead-lettered; register the payload class itself "
                        + "(a job without a payload reads as null), or add the module "
                        + "com.fasterxml.jackson.datatype:jackson-datatype-jdk8 to the mapper "
                        + "given to JobQueue.builder().objectMapper(...)");
        assertThatThrownBy(() -> registering.registerJobHandler("count:maybe", java.util.OptionalInt.class,
                (job, context) -> { })).hasMessageContaining("its payload type java.util.OptionalInt cannot be read");
        assertThat(registry.types()).isEmpty();
    }

    @Test
    void aSecondRegistrationOfATypeNamesWhereTheFirstHandlerWasWritten() {
        var registering = registry.registering(mapper);
        registering.registerJobHandler("email:send", Email.class, (job, context) -> { });

        // Said "(dev.jobq.internal.runtime.HandlerRegistryTest$$Lambda/0x000071e0c8001a00)" before.
        assertThatThrownBy(() -> registering.registerJobHandler("email:send", Email.class, (job, context) -> { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("a handler for job type 'email:send' is already registered (a lambda in "
                        + HandlerRegistryTest.class.getName() + ", for payload type " + Email.class.getName()
                        + "); register each type once");
    }

    /** What a team writes to register many handlers alike: the TypeReference is made where T is not known. */
    private static <T> void registerWithHelper(dev.jobq.JobHandlerRegistry registering, String type,
                                               dev.jobq.JobHandler<List<T>> handler) {
        registering.registerJobHandler(type, new TypeReference<List<T>>() { }, handler);
    }

    private static <T> TypeReference<Map<String, List<? extends T>>[]> nested() {
        return new TypeReference<>() { };
    }

    @Test
    void aTypeReferenceWithATypeVariableIsRefusedWhenRegistered() {
        var registering = registry.registering(mapper);

        // Registered before: every job's payload was a list of maps, and the handler failed on each attempt.
        assertThatThrownBy(() -> HandlerRegistryTest.<Email>registerWithHelper(registering, "emails:send",
                (job, context) -> job.payload().getFirst().to()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job type 'emails:send': its payload type java.util.List<T> names the type variable T, "
                        + "which Java erases, so Jackson would read it as java.lang.Object and the handler would get "
                        + "that instead of its payload class; create the TypeReference where the type is known, such "
                        + "as new TypeReference<List<Order>>() { }, and pass it to the generic method");
        assertThatThrownBy(() -> registering.registerJobHandler("batch", HandlerRegistryTest.<Email>nested(),
                (job, context) -> { }, dev.jobq.Backoff.none())).hasMessageContaining("names the type variable T,");
        assertThat(registry.types()).isEmpty();
    }

    @Test
    void payloadTypesJacksonCanMakeAreRegistered() throws Exception {
        var registering = registry.registering(mapper);

        registering.registerJobHandler("a", Email.class, (job, context) -> { });
        registering.registerJobHandler("b", Bean.class, (job, context) -> { });
        registering.registerJobHandler("c", TypedNotice.class, (job, context) -> { });
        registering.registerJobHandler("d", new TypeReference<List<Email>>() { }, (job, context) -> { });
        registering.registerJobHandler("e", String.class, (job, context) -> { });
        registering.registerJobHandler("f", JsonNode.class, (job, context) -> { });
        registering.registerJobHandler("g", Void.class, (job, context) -> { });
        registering.registerJobHandler("h", new TypeReference<Map<String, List<? extends Email>>[]>() { },
                (job, context) -> { });

        // Untyped JSON, on purpose: the handler reads maps, lists and scalars.
        registering.registerJobHandler("i", Object.class, (job, context) -> { });

        assertThat(registry.types()).containsExactlyInAnyOrder("a", "b", "c", "d", "e", "f", "g", "h", "i");
        assertThat(registry.find("i").orElseThrow().readPayload("{\"to\":\"x\"}")).isEqualTo(Map.of("to", "x"));
        assertThat(registry.find("c").orElseThrow().readPayload("{\"@type\":\"reminder\",\"text\":\"hi\"}"))
                .isEqualTo(new Reminder("hi"));
    }

    /**
     * The types in order of their names, as the dead letter of an unknown type lists them ("registered: a, b"): a
     * copy in hash order listed them differently from one run of the JVM to the next.
     */
    @Test
    void typesAreInTheOrderOfTheirNames() {
        var registering = registry.registering(mapper);
        List<String> names = List.of("report:weekly", "email:send", "sms:send", "image:resize", "audit:write",
                "billing:charge", "cache:warm", "zip:pack", "feed:refresh", "push:notify", "index:update", "a");
        for (String name : names) {
            registering.registerJobHandler(name, Void.class, (job, context) -> { });
        }

        assertThat(registry.types()).containsExactlyElementsOf(names.stream().sorted().toList());
    }
}
