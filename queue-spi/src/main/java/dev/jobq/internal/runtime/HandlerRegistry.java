package dev.jobq.internal.runtime;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.deser.AbstractDeserializer;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBase;
import com.fasterxml.jackson.databind.deser.DefaultDeserializationContext;
import com.fasterxml.jackson.databind.deser.impl.UnsupportedTypeDeserializer;
import com.fasterxml.jackson.databind.util.BeanUtil;
import dev.jobq.Backoff;
import dev.jobq.HandlerOptions;
import dev.jobq.JobHandler;
import dev.jobq.JobHandlerRegistry;
import dev.jobq.JobOptions;
import dev.jobq.spi.UntrustedText;
import java.io.IOException;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/** Handlers by job type, with the payload type they bind to and the type's own defaults. Thread-safe. */
public final class HandlerRegistry {

    /** Why null {@link HandlerOptions} are refused, by a queue and by {@code jobq config check} alike. */
    static final String NULL_OPTIONS = "options must not be null; pass HandlerOptions.defaults() for none";

    /**
     * One handler. {@code payloadReader} reads {@code payloadType} with the queue's mapper, made once
     * here: {@code ObjectMapper.readValue} set up its reading context anew for every job.
     * {@code nullReadsAsNull}: whether that reader turns the JSON {@code null} into null, as it does
     * for most types (not for {@code JsonNode}, nor {@code Optional} with Jackson's Jdk8Module).
     */
    public record Registration(String type, JavaType payloadType, ObjectReader payloadReader, boolean nullReadsAsNull,
            JobHandler<Object> handler, HandlerOptions options) {

        /** The type's own retry backoff, or null for the worker's. */
        public @Nullable Backoff backoff() {
            return options.backoff();
        }

        /**
         * The payload of {@code json}. A job enqueued without a payload carries {@code null}: where
         * the reader makes null of it, that is answered without a parser, which cost more than the
         * rest of such a job (docs/benchmarks.md, B1).
         */
        public @Nullable Object readPayload(String json) throws IOException {
            if (nullReadsAsNull && NULL_JSON.equals(json)) {
                return null;
            }
            return payloadReader.readValue(json);
        }
    }

    /** The JSON of a job enqueued without a payload. */
    private static final String NULL_JSON = "null";
    /** The module Jackson names when it refuses a type it needs one for. */
    private static final Pattern MODULE_NAMED = Pattern.compile("add Module \"([^\"]+)\"");

    private final ConcurrentHashMap<String, Registration> byType = new ConcurrentHashMap<>();

    @SuppressWarnings("unchecked")
    public void register(String type, JavaType payloadType, ObjectReader payloadReader, JobHandler<?> handler,
            HandlerOptions options) {
        requireType(type);
        var registration = new Registration(type, payloadType, payloadReader, nullReadsAsNull(payloadReader),
                (JobHandler<Object>) handler, options);
        Registration previous = byType.putIfAbsent(type, registration);
        if (previous != null) {
            throw new IllegalStateException("a handler for job type '" + type + "' is already registered ("
                    + UserCode.describe(previous.handler()) + ", for payload type "
                    + previous.payloadType().toCanonical() + "); register each type once");
        }
    }

    /**
     * Refuses a type no enqueue takes: blank, longer than {@link Enqueuer#MAX_TYPE} or with a control character, whose
     * every enqueue would be refused, so refused at registration, before the application runs, in enqueue's words.
     * Checked before the rest of a registration, which would otherwise refuse it for its options or payload type as
     * "job type ' '".
     */
    public static void requireType(@Nullable String type) {
        if (type == null || type.isBlank()) {
            throw Enqueuer.blankType(type);
        }
        if (type.length() > Enqueuer.MAX_TYPE) {
            throw Enqueuer.typeTooLong(type);
        }
        if (Enqueuer.hasControlCharacter(type)) {
            throw Enqueuer.typeWithControlCharacter(type);
        }
    }

    /**
     * Refuses {@link HandlerOptions} whose queue is not one of {@code configured}: each enqueue of the type would be
     * refused. A queue checks it before it registers; {@code jobq config check}, through
     * {@link #registering(Collection, Path)}, with the same words.
     *
     * @param configFile the config file read, named as the one to add the queue to (it said jobq.yaml whatever file
     *                   was read); null when none was
     */
    public static void requireConfiguredQueue(String type, HandlerOptions options, Collection<String> configured,
                                              @Nullable Path configFile) {
        String queue = options.queue();
        if (queue != null && !configured.contains(queue)) {
            throw new IllegalArgumentException("job type '" + UntrustedText.escape(type) + "': its default queue "
                    + UntrustedText.singleQuote(queue, JobOptions.MAX_QUEUE_NAME) + " is not configured "
                    + "(configured: " + UntrustedText.escape(String.join(", ", configured)) + "); add it under "
                    + "'queues:' in " + Enqueuer.fileToEdit(configFile)
                    + " or with JobQueue.builder().queue(...), or name a configured one");
        }
    }

    /**
     * The user's view of this registry: {@link JobHandlerRegistry}'s overloads, each payload type bound
     * with {@code mapper}. A queue registers through it, checking the options' queue itself first.
     */
    public JobHandlerRegistry registering(ObjectMapper mapper) {
        return new Registering(Objects.requireNonNull(mapper, "mapper"), null, null);
    }

    /**
     * As a queue of {@code queues} built without an {@code objectMapper(...)} registers: payload types read with a
     * queue's default mapper (java.time included), options refused whose queue is not one of {@code queues}. {@code
     * jobq config check} registers through it, and so refuses what {@code jobq run} refuses, with the same words:
     * {@code configFile} is the file that configured {@code queues}, or null.
     */
    public JobHandlerRegistry registering(Collection<String> queues, @Nullable Path configFile) {
        return new Registering(JobQueueRuntime.defaultMapper(), List.copyOf(queues), configFile);
    }

    public Optional<Registration> find(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    /** The job types with a handler, in the order of their names (a dead letter's "registered: a, b" lists them). */
    public Set<String> types() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(byType.keySet()));
    }

    /**
     * The first type variable {@code type} names, if any: Java erases it from a {@code TypeReference} made inside a
     * generic method, and Jackson reads it as its bound. Also refused by {@code EnqueuedJobs.payloads}.
     */
    public static Optional<TypeVariable<?>> typeVariableIn(Type type) {
        if (type instanceof TypeVariable<?> variable) {
            return Optional.of(variable);
        }
        Stream<Type> inner = switch (type) {
            case ParameterizedType parameterized -> Arrays.stream(parameterized.getActualTypeArguments());
            case GenericArrayType array -> Stream.of(array.getGenericComponentType());
            case WildcardType wildcard -> Stream.concat(Arrays.stream(wildcard.getUpperBounds()),
                    Arrays.stream(wildcard.getLowerBounds()));
            default -> Stream.empty();
        };
        return inner.map(HandlerRegistry::typeVariableIn).flatMap(Optional::stream).findFirst();
    }

    private static boolean nullReadsAsNull(ObjectReader reader) {
        try {
            return reader.readValue(NULL_JSON) == null;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private final class Registering implements JobHandlerRegistry {

        private final ObjectMapper mapper;
        /** The configured queues options may name; null where the caller checks that itself (a queue). */
        private final @Nullable List<String> queues;
        private final @Nullable Path configFile;

        Registering(ObjectMapper mapper, @Nullable List<String> queues, @Nullable Path configFile) {
            this.mapper = mapper;
            this.queues = queues;
            this.configFile = configFile;
        }

        @Override
        public <T> void registerJobHandler(String type, Class<T> payloadType, JobHandler<T> handler) {
            registerJobHandler(type, payloadType, handler, HandlerOptions.defaults());
        }

        @Override
        public <T> void registerJobHandler(String type, TypeReference<T> payloadType, JobHandler<T> handler) {
            registerJobHandler(type, payloadType, handler, HandlerOptions.defaults());
        }

        @Override
        public <T> void registerJobHandler(String type, Class<T> payloadType, JobHandler<T> handler,
                                           HandlerOptions options) {
            requireType(type);
            requireQueue(type, options);
            add(type, mapper.constructType(Objects.requireNonNull(payloadType, "payloadType")), handler, options);
        }

        @Override
        public <T> void registerJobHandler(String type, TypeReference<T> payloadType, JobHandler<T> handler,
                                           HandlerOptions options) {
            requireType(type);
            requireQueue(type, options);
            add(type, construct(type, payloadType), handler, options);
        }

        private void requireQueue(String type, HandlerOptions options) {
            Objects.requireNonNull(options, NULL_OPTIONS);
            if (queues != null) {
                requireConfiguredQueue(type, options, queues, configFile);
            }
        }

        @Override
        public Set<String> registeredTypes() {
            return types();
        }

        /**
         * The type {@code reference} names, refused when it names a type variable: a TypeReference made
         * inside a generic method ({@code new TypeReference<List<T>>() { }}) compiles without a warning,
         * but Java erases {@code T}, Jackson reads it as its bound (maps, for {@code Object}), and every
         * job of the type failed in its handler with a ClassCastException, attempt after attempt.
         */
        private JavaType construct(String type, TypeReference<?> reference) {
            Type named = Objects.requireNonNull(reference, "payloadType").getType();
            Optional<TypeVariable<?>> variable = typeVariableIn(named);
            if (variable.isPresent()) {
                throw new IllegalArgumentException("job type '" + type + "': its payload type " + named.getTypeName()
                        + " names the type variable " + variable.get().getName() + ", which Java erases, so Jackson "
                        + "would read it as " + mapper.constructType(variable.get()).toCanonical() + " and the handler "
                        + "would get that instead of its payload class; create the TypeReference where the type is "
                        + "known, such as new TypeReference<List<Order>>() { }, and pass it to the generic method");
            }
            return mapper.constructType(reference);
        }

        private void add(String type, JavaType payloadType, JobHandler<?> handler, HandlerOptions options) {
            Objects.requireNonNull(handler, "handler");
            requireReadable(type, payloadType);
            register(type, payloadType, mapper.readerFor(payloadType), handler, options);
        }

        /**
         * Refuses a payload type the mapper can never make from JSON: otherwise the handler registers,
         * and every job of its type is dead-lettered when its payload is bound.
         */
        private void requireReadable(String type, JavaType payloadType) {
            JsonDeserializer<Object> deserializer;
            try {
                deserializer = ((DefaultDeserializationContext) mapper.getDeserializationContext())
                        .createDummyInstance(mapper.getDeserializationConfig()).findRootValueDeserializer(payloadType);
            } catch (JsonMappingException e) {
                throw new IllegalArgumentException("job type '" + type + "': its payload type " + describe(payloadType)
                        + " cannot be read from JSON (" + e.getOriginalMessage() + "); fix the type, or register a "
                        + "Jackson module for it on the mapper given to JobQueue.builder().objectMapper(...)", e);
            }
            if (deserializer instanceof UnsupportedTypeDeserializer) {
                throw new IllegalArgumentException("job type '" + type + "': its payload type " + describe(payloadType)
                        + " cannot be read by the queue's ObjectMapper without a Jackson module, so every job of this "
                        + "type would be dead-lettered; " + (isOptional(payloadType) ? "register the payload class "
                        + "itself (a job without a payload reads as null), or " : "") + "add the module "
                        + moduleFor(payloadType) + " to the mapper given to JobQueue.builder().objectMapper(...)");
            }
            boolean noCreator = deserializer instanceof BeanDeserializerBase bean
                    && !bean.getValueInstantiator().canInstantiate();
            if (noCreator || deserializer instanceof AbstractDeserializer) {
                throw new IllegalArgumentException("job type '" + type + "': its payload type " + describe(payloadType)
                        + (payloadType.isAbstract() ? " is abstract, and Jackson is not told which class to make; "
                                + "register a concrete class, or name the subtypes with @JsonTypeInfo/@JsonSubTypes"
                                : " has no constructor Jackson can make it with, so every job of this type would be "
                                + "dead-lettered; make it a record, give it a no-argument constructor, or mark a "
                                + "constructor @JsonCreator with @JsonProperty on its parameters"));
            }
        }

        /**
         * The module Jackson asks for: it makes a deserializer for {@code Optional} (or a Joda type) that
         * fails only when a payload is read, so registration would otherwise accept the type.
         */
        private String moduleFor(JavaType payloadType) {
            String why = BeanUtil.checkUnsupportedType(mapper.getDeserializationConfig(), payloadType);
            Matcher module = MODULE_NAMED.matcher(why == null ? "" : why);
            return module.find() ? module.group(1) : "that reads it (Jackson: " + why + ")";
        }

        private static boolean isOptional(JavaType payloadType) {
            return payloadType.getRawClass().getName().startsWith("java.util.Optional");
        }

        private static String describe(JavaType payloadType) {
            return payloadType.hasGenericTypes() ? payloadType.toCanonical() : payloadType.getRawClass().getName();
        }
    }
}
