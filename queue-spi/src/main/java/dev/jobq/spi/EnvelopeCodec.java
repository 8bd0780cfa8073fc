package dev.jobq.spi;

import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.jobq.JobOptions;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Turns a {@link JobEnvelope} into the JSON of the wire format (DESIGN §5, {@code docs/wire-format.md})
 * and back. {@link #encode} always writes version {@value JobEnvelope#CURRENT_VERSION};
 * {@link #decode} reads version 1 and the ChaasKit shape (version 0), ignores fields it does not
 * know, and refuses anything else with an {@link UnreadableEnvelopeException} that carries whatever
 * job id and type it could read.
 *
 * <p>The payload is never parsed into objects: it is copied from and into the message as JSON text,
 * so a provider needs none of the handler's classes. Thread-safe; one instance can serve every
 * provider of a process.
 */
public final class EnvelopeCodec {

    /**
     * Reads one level deeper than Jackson's default: an envelope holds its payload one level below the
     * top, and a payload as deep as an {@code ObjectMapper} writes one must still be read.
     */
    private final JsonFactory json = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(EnvelopeReader.MAX_DEPTH).build())
            // A bad token Jackson quotes in its message (256 characters by default) is cut as a reason cuts any
            // value it repeats of the body, which anyone with send rights writes (docs/wire-format.md).
            .errorReportConfiguration(ErrorReportConfiguration.builder()
                    .maxErrorTokenLength(EnvelopeReader.PREVIEW_CHARS).build())
            .build();
    private static final CharacterEscapes SENDABLE = new SendableEscapes();

    /**
     * What SQS refuses in a message body (and XML 1.0 in any text) written as a JSON escape in the envelope's own
     * strings, as the enqueue path escapes a payload's: a surrogate (half of an emoji, when text was cut inside one;
     * both halves of a whole one are escaped alike and read back as it) and U+FFFE, U+FFFF. Jackson wrote them as
     * they are, and a trace id, job type or deduplication key cut inside an emoji made SQS refuse the whole send
     * ("InvalidMessageContents"), or the follow-up a handler enqueued with the trace id of a message that had one.
     */
    private static final class SendableEscapes extends CharacterEscapes {

        private final int[] ascii = CharacterEscapes.standardAsciiEscapesForJSON();

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public @Nullable SerializableString getEscapeSequence(int ch) {
            return Character.isSurrogate((char) ch) || ch == 0xFFFE || ch == 0xFFFF
                    ? new SerializedString(String.format("\\u%04x", ch)) : null;
        }
    }

    /**
     * The envelope as version-1 JSON, fields in the documented order.
     *
     * @throws IllegalArgumentException when the envelope's payload text is blank (it must be JSON,
     *                                  {@code null} included)
     */
    public String encode(JobEnvelope envelope) {
        String payload = envelope.payloadJson();
        if (payload.isBlank()) {
            throw new IllegalArgumentException("payloadJson of job " + envelope.jobId()
                    + " is blank; it must be JSON text (the text null for no payload)");
        }
        var out = new StringWriter(192 + payload.length());
        try (JsonGenerator gen = json.createGenerator(out)) {
            gen.setCharacterEscapes(SENDABLE);
            gen.writeStartObject();
            gen.writeNumberField("envelopeVersion", JobEnvelope.CURRENT_VERSION);
            gen.writeStringField("jobId", envelope.jobId());
            gen.writeStringField("type", envelope.type());
            gen.writeFieldName("payload");
            gen.writeRawValue(payload);
            writeOptions(gen, envelope.options());
            gen.writeNumberField("attempt", envelope.attempt());
            gen.writeStringField("createdAt", envelope.createdAt().toString());
            writeNullableString(gen, "scheduledFor", instantText(envelope.scheduledFor()));
            writeNullableString(gen, "traceId", envelope.traceId());
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a StringWriter cannot fail", e);
        }
        return out.toString();
    }

    /**
     * Reads a message body.
     *
     * @throws UnreadableEnvelopeException when it is not JSON, not an object, lacks {@code jobId} or
     *                                     {@code type}, has a bad field, or is of a newer version
     *                                     ({@link UnreadableEnvelopeException#isNewerVersion()})
     */
    public JobEnvelope decode(String body) {
        return new EnvelopeReader(json, body).read();
    }

    /**
     * The body of a job written again after it was received ({@code received}, the body it came in;
     * {@code envelope}, what {@link #decode} read of it, with its {@code attempt} changed): a
     * version-{@value JobEnvelope#CURRENT_VERSION} body stays as it came, but for its {@code attempt},
     * so that fields this jobq does not know, which a newer producer wrote for a newer worker
     * (docs/wire-format.md, Compatibility), are not lost on the way. A body of version 0 is written
     * as {@link #encode} writes it, in version {@value JobEnvelope#CURRENT_VERSION}.
     *
     * @throws UnreadableEnvelopeException when {@code received} is not a job envelope
     */
    public String encodeAgain(JobEnvelope envelope, String received) {
        if (envelope.version() != JobEnvelope.CURRENT_VERSION) {
            return encode(envelope);
        }
        try (JsonParser parser = json.createParser(received)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new UnreadableEnvelopeException("message body is not a job envelope object", envelope.jobId(),
                        envelope.type(), false);
            }
            int objectStart = (int) parser.currentTokenLocation().getCharOffset();
            int valueStart = -1;
            int valueEnd = -1;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                if (field.equals("attempt")) {
                    valueStart = (int) parser.currentTokenLocation().getCharOffset();
                }
                parser.skipChildren();
                if (field.equals("attempt")) {
                    valueEnd = (int) parser.currentLocation().getCharOffset();
                }
            }
            String attempt = Integer.toString(envelope.attempt());
            return valueStart < 0
                    ? received.substring(0, objectStart + 1) + "\"attempt\":" + attempt + ","
                            + received.substring(objectStart + 1)
                    : received.substring(0, valueStart) + attempt + received.substring(valueEnd);
        } catch (JsonProcessingException e) {
            throw new UnreadableEnvelopeException("message body is not JSON: " + e.getOriginalMessage(),
                    envelope.jobId(), envelope.type(), false);
        } catch (IOException e) {
            throw new UncheckedIOException("reading a String cannot fail", e);
        }
    }

    /** The size of {@link #encode(JobEnvelope)} in UTF-8 bytes, as providers count their limits. */
    public int encodedSize(JobEnvelope envelope) {
        return utf8Length(encode(envelope));
    }

    /** The UTF-8 length of {@code text} without encoding it. */
    static int utf8Length(String text) {
        int bytes = 0;
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes += 1; // a lone surrogate: String.getBytes(UTF_8) writes '?'
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static void writeOptions(JsonGenerator gen, JobOptions options) throws IOException {
        gen.writeObjectFieldStart("options");
        gen.writeNumberField("maxAttempts", options.maxAttempts());
        gen.writeNumberField("timeoutMs", options.timeout().toMillis());
        gen.writeNumberField("priority", options.priority());
        writeNullableString(gen, "deduplicationKey", options.deduplicationKey());
        gen.writeStringField("queue", options.queue());
        gen.writeEndObject();
    }

    private static void writeNullableString(JsonGenerator gen, String field, @Nullable String value) throws IOException {
        if (value == null) {
            gen.writeNullField(field);
        } else {
            gen.writeStringField(field, value);
        }
    }

    private static @Nullable String instantText(@Nullable Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
