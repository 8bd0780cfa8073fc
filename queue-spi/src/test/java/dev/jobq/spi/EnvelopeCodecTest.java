package dev.jobq.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jobq.JobOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("EnvelopeCodec")
class EnvelopeCodecTest {

    private static final Instant CREATED = Instant.parse("2026-11-23T10:00:00Z");

    private final EnvelopeCodec codec = new EnvelopeCodec();

    private static JobEnvelope envelope(String payloadJson) {
        return new JobEnvelope(1, "0193a1f0-0000-7000-8000-000000000001", "email:send", payloadJson,
                JobOptions.defaults(), 0, CREATED, null, null);
    }

    @Nested
    @DisplayName("writing a received job again")
    class EncodingAgain {

        @Test
        @DisplayName("a version-1 body keeps what this jobq does not know, and only its attempt changes")
        void keepsUnknownFieldsOfVersionOne() {
            String received = "{\"envelopeVersion\":1, \"jobId\":\"j\",\"type\":\"t\",\"payload\":{\"n\":1.50},"
                    + "\"options\":{\"maxAttempts\":5,\"backoffMs\":[1,2]},\"attempt\": 0 ,\"tenant\":{\"attempt\":9},"
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\"}";
            JobEnvelope read = codec.decode(received);

            String again = codec.encodeAgain(read.withAttempt(2), received);

            assertThat(again).isEqualTo(received.replace("\"attempt\": 0 ,", "\"attempt\": 2 ,"));
            assertThat(codec.decode(again)).isEqualTo(read.withAttempt(2));
        }

        @Test
        @DisplayName("a version-1 body without an attempt gets one")
        void addsTheAttemptWhenAbsent() {
            String received = " {\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",\"createdAt\":\"2026-11-23T10:00:00Z\","
                    + "\"future\":true}";
            JobEnvelope read = codec.decode(received);

            String again = codec.encodeAgain(read.withAttempt(1), received);

            assertThat(again).isEqualTo(" {\"attempt\":1,\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\","
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\",\"future\":true}");
            assertThat(codec.decode(again)).isEqualTo(read.withAttempt(1));
        }

        @Test
        @DisplayName("a version-0 (ChaasKit) body is written as version 1")
        void writesVersionZeroAsVersionOne() {
            String received = "{\"jobId\":\"j\",\"type\":\"t\",\"options\":{\"maxRetries\":5},\"attempts\":0,"
                    + "\"createdAt\":\"2026-11-23T10:00:00.000Z\"}";
            JobEnvelope read = codec.decode(received);

            assertThat(codec.encodeAgain(read.withAttempt(1), received)).isEqualTo(codec.encode(read.withAttempt(1)));
        }
    }

    @Nested
    @DisplayName("writing version 1")
    class Encoding {

        @Test
        void writesTheDocumentedJsonExactly() {
            String json = codec.encode(envelope("{\"to\":\"user@example.com\"}"));

            assertThat(json).isEqualTo("{\"envelopeVersion\":1,\"jobId\":\"0193a1f0-0000-7000-8000-000000000001\","
                    + "\"type\":\"email:send\",\"payload\":{\"to\":\"user@example.com\"},"
                    + "\"options\":{\"maxAttempts\":3,\"timeoutMs\":30000,\"priority\":0,\"deduplicationKey\":null,"
                    + "\"queue\":\"default\"},\"attempt\":0,\"createdAt\":\"2026-11-23T10:00:00Z\","
                    + "\"scheduledFor\":null,\"traceId\":null}");
        }

        @Test
        void writesEveryOptionAndOptionalField() {
            var options = new JobOptions(5, Duration.ofMinutes(2), 3, "invoice-42", "reports");
            var env = new JobEnvelope(1, "id-1", "report:build", "[1,2]", options, 2, CREATED,
                    Instant.parse("2026-12-25T09:00:00.250Z"), "trace-7");

            assertThat(codec.encode(env)).isEqualTo("{\"envelopeVersion\":1,\"jobId\":\"id-1\",\"type\":\"report:build\","
                    + "\"payload\":[1,2],\"options\":{\"maxAttempts\":5,\"timeoutMs\":120000,\"priority\":3,"
                    + "\"deduplicationKey\":\"invoice-42\",\"queue\":\"reports\"},\"attempt\":2,"
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\",\"scheduledFor\":\"2026-12-25T09:00:00.250Z\","
                    + "\"traceId\":\"trace-7\"}");
        }

        @Test
        void writesTheVersionOneShapeForAnEnvelopeReadAsVersionZero() {
            var v0 = new JobEnvelope(0, "id-0", "t", "null", JobOptions.defaults(), 0, CREATED, null, null);

            assertThat(codec.encode(v0)).startsWith("{\"envelopeVersion\":1,");
        }

        @Test
        void writesANullPayloadAsJsonNull() {
            assertThat(codec.encode(envelope("null"))).contains("\"payload\":null,");
        }

        @Test
        void writesThePayloadTextWithoutEscapingItAgain() {
            String payload = "{\"text\":\"line\\nbreak \\\"quoted\\\" é 😀\"}";

            assertThat(codec.encode(envelope(payload))).contains("\"payload\":" + payload + ",");
        }

        @Test
        @DisplayName("text SQS refuses in a message (half of an emoji, U+FFFF) in the envelope's own strings is written "
                + "escaped and read back the same")
        void escapesTextSqsRefusesInTheEnvelopesStrings() {
            var options = new JobOptions(3, Duration.ofSeconds(30), 0, "order:Zo\uD83D", "default");
            var original = new JobEnvelope(1, "id-\uFFFF", "note:\uDE00save", "{\"a\":\"é\"}", options, 0, CREATED,
                    null, "trace 😀 cut \uD83D");

            String body = codec.encode(original);

            assertThat(body).doesNotContain("\uD83D", "\uDE00", "\uFFFF")
                    .contains("\"traceId\":\"trace \\ud83d\\ude00 cut \\ud83d\"", "\"payload\":{\"a\":\"é\"}");
            assertThat(codec.decode(body)).isEqualTo(original);
        }

        @Test
        void refusesABlankPayloadText() {
            assertThatThrownBy(() -> codec.encode(envelope(" ")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("payloadJson")
                    .hasMessageContaining("the text null");
        }

        @Test
        void countsTheEncodedSizeInUtf8Bytes() {
            var env = envelope("{\"name\":\"Zoë 日本 😀\"}");

            int expected = codec.encode(env).getBytes(StandardCharsets.UTF_8).length;

            assertThat(codec.encodedSize(env)).isEqualTo(expected);
            assertThat(expected).isGreaterThan(codec.encode(env).length());
        }
    }

    @Nested
    @DisplayName("reading version 1")
    class DecodingVersionOne {

        private UnreadableEnvelopeException refused(String body) {
            return catchThrowableOfType(UnreadableEnvelopeException.class, () -> codec.decode(body));
        }

        @Test
        void roundTripsEveryField() {
            var options = new JobOptions(7, Duration.ofMillis(1500), -2, "dedup", "critical");
            var original = new JobEnvelope(1, "id-9", "image:resize", "{\"w\":640,\"h\":[1,2,{\"x\":null}]}",
                    options, 4, Instant.parse("2026-11-23T10:00:00.123Z"), Instant.parse("2026-11-24T00:00:00Z"),
                    "00-abc-def-01");

            assertThat(codec.decode(codec.encode(original))).isEqualTo(original);
        }

        @Test
        @DisplayName("a field written twice is read as its last value, as JSON.parse and Python's json read it; "
                + "options written twice are read field by field (docs/wire-format.md)")
        void readsTheLastOfAFieldWrittenTwiceAndMergesOptions() {
            var env = codec.decode("{\"envelopeVersion\":1,\"jobId\":\"id-1\",\"type\":\"a\",\"type\":\"b\","
                    + "\"payload\":1,\"payload\":{\"n\":2},\"options\":{\"maxAttempts\":5,\"priority\":1},"
                    + "\"options\":{\"priority\":2},\"createdAt\":\"2026-11-23T10:00:00Z\"}");

            assertThat(env.type()).isEqualTo("b");
            assertThat(env.payloadJson()).isEqualTo("{\"n\":2}");
            assertThat(env.options().priority()).isEqualTo(2);
            assertThat(env.options().maxAttempts()).as("only in the first options").isEqualTo(5);
        }

        @Test
        @DisplayName("a field written twice is read as its last value also when the first is bad, as JSON.parse reads "
                + "it; a bad last value is refused (docs/wire-format.md)")
        void readsTheLastOfAFieldWrittenTwiceWhenTheFirstIsBad() {
            var env = codec.decode("{\"envelopeVersion\":\"1\",\"envelopeVersion\":1,\"jobId\":7,\"jobId\":\"id-1\","
                    + "\"type\":{},\"type\":\"b\",\"options\":[],\"options\":{\"maxAttempts\":\"five\",\"maxAttempts\":5,"
                    + "\"timeoutMs\":1.5},\"options\":{\"timeoutMs\":2000},\"attempt\":-0.5,\"attempt\":2,"
                    + "\"createdAt\":1764662400,\"createdAt\":\"2026-11-23T10:00:00Z\",\"traceId\":\"a\\nb\","
                    + "\"traceId\":\"t-1\"}");

            assertThat(env).isEqualTo(new JobEnvelope(1, "id-1", "b", "null",
                    new JobOptions(5, Duration.ofSeconds(2), 0, null, "default"), 2, CREATED, null, "t-1"));
            assertThatThrownBy(() -> codec.decode("{\"envelopeVersion\":1,\"jobId\":\"id-1\",\"type\":\"b\","
                    + "\"type\":{},\"createdAt\":\"2026-11-23T10:00:00Z\"}"))
                    .isInstanceOf(UnreadableEnvelopeException.class)
                    .hasMessage("'type' must be a string, got an object");
            assertThatThrownBy(() -> codec.decode("{\"envelopeVersion\":1,\"jobId\":\"id-1\",\"type\":\"b\","
                    + "\"options\":{\"timeoutMs\":\"2s\"},\"options.timeoutMs\":2000,"
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\"}"))
                    .as("a top-level field named as the option's path is not the option")
                    .isInstanceOf(UnreadableEnvelopeException.class)
                    .hasMessage("'options.timeoutMs' must be a whole number of milliseconds, got the string \"2s\"");
        }

        @Test
        @DisplayName("a payload as deeply nested as an ObjectMapper writes one is read back inside its envelope")
        void readsAPayloadAsDeepAsAMapperWrites() throws Exception {
            Object nested = "x";
            for (int depth = 0; depth < StreamReadConstraints.DEFAULT_MAX_DEPTH; depth++) {
                nested = List.of(nested);
            }
            String payload = new ObjectMapper().writeValueAsString(nested);

            var env = codec.decode(codec.encode(envelope(payload)));

            assertThat(env.payloadJson()).isEqualTo(payload);
            assertThatThrownBy(() -> codec.decode(codec.encode(envelope("[" + payload + "]"))))
                    .isInstanceOf(UnreadableEnvelopeException.class).hasMessageContaining("message body is nested more than "
                            + "1001 levels deep, deeper than jobq reads: a payload may be nested up to 1000 levels");
        }

        @Test
        void servesManyThreadsAtOnce() throws Exception {
            var start = new CountDownLatch(1);
            var results = new ArrayList<Future<Boolean>>();
            try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 32; i++) {
                    var original = new JobEnvelope(1, "id-" + i, "type-" + i, "{\"n\":" + i + ",\"s\":\"ü" + i + "\"}",
                            JobOptions.defaults(), i % 4, CREATED, null, "t" + i);
                    results.add(threads.submit(() -> {
                        start.await();
                        for (int round = 0; round < 200; round++) {
                            if (!codec.decode(codec.encode(original)).equals(original)) {
                                return false;
                            }
                        }
                        return true;
                    }));
                }
                start.countDown();
                for (var result : results) {
                    assertThat(result.get(10, TimeUnit.SECONDS)).isTrue();
                }
            }
        }

        @Test
        void roundTripsANullPayload() {
            var original = envelope("null");

            assertThat(codec.decode(codec.encode(original))).isEqualTo(original);
        }

        @Test
        void keepsThePayloadTextExactlyAsWritten() {
            String payload = "{ \"name\" : \"Zoë \\u00e9 日本 😀\",\n  \"nested\": {\"list\": [1, 2.50, 1e3, "
                    + "123456789012345678901234567890, true, null, \"a\\\"b\\\\c\"], \"empty\": {}} }";
            String body = "{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",\"payload\":" + payload
                    + ",\"createdAt\":\"2026-11-23T10:00:00Z\"}";

            assertThat(codec.decode(body).payloadJson()).isEqualTo(payload);
        }

        @ParameterizedTest
        @ValueSource(strings = {"\"just a string with \\\"escapes\\\" and ü\"", "42", "-3.5e-2", "true", "false",
                "null", "[]", "[{\"a\":[]}, \"x\"]"})
        void keepsScalarAndArrayPayloadsExactly(String payload) {
            String body = "{\"jobId\":\"j\",\"envelopeVersion\":1,\"payload\":" + payload
                    + " ,\"type\":\"t\",\"createdAt\":\"2026-11-23T10:00:00Z\"}";

            assertThat(codec.decode(body).payloadJson()).isEqualTo(payload);
        }

        @Test
        void readsAMissingPayloadAsNull() {
            var env = codec.decode("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",\"createdAt\":\"2026-11-23T10:00:00Z\"}");

            assertThat(env.payloadJson()).isEqualTo("null");
        }

        @Test
        void fillsMissingOptionsWithTheDefaults() {
            var env = codec.decode("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",\"createdAt\":\"2026-11-23T10:00:00Z\"}");

            assertThat(env.options()).isEqualTo(JobOptions.defaults());
            assertThat(env.attempt()).isZero();
            assertThat(env.scheduledFor()).isNull();
            assertThat(env.traceId()).isNull();
        }

        @Test
        @DisplayName("a field named as SNS names its topic is skipped whole when it is not text")
        void skipsATopicArnThatIsAnObject() {
            var env = codec.decode("{\"envelopeVersion\":1,\"TopicArn\":{\"jobId\":\"inner\",\"type\":\"inner\"},"
                    + "\"jobId\":\"j\",\"type\":\"t\",\"createdAt\":\"2026-11-23T10:00:00Z\"}");

            assertThat(env.jobId()).isEqualTo("j");
            assertThat(env.type()).isEqualTo("t");
        }

        @Test
        void ignoresFieldsItDoesNotKnow() {
            String body = "{\"envelopeVersion\":1,\"future\":{\"deep\":[1,{\"x\":2}]},\"jobId\":\"j\",\"type\":\"t\","
                    + "\"options\":{\"maxAttempts\":2,\"newOption\":[true]},\"payload\":{\"a\":1},"
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\",\"extra\":\"x\"}";

            var env = codec.decode(body);

            assertThat(env.jobId()).isEqualTo("j");
            assertThat(env.options().maxAttempts()).isEqualTo(2);
            assertThat(env.payloadJson()).isEqualTo("{\"a\":1}");
        }

        @Test
        @DisplayName("version 0's names that version 1 does not read ('attempts'; 'maxRetries' and 'timeout' beside "
                + "'maxAttempts' and 'timeoutMs') are ignored as any unknown field is, whatever their JSON type")
        void ignoresVersionZeroNamesItDoesNotRead() {
            String body = "{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",\"attempt\":1,"
                    + "\"attempts\":[{\"at\":\"2026-11-23T09:00:00Z\",\"error\":\"timeout\"}],"
                    + "\"options\":{\"maxAttempts\":2,\"maxRetries\":\"two\",\"timeoutMs\":700,\"timeout\":\"1s\"},"
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\"}";

            var env = codec.decode(body);

            assertThat(env.attempt()).isEqualTo(1);
            assertThat(env.options().maxAttempts()).isEqualTo(2);
            assertThat(env.options().timeout()).isEqualTo(Duration.ofMillis(700));
        }

        @Test
        @DisplayName("reads a whole number written with a zero fraction or an exponent (3.0, as Python's json.dumps "
                + "writes a float; 1e3), JSON having one number type; refuses any other fraction")
        void readsWholeNumbersWrittenAsFloats() {
            var env = codec.decode("{\"envelopeVersion\":1.0,\"jobId\":\"j\",\"type\":\"t\",\"attempt\":2.0,"
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\",\"options\":{\"maxAttempts\":5.00,\"timeoutMs\":30000.0,"
                    + "\"priority\":-1.0}}");

            assertThat(env.version()).isEqualTo(1);
            assertThat(env.attempt()).isEqualTo(2);
            assertThat(env.options()).isEqualTo(new JobOptions(5, Duration.ofSeconds(30), -1, null, "default"));
            assertThat(codec.decode("{\"jobId\":\"j\",\"type\":\"t\",\"createdAt\":\"2026-11-23T10:00:00Z\","
                    + "\"options\":{\"maxRetries\":4.0,\"timeout\":1e3}}").options())
                    .isEqualTo(new JobOptions(4, Duration.ofSeconds(1), 0, null, "default"));
            assertThat(refused("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\","
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\",\"options\":{\"maxAttempts\":3.5}}").getMessage())
                    .isEqualTo("'options.maxAttempts' must be a whole number, got the number 3.5");
            assertThat(refused("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\","
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\",\"attempt\":3e9}").getMessage())
                    .isEqualTo("'attempt' must be a whole number from -2147483648 to 2147483647, got the number 3e9");
            assertThat(refused("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\","
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\",\"options\":{\"timeoutMs\":1e19}}").getMessage())
                    .isEqualTo("'options.timeoutMs' must be a whole number of milliseconds up to 9223372036854775807, "
                            + "got the number 1e19");
            assertThat(refused("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\","
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\",\"attempt\":1e-99999999999}").getMessage())
                    .isEqualTo("'attempt' must be a whole number, got the number 1e-99999999999");
            assertThat(refused("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\","
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\",\"options\":{\"timeoutMs\":1e99999999999}}").getMessage())
                    .isEqualTo("'options.timeoutMs' must be a whole number of milliseconds, got the number 1e99999999999");
        }

        @Test
        void readsTimesWithAnOffset() {
            var env = codec.decode("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\","
                    + "\"createdAt\":\"2026-11-23T12:00:00+02:00\"}");

            assertThat(env.createdAt()).isEqualTo(CREATED);
        }

        @ParameterizedTest
        @ValueSource(strings = {"2026-11-23 12:00:00+02:00", "2026-11-23 10:00:00.000000Z", "2026-11-23 10:00Z"})
        @DisplayName("reads times with a space for the T, as RFC 3339 allows and Python's str() and SQL write them")
        void readsTimesWithASpaceForTheT(String time) {
            var env = codec.decode("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",\"createdAt\":\"" + time
                    + "\",\"scheduledFor\":\"" + time + "\"}");

            assertThat(env.createdAt()).isEqualTo(CREATED);
            assertThat(env.scheduledFor()).isEqualTo(CREATED);
        }

        @ParameterizedTest
        @ValueSource(strings = {"2026-02-30T12:00:00+02:00", "2026-02-30T12:00:00+0200", "2026-04-31T12:00:00+02",
                "2026-02-30 12:00:00 +0200", "2026-11-23T24:00:00+0200", "2026-11-23 24:00:00 UTC"})
        @DisplayName("refuses a date or time that does not exist (30 February, 24:00) in every form, rather than read "
                + "it as another day")
        void refusesADateThatDoesNotExistInEveryForm(String time) {
            var e = refused("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",\"createdAt\":\"" + time + "\"}");

            assertThat(e).as("%s refused, not read as another day", time).isNotNull();
            assertThat(e.getMessage()).isEqualTo("'createdAt' must be an ISO-8601 UTC time such as 2026-11-23T10:00:00Z, "
                    + "got \"" + time + "\"");
        }

        @ParameterizedTest
        @ValueSource(strings = {"2026-11-23 12:00:00 +0200", "2026-11-23 10:00:00 +0000", "2026-11-23 10:00:00 UTC",
                "2026-11-23 04:30:00.000 -0530"})
        @DisplayName("reads times as Ruby's Time#to_s writes them (and its json gem, without Rails, writes a Time)")
        void readsRubysTimeToS(String time) {
            var env = codec.decode("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",\"createdAt\":\"" + time
                    + "\",\"scheduledFor\":\"" + time + "\"}");

            assertThat(env.createdAt()).isEqualTo(CREATED);
            assertThat(env.scheduledFor()).isEqualTo(CREATED);
        }

        @Test
        @DisplayName("reads epoch milliseconds with a fraction, as Python's time.time() * 1000 writes them, to the "
                + "microsecond")
        void readsEpochMillisecondsWithAFraction() {
            var env = codec.decode("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\","
                    + "\"createdAt\":1795428000000.5,\"scheduledFor\":1795428000123.456}");

            assertThat(env.createdAt()).isEqualTo(CREATED.plusNanos(500_000));
            assertThat(env.scheduledFor()).isEqualTo(CREATED.plusMillis(123).plusNanos(456_000));
        }

        @ParameterizedTest
        @ValueSource(strings = {"2026-11-23T12:00+02:00", "2026-11-23T10:00Z"})
        @DisplayName("reads times without seconds, as OffsetDateTime.toString() writes them on a whole minute")
        void readsTimesWithoutSeconds(String time) {
            var env = codec.decode("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",\"createdAt\":\"" + time
                    + "\",\"scheduledFor\":\"" + time + "\"}");

            assertThat(env.createdAt()).isEqualTo(CREATED);
            assertThat(env.scheduledFor()).isEqualTo(CREATED);
        }

        @ParameterizedTest
        @ValueSource(strings = {"2026-11-23T12:00:00+0200", "2026-11-23T10:00:00.000+0000", "2026-11-23T04:30:00-0530",
                "2026-11-23 10:00:00.000000+00", "2026-11-23 12:00:00+02", "2026-11-23T12:00+0200"})
        @DisplayName("reads an offset without its colon, as SimpleDateFormat's Z, strftime's %z and PHP's DATE_ISO8601 "
                + "write it, or without its minutes, as PostgreSQL writes a timestamptz as text")
        void readsOffsetsWithoutAColonOrMinutes(String time) {
            var env = codec.decode("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",\"createdAt\":\"" + time
                    + "\",\"scheduledFor\":\"" + time + "\"}");

            assertThat(env.createdAt()).isEqualTo(CREATED);
            assertThat(env.scheduledFor()).isEqualTo(CREATED);
        }
    }

    @Nested
    @DisplayName("reading ChaasKit messages (version 0)")
    class DecodingVersionZero {

        @Test
        void readsTheChaasKitShape() {
            String body = "{\"jobId\":\"a1b2\",\"type\":\"webhook:send\",\"payload\":{\"url\":\"https://x.test\"},"
                    + "\"options\":{\"maxRetries\":5,\"timeout\":60000,\"priority\":2,\"deduplicationKey\":\"hook-1\"},"
                    + "\"createdAt\":\"2026-11-23T10:00:00.000Z\",\"scheduledFor\":null}";

            var env = codec.decode(body);

            assertThat(env.version()).isZero();
            assertThat(env.jobId()).isEqualTo("a1b2");
            assertThat(env.type()).isEqualTo("webhook:send");
            assertThat(env.payloadJson()).isEqualTo("{\"url\":\"https://x.test\"}");
            assertThat(env.options()).isEqualTo(new JobOptions(5, Duration.ofSeconds(60), 2, "hook-1", "default"));
            assertThat(env.attempt()).isZero();
            assertThat(env.createdAt()).isEqualTo(CREATED);
            assertThat(env.scheduledFor()).isNull();
        }

        @Test
        @DisplayName("reads \"envelopeVersion\": null as version 0, as an absent version, as ChaasKit writes null for a "
                + "field it has no value for")
        void readsANullVersionAsVersionZero() {
            var env = codec.decode("{\"envelopeVersion\":null,\"jobId\":\"a\",\"type\":\"t\",\"options\":{\"maxRetries\":5,"
                    + "\"maxAttempts\":2,\"timeout\":60000},\"attempts\":2,\"createdAt\":\"2026-11-23T10:00:00.000Z\"}");

            assertThat(env.version()).isZero();
            assertThat(env.options().maxAttempts()).isEqualTo(5);
            assertThat(env.options().timeout()).isEqualTo(Duration.ofSeconds(60));
            assertThat(env.attempt()).isEqualTo(2);
        }

        @Test
        void readsAttemptsAndEpochMillisecondTimes() {
            String body = "{\"jobId\":\"a\",\"type\":\"t\",\"payload\":null,\"attempts\":2,"
                    + "\"createdAt\":" + CREATED.toEpochMilli() + ",\"scheduledFor\":\"2026-11-23T10:05:00.000Z\"}";

            var env = codec.decode(body);

            assertThat(env.attempt()).isEqualTo(2);
            assertThat(env.createdAt()).isEqualTo(CREATED);
            assertThat(env.scheduledFor()).isEqualTo(Instant.parse("2026-11-23T10:05:00Z"));
            assertThat(env.options()).isEqualTo(JobOptions.defaults());
        }

        @Test
        void readsAnAttemptFieldToo() {
            var env = codec.decode("{\"jobId\":\"a\",\"type\":\"t\",\"attempt\":1,\"createdAt\":\"2026-11-23T10:00:00Z\"}");

            assertThat(env.attempt()).isEqualTo(1);
        }

        @Test
        void reEncodesAsVersionOneWithTheSameMeaning() {
            String body = "{\"jobId\":\"a\",\"type\":\"t\",\"payload\":{\"k\":1},\"options\":{\"maxRetries\":4,"
                    + "\"timeout\":1000},\"createdAt\":\"2026-11-23T10:00:00Z\"}";

            var again = codec.decode(codec.encode(codec.decode(body)));

            assertThat(again.version()).isEqualTo(1);
            assertThat(again.options().maxAttempts()).isEqualTo(4);
            assertThat(again.options().timeout()).isEqualTo(Duration.ofSeconds(1));
            assertThat(again.payloadJson()).isEqualTo("{\"k\":1}");
        }

        @Test
        @DisplayName("version 0's option names in a version-1 message (a ChaasKit producer that added "
                + "envelopeVersion) mean the same, unless the version-1 names are there too")
        void readsVersionZeroOptionNamesInVersionOne() {
            var kept = codec.decode("{\"envelopeVersion\":1,\"jobId\":\"a\",\"type\":\"t\",\"options\":"
                    + "{\"maxRetries\":5,\"timeout\":120000},\"createdAt\":\"2026-11-23T10:00:00Z\"}");
            var both = codec.decode("{\"envelopeVersion\":1,\"jobId\":\"a\",\"type\":\"t\",\"options\":"
                    + "{\"maxRetries\":5,\"maxAttempts\":2,\"timeout\":120000,\"timeoutMs\":700},"
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\"}");

            assertThat(kept.options().maxAttempts()).isEqualTo(5);
            assertThat(kept.options().timeout()).isEqualTo(Duration.ofMinutes(2));
            assertThat(both.options().maxAttempts()).isEqualTo(2);
            assertThat(both.options().timeout()).isEqualTo(Duration.ofMillis(700));
        }

        @Test
        @DisplayName("the names version 0 does not read beside its own ('attempts' beside 'attempt'; 'maxAttempts' and "
                + "'timeoutMs' beside 'maxRetries' and 'timeout') are ignored, whatever their JSON type")
        void ignoresNamesItDoesNotReadBesideItsOwn() {
            var env = codec.decode("{\"jobId\":\"a\",\"type\":\"t\",\"attempt\":1,\"attempts\":\"one\",\"options\":"
                    + "{\"maxRetries\":4,\"maxAttempts\":\"x\",\"timeout\":1000,\"timeoutMs\":\"y\"},"
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\"}");

            assertThat(env.attempt()).isEqualTo(1);
            assertThat(env.options().maxAttempts()).isEqualTo(4);
            assertThat(env.options().timeout()).isEqualTo(Duration.ofSeconds(1));
        }

        @Test
        void refusesAMessageWithoutAJobId() {
            var e = catchThrowableOfType(UnreadableEnvelopeException.class,
                    () -> codec.decode("{\"type\":\"email:send\",\"payload\":{},\"createdAt\":\"2026-11-23T10:00:00Z\"}"));

            assertThat(e.getMessage()).isEqualTo("ChaasKit-format (version 0) message has no 'jobId'; jobq does not "
                    + "make one up, because every redelivery would then look like a new job");
            assertThat(e.type()).isEqualTo("email:send");
            assertThat(e.jobId()).isNull();
            assertThat(e.isNewerVersion()).isFalse();
        }
    }

    @Nested
    @DisplayName("refusing what it cannot read")
    class Errors {

        private UnreadableEnvelopeException unreadable(String body) {
            return catchThrowableOfType(UnreadableEnvelopeException.class, () -> codec.decode(body));
        }

        @Test
        @DisplayName("an SNS notification wrapping the envelope is named so, with the subscription's setting to change")
        void namesAnSnsNotification() {
            String envelope = "{\\\"envelopeVersion\\\":1,\\\"jobId\\\":\\\"j\\\"}";
            var e = unreadable("{\"Type\":\"Notification\",\"MessageId\":\"5a7f\",\"TopicArn\":"
                    + "\"arn:aws:sns:us-east-1:123456789012:jobs\",\"Message\":\"" + envelope + "\","
                    + "\"Timestamp\":\"2026-11-23T10:00:00.000Z\"}");

            assertThat(e.getMessage()).isEqualTo("message body is an SNS notification of topic "
                    + "arn:aws:sns:us-east-1:123456789012:jobs, not a job envelope: turn on raw message delivery for "
                    + "the topic's subscription of this queue (RawMessageDelivery=true), so that the body is the "
                    + "message published");
        }

        @Test
        @DisplayName("a JSON object with none of the envelope's fields (another system's message) is named as such, "
                + "with its fields, not as a ChaasKit message without a jobId")
        void namesAnObjectThatIsNotAnEnvelope() {
            String laravel = "{\"uuid\":\"9b1e\",\"displayName\":\"App\\\\Jobs\\\\SendEmail\",\"job\":"
                    + "\"Illuminate\\\\Queue\\\\CallQueuedHandler@call\",\"maxTries\":3,\"data\":{}}";

            assertThat(unreadable(laravel).getMessage()).isEqualTo("message body is a JSON object but not a job "
                    + "envelope: it has no 'jobId', 'type' or 'createdAt' (its fields: uuid, displayName, job, maxTries, "
                    + "data); body starts with: {\"uuid\":\"9b1e\",\"displayName\":\"App\\\\Jobs\\\\SendEmail\","
                    + "\"job\":\"Illuminate\\\\Queue\\\\Ca…");
            assertThat(unreadable("{}").getMessage()).isEqualTo("message body is a JSON object but not a job envelope: "
                    + "it has no 'jobId', 'type' or 'createdAt' (it is empty); body starts with: {}");
            assertThat(unreadable("{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"i\":9,\"j\":10}")
                    .getMessage()).contains("(its fields: a, b, c, d, e, f, g, h, …)");
        }

        @Test
        void refusesTextThatIsNotJson() {
            var e = unreadable("hello world");

            assertThat(e.getMessage()).startsWith("message body is not JSON (")
                    .contains("line 1, column")
                    .endsWith("; body starts with: hello world");
            assertThat(e.jobId()).isNull();
            assertThat(e.isNewerVersion()).isFalse();
        }

        @Test
        void quotesAtMost80CharactersOfABadTokenPastTheStartOfTheBody() {
            String token = "sk_live_" + "7".repeat(72) + "SECRET_TAIL" + "9".repeat(100);
            String body = "{\"envelopeVersion\":1,\"jobId\":\"j-1\",\"type\":\"charge:card\",\"createdAt\":"
                    + "\"2026-11-23T10:00:00Z\",\"payload\":{\"apiKey\":" + token + "}}";

            // Jackson's own message quoted the whole token (up to 256 characters), past what a reason repeats.
            assertThat(unreadable(body).getMessage()).startsWith("message body is not JSON (")
                    .contains("sk_live_" + "7".repeat(72))
                    .doesNotContain("SECRET_TAIL");
        }

        @Test
        void refusesAnEmptyBody() {
            assertThat(unreadable("  ").getMessage()).isEqualTo("message body is empty; send the job envelope, a JSON object "
                    + "(docs/wire-format.md), as the body");
        }

        @Test
        void refusesJsonThatIsNotAnObject() {
            assertThat(unreadable("[1,2]").getMessage())
                    .isEqualTo("message body is an array, not a job envelope object; body starts with: [1,2]");
            assertThat(unreadable("\"text\"").getMessage()).startsWith("message body is the string \"text\", not");
        }

        @Test
        @DisplayName("a body encoded twice (a JSON string holding the envelope) is named so, with the fix, and by the "
                + "job id and type inside it")
        void namesABodyEncodedTwice() throws Exception {
            String envelope = "{\"envelopeVersion\":1,\"jobId\":\"j-9\",\"type\":\"email:send\","
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\"}";
            var e = unreadable(new ObjectMapper().writeValueAsString(envelope));

            assertThat(e.getMessage()).isEqualTo("message body is a JSON string holding a JSON object, not the job "
                    + "envelope object itself: the envelope was encoded twice (JSON.stringify or json.dumps of text that "
                    + "is JSON already); send the object's JSON as the body; body starts with: "
                    + "\"{\\\"envelopeVersion\\\":1,\\\"jobId\\\":\\\"j-9\\\",\\\"type\\\":\\\"email:send\\\",\\\"createdAt\\\":…");
            assertThat(e.jobId()).isEqualTo("j-9");
            assertThat(e.type()).isEqualTo("email:send");
            assertThat(unreadable(" \" {not json\" ").getMessage()).startsWith("message body is a JSON string holding "
                    + "a JSON object, not the job envelope object itself");
        }

        @Test
        void keepsTheJobIdAndTypeReadBeforeTheJsonBroke() {
            var e = unreadable("{\"envelopeVersion\":1,\"jobId\":\"j-1\",\"type\":\"t\",\"payload\":{\"a\":");

            assertThat(e.getMessage()).startsWith("message body is not JSON (");
            assertThat(e.jobId()).isEqualTo("j-1");
            assertThat(e.type()).isEqualTo("t");
        }

        @Test
        void refusesContentAfterTheObject() {
            assertThat(unreadable("{\"jobId\":\"j\",\"type\":\"t\",\"createdAt\":\"2026-11-23T10:00:00Z\"} {}").getMessage())
                    .startsWith("message body has more after the envelope object");
        }

        @Test
        @DisplayName("what follows the envelope object (a second envelope, as a producer batching lines writes it) is "
                + "shown where it starts, with the fix, and the first envelope's job named")
        void namesWhatFollowsTheObjectAndTheFix() {
            var e = unreadable("{\"jobId\":\"j\",\"type\":\"t\",\"createdAt\":\"2026-11-23T10:00:00Z\"}\n"
                    + "{\"jobId\":\"k\",\"type\":\"t\",\"createdAt\":\"2026-11-23T10:00:00Z\"}\n");

            assertThat(e.getMessage()).isEqualTo("message body has more after the envelope object, at line 2, column 1: "
                    + "{\"jobId\":\"k\",\"type\":\"t\",\"createdAt\":\"2026-11-23T10:00:00Z\"}; send one job envelope per "
                    + "message and nothing after it (several jobs: a message each, or SendMessageBatch)");
            assertThat(e.jobId()).isEqualTo("j");
        }

        @Test
        void refusesAMissingType() {
            var e = unreadable("{\"envelopeVersion\":1,\"jobId\":\"j-2\",\"createdAt\":\"2026-11-23T10:00:00Z\"}");

            assertThat(e.getMessage()).isEqualTo("job envelope has no 'type' (the handler's job type, such as \"email:send\")");
            assertThat(e.jobId()).isEqualTo("j-2");
        }

        @Test
        void refusesABlankTypeNamingItsValue() {
            assertThat(unreadable("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\" \",\"createdAt\":\"2026-11-23T10:00:00Z\"}")
                    .getMessage()).isEqualTo("'type' must not be blank, got \" \"; name the handler's job type, such as "
                            + "\"email:send\"");
        }

        @Test
        void refusesABlankJobIdNamingItsValue() {
            var e = unreadable("{\"envelopeVersion\":1,\"jobId\":\"\",\"type\":\"t\",\"createdAt\":\"2026-11-23T10:00:00Z\"}");

            assertThat(e.getMessage()).isEqualTo("'jobId' must not be blank, got \"\"; give each job an id of its own, "
                    + "such as a UUID");
            assertThat(e.type()).isEqualTo("t");
            assertThat(e.jobId()).as("a blank id names no job").isNull();
        }

        @Test
        void refusesAByteOrderMarkNamingTheJobAndTheFix() {
            var e = unreadable("\uFEFF{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",\"createdAt\":\"2026-11-23T10:00:00Z\"}");

            assertThat(e.getMessage()).startsWith("message body starts with a byte order mark (U+FEFF)")
                    .endsWith("send the JSON without it (text read from a file saved with one starts with it: "
                            + "remove it before sending)");
            assertThat(e.jobId()).isEqualTo("j");
            assertThat(e.type()).isEqualTo("t");
        }

        @Test
        void refusesAMissingJobIdInVersionOne() {
            var e = unreadable("{\"envelopeVersion\":1,\"type\":\"t\",\"createdAt\":\"2026-11-23T10:00:00Z\"}");

            assertThat(e.getMessage()).isEqualTo("job envelope has no 'jobId' (the job's own id, such as a UUID; "
                    + "keep it when a send is retried)");
            assertThat(e.type()).isEqualTo("t");
        }

        @Test
        void refusesAMissingCreatedAt() {
            assertThat(unreadable("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\"}").getMessage())
                    .isEqualTo("job envelope has no 'createdAt' (an ISO-8601 UTC time such as 2026-11-23T10:00:00Z)");
        }

        @Test
        @DisplayName("a time with no offset is told to add one, and a value of another kind what is read")
        void namesATimeWithoutAnOffset() {
            assertThat(unreadable("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\","
                    + "\"createdAt\":\"2026-11-23T10:00:00.123456\"}").getMessage())
                    .isEqualTo("'createdAt' must be an ISO-8601 UTC time such as 2026-11-23T10:00:00Z, got "
                            + "\"2026-11-23T10:00:00.123456\"; it has no offset: add Z when it is UTC, else its offset "
                            + "(+02:00)");
            assertThat(unreadable("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",\"createdAt\":true}")
                    .getMessage()).isEqualTo("'createdAt' must be an ISO-8601 time or epoch milliseconds, got true");
        }

        @Test
        @DisplayName("epoch seconds (PHP's time(), Python's time.time()) are refused with the fix, not read as a "
                + "time in January 1970")
        void refusesEpochSeconds() {
            assertThat(unreadable("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\","
                    + "\"createdAt\":1795428000}").getMessage())
                    .isEqualTo("'createdAt' must be epoch milliseconds, got 1795428000, which looks like epoch "
                            + "seconds (2026-11-23T10:00:00Z; as milliseconds it would be 1970-01-21T18:43:48Z): "
                            + "multiply it by 1000");
            assertThat(unreadable("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\","
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\",\"scheduledFor\":1795428000.25}").getMessage())
                    .startsWith("'scheduledFor' must be epoch milliseconds, got 1795428000.25, which looks like "
                            + "epoch seconds (2026-11-23T10:00:00.250Z;");
        }

        @Test
        void refusesABadTime() {
            assertThat(unreadable("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",\"createdAt\":\"yesterday\"}")
                    .getMessage()).isEqualTo("'createdAt' must be an ISO-8601 UTC time such as 2026-11-23T10:00:00Z, "
                    + "got \"yesterday\"");
        }

        @Test
        @DisplayName("a value cut for its reason is not cut between the two halves of an emoji")
        void cutsAQuotedValueBetweenCharactersNotInsideAnEmoji() {
            String traceId = "a".repeat(79) + "\uD83D\uDE00".repeat(100);

            assertThat(unreadable("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\","
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\",\"traceId\":\"" + traceId + "\"}").getMessage())
                    .contains("got \"" + "a".repeat(79) + "…\" (279 characters)");
        }

        @Test
        @DisplayName("a number written as a string (\"3\", as a producer that reads it from an environment variable "
                + "sends it) is told to leave out the quotes")
        void tellsANumberInQuotesToLoseThem() {
            assertThat(unreadable("{\"envelopeVersion\":\"1\",\"jobId\":\"j\",\"type\":\"t\","
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\"}").getMessage())
                    .isEqualTo("'envelopeVersion' must be a whole number, got the string \"1\"; write it as a JSON "
                            + "number, without quotes: 1");
            assertThat(unreadable("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\","
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\",\"options\":{\"timeoutMs\":\" 30000 \"}}").getMessage())
                    .isEqualTo("'options.timeoutMs' must be a whole number of milliseconds, got the string \" 30000 \"; "
                            + "write it as a JSON number, without quotes: 30000");
            assertThat(unreadable("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\","
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\",\"options\":{\"maxAttempts\":\"three\"}}").getMessage())
                    .isEqualTo("'options.maxAttempts' must be a whole number, got the string \"three\"");
        }

        @Test
        void namesAFieldOfTheWrongKindAndStillReadsTheIdsAfterIt() {
            var e = unreadable("{\"envelopeVersion\":1,\"options\":{\"maxAttempts\":\"three\"},\"jobId\":\"j-3\","
                    + "\"type\":\"t\",\"createdAt\":\"2026-11-23T10:00:00Z\"}");

            assertThat(e.getMessage()).isEqualTo("'options.maxAttempts' must be a whole number, got the string \"three\"");
            assertThat(e.jobId()).isEqualTo("j-3");
            assertThat(e.type()).isEqualTo("t");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "\"attempt\":2147483648|'attempt' must be a whole number from -2147483648 to 2147483647, got the number "
                    + "2147483648",
            "\"options\":{\"priority\":-99999999999}|'options.priority' must be a whole number from -2147483648 to "
                    + "2147483647, got the number -99999999999",
            "\"options\":{\"timeoutMs\":99999999999999999999}|'options.timeoutMs' must be a whole number of "
                    + "milliseconds up to 9223372036854775807, got the number 99999999999999999999"})
        @DisplayName("a whole number too large for its field says so, not that it is not a whole number")
        void namesTheRangeOfAWholeNumberTooLarge(String field, String expected) {
            var e = unreadable("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\"," + field
                    + ",\"createdAt\":\"2026-11-23T10:00:00Z\"}");

            assertThat(e.getMessage()).isEqualTo(expected);
        }

        @Test
        void refusesOptionsOutOfRange() {
            var e = unreadable("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",\"options\":{\"maxAttempts\":0},"
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\"}");

            assertThat(e.getMessage()).isEqualTo("'options.maxAttempts' must be ≥ 1 (the runs in all, the first "
                    + "included), got 0");
            assertThat(e.jobId()).isEqualTo("j");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "1|\"timeoutMs\":-5|'options.timeoutMs' must be ≥ 1 (milliseconds), got -5",
            "1|\"timeoutMs\":0|'options.timeoutMs' must be ≥ 1 (milliseconds), got 0",
            "0|\"timeout\":0|'options.timeout' must be ≥ 1 (milliseconds), got 0",
            "0|\"maxRetries\":0|'options.maxRetries' must be ≥ 1 (the runs in all, the first included), got 0",
            "1|\"queue\":\" \"|'options.queue' must not be blank, got \" \"; leave it out for the queue \"default\"",
            "1|\"deduplicationKey\":\"\"|'options.deduplicationKey' must not be blank, got \"\"; leave it out or "
                    + "null for none"})
        @DisplayName("an option out of range is named as the message writes it, with the value written")
        void namesTheOptionOutOfRangeAsWritten(int version, String option, String expected) {
            String versionField = version == 0 ? "" : "\"envelopeVersion\":1,";
            var e = unreadable("{" + versionField + "\"jobId\":\"j\",\"type\":\"t\",\"options\":{" + option + "},"
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\"}");

            assertThat(e.getMessage()).isEqualTo(expected);
            assertThat(e.jobId()).isEqualTo("j");
            assertThat(e.type()).isEqualTo("t");
        }

        @Test
        @DisplayName("a trace id the worker could not pass on (blank, a control character) is named with its value, as "
                + "enqueue would refuse it")
        void refusesATraceIdThatEnqueueRefuses() {
            var blank = unreadable("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",\"traceId\":\"\","
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\"}");
            var control = unreadable("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",\"traceId\":\"a\\nb\","
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\"}");

            assertThat(blank.getMessage()).isEqualTo("'traceId' must be 1 to 255 characters without control "
                    + "characters, got \"\"; leave it out or null for none");
            assertThat(control.getMessage()).isEqualTo("'traceId' must be 1 to 255 characters without control "
                    + "characters, got \"a\\nb\"; leave it out or null for none");
            assertThat(blank.jobId()).isEqualTo("j");
        }

        @Test
        @DisplayName("a job id with a control character (a newline, an ANSI escape, a C1 control) is unreadable, "
                + "named escaped: the lines about a job repeat its id as it is")
        void refusesAJobIdWithAControlCharacter() {
            var newline = unreadable("{\"envelopeVersion\":1,\"jobId\":\"j-1\\nINFO forged\",\"type\":\"t\","
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\"}");
            var ansi = unreadable("{\"jobId\":\"j-2\\u001b[31m\",\"type\":\"t\",\"createdAt\":\"2026-11-23T10:00:00Z\"}");
            var c1 = unreadable("{\"envelopeVersion\":1,\"jobId\":\"j-3\\u009b2J\",\"type\":\"t\","
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\"}");

            assertThat(newline.getMessage()).isEqualTo("'jobId' must not have control characters, got "
                    + "\"j-1\\nINFO forged\" (shown escaped); give each job an id without line breaks, tabs or escapes, "
                    + "such as a UUID");
            assertThat(ansi.getMessage()).contains("got \"j-2\\u001b[31m\" (shown escaped)");
            assertThat(c1.getMessage()).contains("got \"j-3\\u009b2J\" (shown escaped)");
            assertThat(newline.jobId()).as("the id as read, for the provider to name the dead job by (escaped there)")
                    .isEqualTo("j-1\nINFO forged");
            assertThat(newline.type()).isEqualTo("t");
            assertThat(codec.decode("{\"envelopeVersion\":1,\"jobId\":\"j-4 \\u00e9\\u202e\",\"type\":\"t\","
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\"}").jobId()).as("a space and other characters are read")
                    .isEqualTo("j-4 \u00e9\u202e");
        }

        @Test
        @DisplayName("a job id longer than 255 characters is unreadable, named cut with its length: the lines about a "
                + "job repeat its id whole")
        void refusesAJobIdLongerThan255Characters() {
            String megabyte = "j".repeat(1 << 20);
            var e = unreadable("{\"envelopeVersion\":1,\"jobId\":\"" + megabyte + "\",\"type\":\"t\","
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\"}");

            assertThat(e.getMessage()).isEqualTo("'jobId' must be at most 255 characters, got \"" + "j".repeat(80)
                    + "…\" (1048576 characters); give each job a shorter id, such as a UUID");
            assertThat(e.type()).isEqualTo("t");
            assertThat(codec.decode("{\"envelopeVersion\":1,\"jobId\":\"" + "j".repeat(255) + "\",\"type\":\"t\","
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\"}").jobId()).hasSize(255);
        }

        @Test
        @DisplayName("what a reason quotes of a message cannot forge a log line or repaint a terminal: control "
                + "characters are escaped, and a megabyte of text is cut")
        void aReasonQuotesTheMessageEscapedAndBounded() {
            String forged = "\\n12:00:00.000 INFO  Worker - job x completed\\u001b[2J";
            String megabyte = "x".repeat(1 << 20);
            var traceId = unreadable("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",\"traceId\":\"a" + forged
                    + "\",\"createdAt\":\"2026-11-23T10:00:00Z\"}");
            var createdAt = unreadable("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",\"createdAt\":\"" + forged
                    + "\"}");
            var notJson = unreadable("garbage\n12:00:00.000 INFO forged\u001b[31m");
            var hugeString = unreadable("{\"envelopeVersion\":\"" + megabyte + "\",\"jobId\":\"j\",\"type\":\"t\"}");
            var fieldName = unreadable("{\"a\\nINFO forged\":1}");

            assertThat(traceId.getMessage()).startsWith("'traceId' must be 1 to 255 characters without control "
                    + "characters, got \"a\\n12:00:00.000 INFO  Worker - job x completed\\u001b[2J\"");
            assertThat(createdAt.getMessage()).startsWith("'createdAt' must be an ISO-8601 UTC time such as "
                    + "2026-11-23T10:00:00Z, got \"\\n12:00:00.000");
            assertThat(notJson.getMessage()).endsWith("; body starts with: garbage\\n12:00:00.000 INFO "
                    + "forged\\u001b[31m");
            assertThat(hugeString.getMessage()).contains("got the string \"" + "x".repeat(80) + "…\" (1048576 "
                    + "characters)").hasSizeLessThan(1000);
            assertThat(fieldName.getMessage()).contains("its fields: a\\nINFO forged");
            assertThat(List.of(traceId, createdAt, notJson, hugeString, fieldName)).extracting(Throwable::getMessage)
                    .allSatisfy(message -> assertThat(message).doesNotContain("\n", "\r", "\u001b"));
        }

        @Test
        void refusesATraceIdLongerThanEnqueueTakes() {
            String traceId = "a".repeat(256);
            var e = unreadable("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",\"traceId\":\"" + traceId
                    + "\",\"createdAt\":\"2026-11-23T10:00:00Z\"}");

            assertThat(e.getMessage()).isEqualTo("'traceId' must be 1 to 255 characters without control characters, "
                    + "got \"" + "a".repeat(80) + "…\" (256 characters); leave it out or null for none");
            assertThat(codec.decode("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",\"traceId\":\""
                    + "a".repeat(255) + "\",\"createdAt\":\"2026-11-23T10:00:00Z\"}").traceId()).hasSize(255);
        }

        @Test
        void refusesANegativeAttempt() {
            assertThat(unreadable("{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",\"attempt\":-1,"
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\"}").getMessage()).isEqualTo("'attempt' must be ≥ 0 (the attempts made before "
                    + "this copy was written; 0 for a new job), got -1");
        }

        @Test
        @DisplayName("a negative attempt count of a ChaasKit message is named as it writes it, 'attempts'")
        void namesANegativeAttemptsAsWritten() {
            assertThat(unreadable("{\"jobId\":\"j\",\"type\":\"t\",\"attempts\":-1,"
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\"}").getMessage()).isEqualTo("'attempts' must be ≥ 0 (the attempts made before "
                    + "this copy was written; 0 for a new job), got -1");
        }

        @Test
        void refusesANewerVersionAsNewer() {
            var e = unreadable("{\"envelopeVersion\":2,\"jobId\":\"j-4\",\"type\":\"email:send\","
                    + "\"options\":\"whatever the future holds\"}");

            assertThat(e.isNewerVersion()).isTrue();
            assertThat(e.getMessage()).isEqualTo("job envelope version 2 is newer than this worker reads (up to 1); "
                    + "upgrade the worker's jobq to run it");
            assertThat(e.jobId()).isEqualTo("j-4");
            assertThat(e.type()).isEqualTo("email:send");
        }

        @Test
        @DisplayName("a number, a field name or a string longer than jobq reads is named as such, not as nesting")
        void namesAValueLongerThanItReadsAsSuch() {
            String start = "{\"envelopeVersion\":1,\"jobId\":\"j-5\",\"type\":\"key:rotate\",\"createdAt\":"
                    + "\"2026-11-23T10:00:00Z\",";
            // An RSA-4096 modulus as a BigInteger field: 1233 digits, which Jackson writes as one number.
            var number = unreadable(start + "\"payload\":{\"modulus\":" + "7".repeat(1233) + "}}");
            var name = unreadable(start + "\"" + "k".repeat(50_001) + "\":1}");

            assertThat(number.getMessage()).startsWith("message body has a number of 1233 digits, longer than jobq "
                    + "reads (up to 1000 digits, as Jackson reads by default, and so a handler's ObjectMapper); send it "
                    + "as a JSON string into a String field (Jackson refuses a BigInteger that long as text too); body "
                    + "starts with: {\"envelopeVersion\":1,");
            assertThat(number.jobId()).isEqualTo("j-5");
            assertThat(number.type()).isEqualTo("key:rotate");
            assertThat(name.getMessage()).startsWith("message body has a field name of 50001 characters, longer than "
                    + "jobq reads (up to 50000 characters, as Jackson reads by default, and so a handler's ObjectMapper); ");
            assertThat(List.of(number.getMessage(), name.getMessage())).noneMatch(m -> m.contains("nested"));
        }

        @Test
        @DisplayName("a number of the wrong kind is quoted as any value is, cut after 80 characters with its length")
        void quotesALongNumberCutWithItsLength() {
            String digits = "9".repeat(999);
            String start = "{\"envelopeVersion\":1,\"jobId\":\"j\",\"type\":\"t\",";

            assertThat(unreadable(start + "\"createdAt\":" + digits + "}").getMessage()).isEqualTo("'createdAt' must "
                    + "be an ISO-8601 time or epoch milliseconds, got the number " + "9".repeat(80) + "… (999 characters)");
            assertThat(unreadable(start + "\"createdAt\":\"2026-11-23T10:00:00Z\",\"options\":{\"maxAttempts\":"
                    + digits + "}}").getMessage()).isEqualTo("'options.maxAttempts' must be a whole number from "
                    + "-2147483648 to 2147483647, got the number " + "9".repeat(80) + "… (999 characters)");
            assertThat(unreadable(start + "\"createdAt\":\"2026-11-23T10:00:00Z\",\"attempt\":0." + "9".repeat(997)
                    + "}").getMessage()).isEqualTo("'attempt' must be a whole number, got the number 0." + "9".repeat(78)
                    + "… (999 characters)");
            assertThat(unreadable(start + "\"createdAt\":1764662400." + "1".repeat(900) + "}").getMessage())
                    .startsWith("'createdAt' must be epoch milliseconds, got 1764662400." + "1".repeat(69) + "… (911 "
                            + "characters), which looks like epoch seconds");
        }

        @Test
        void refusesANegativeVersion() {
            assertThat(unreadable("{\"envelopeVersion\":-1,\"jobId\":\"j\",\"type\":\"t\","
                    + "\"createdAt\":\"2026-11-23T10:00:00Z\"}").getMessage())
                    .isEqualTo("'envelopeVersion' must be ≥ 0, got -1; write 1, the current version "
                            + "(docs/wire-format.md)");
        }
    }
}
