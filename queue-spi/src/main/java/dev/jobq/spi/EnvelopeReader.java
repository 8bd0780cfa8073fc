package dev.jobq.spi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One decode of one message body: a single streaming pass that collects the fields of either
 * version, then checks them. Field problems do not stop the pass, so that the exception can still
 * name the job id and type when they come after the bad field.
 */
final class EnvelopeReader {

    static final int PREVIEW_CHARS = 80;
    /** The nesting {@link EnvelopeCodec} reads: a payload as deep as Jackson's default, one level below the top. */
    static final int MAX_DEPTH = StreamReadConstraints.DEFAULT_MAX_DEPTH + 1;
    /**
     * The longest job id read, as a trace id's and a job type's limit: the worker's and the providers' lines about a
     * job repeat its id whole, so a megabyte id from another producer went into every one of them. jobq's own ids are
     * UUIDs (36 characters; a scheduler row holds 64).
     */
    static final int MAX_JOB_ID = 255;
    private static final int FIELDS_NAMED = 8;
    private static final int FIELD_NAME_CHARS = 40;
    /**
     * Numbers from here up to {@link #EPOCH_SECONDS_UP_TO}, as epoch milliseconds, fall in 1970–1973
     * (a day to three years after the epoch), where no job was made; as epoch seconds they are
     * 1973–5138, where a producer writing seconds (PHP's {@code time()}, Python's {@code time.time()})
     * puts every job of ours. Read as milliseconds, the job's times would be 56 years off.
     */
    private static final double EPOCH_SECONDS_FROM = 1e8;
    private static final double EPOCH_SECONDS_UP_TO = 1e11;
    /** Epoch milliseconds a number with a fraction may have: about what a long holds, 285 million years. */
    private static final double MAX_EPOCH_MILLIS = 9.0e18;
    /**
     * A time as Ruby's {@code Time#to_s} writes it, {@code 2026-11-23 11:00:00 +0100} ({@code UTC} for a UTC
     * time), which is also how its json gem writes a {@code Time} without Rails: an offset, so one instant. Strict, as
     * {@link #OFFSET_WITHOUT_COLON} says why.
     */
    private static final DateTimeFormatter RUBY_TIME = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE).appendLiteral(' ').append(DateTimeFormatter.ISO_LOCAL_TIME)
            .appendLiteral(' ').appendOffset("+HHMM", "UTC").toFormatter().withResolverStyle(ResolverStyle.STRICT);
    /**
     * ISO-8601 with an offset written without its colon, {@code +0200}, as Java's {@code SimpleDateFormat} ({@code Z}),
     * {@code strftime} ({@code %z}) and PHP's {@code DATE_ISO8601} write it: one instant, as {@code +02:00} is. Lenient,
     * so the offset's colon and minutes are optional.
     *
     * <p>Resolved strictly, as {@link OffsetDateTime#parse(CharSequence)} resolves: a builder's default, smart, read 30
     * February as the 28th and 24:00 as the next day's 00:00, so that a time refused with its colon was read, as another
     * day, without it.
     */
    private static final DateTimeFormatter OFFSET_WITHOUT_COLON = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE).appendLiteral('T').append(DateTimeFormatter.ISO_LOCAL_TIME)
            .parseLenient().appendOffset("+HH", "Z").toFormatter().withResolverStyle(ResolverStyle.STRICT);

    private static final char BYTE_ORDER_MARK = '\uFEFF';
    /** The length in a message of Jackson's {@link StreamConstraintsException}: "Number value length (1233) exceeds …". */
    private static final Pattern FIRST_NUMBER = Pattern.compile("\\((\\d+)\\)");
    private static final Pattern QUOTED_WHOLE_NUMBER = Pattern.compile("-?[0-9]+");
    /** The longest whole number in a string that {@link #unquoted} repeats: a long's digits and its sign. */
    private static final int MAX_QUOTED_DIGITS = 20;
    private static final String AS_JACKSON_READS = "as Jackson reads by default, and so a handler's ObjectMapper";

    private final JsonFactory json;
    /** The body after a byte order mark, if it had one: read for the job's id and type, then refused. */
    private final String body;
    private final boolean byteOrderMark;

    private @Nullable Integer version;
    private @Nullable String jobId;
    private @Nullable String type;
    private @Nullable String payload;
    private @Nullable Integer attempt;
    private @Nullable Integer attempts;
    private @Nullable Instant createdAt;
    private @Nullable Instant scheduledFor;
    private @Nullable String traceId;
    private final OptionFields options = new OptionFields();
    private @Nullable String snsTopicArn;
    private final List<String> fields = new ArrayList<>();
    /**
     * What is wrong with the fields read, by field, in the order found; null while nothing is (nearly always). By
     * field, so that a field written again is read as its last value, as docs/wire-format.md says, also when an
     * earlier value was bad.
     */
    private @Nullable Map<String, String> problems;

    EnvelopeReader(JsonFactory json, String body) {
        this.json = json;
        this.byteOrderMark = !body.isEmpty() && body.charAt(0) == BYTE_ORDER_MARK;
        this.body = byteOrderMark ? body.substring(1) : body;
    }

    JobEnvelope read() {
        if (body.isBlank()) {
            throw unreadable("message body is empty; send the job envelope, a JSON object (docs/wire-format.md), as "
                    + "the body");
        }
        try (JsonParser parser = json.createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first == JsonToken.VALUE_STRING && parser.getText().strip().startsWith("{")) {
                throw encodedTwice(parser.getText());
            }
            if (first != JsonToken.START_OBJECT) {
                throw unreadable("message body is " + describe(first, parser) + ", not a job envelope object"
                        + preview());
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                readTopLevel(field, parser);
            }
            if (parser.nextToken() != null) {
                // Shown from where it starts, not from the body's start, which is the envelope read
                var where = parser.currentTokenLocation();
                throw unreadable("message body has more after the envelope object, at line " + where.getLineNr()
                        + ", column " + where.getColumnNr() + ": "
                        + UntrustedText.escape(body.substring((int) where.getCharOffset()).strip(), PREVIEW_CHARS)
                        + "; send one job envelope per message and nothing after it (several jobs: a message each, "
                        + "or SendMessageBatch)");
            }
        } catch (StreamConstraintsException e) {
            throw unreadable(beyondConstraints(e) + preview());
        } catch (JsonProcessingException e) {
            var where = e.getLocation();
            String at = where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
            throw unreadable("message body is not JSON (" + UntrustedText.escape(e.getOriginalMessage(), 300) + at + ")"
                    + preview());
        } catch (IOException e) {
            throw new UncheckedIOException("reading a String cannot fail", e);
        }
        if (byteOrderMark) {
            // RFC 8259 lets a reader ignore one, but a job's body written again (a release) would keep it
            throw unreadable("message body starts with a byte order mark (U+FEFF), which JSON sent between "
                    + "systems must not have (RFC 8259, section 8.1): send the JSON without it (text read from a "
                    + "file saved with one starts with it: remove it before sending)");
        }
        return build();
    }

    /**
     * A body that is a JSON string holding the envelope's text ({@code JSON.stringify} of text that is JSON already): said
     * so, with the fix, and named by the job id and type inside it, where "message body is the string …, not a job
     * envelope object" showed the producer its own envelope and said neither what was wrong nor which job it was.
     */
    private UnreadableEnvelopeException encodedTwice(String inner) {
        String innerJobId;
        String innerType;
        try {
            JobEnvelope envelope = new EnvelopeReader(json, inner).read();
            innerJobId = envelope.jobId();
            innerType = envelope.type();
        } catch (UnreadableEnvelopeException e) {
            innerJobId = e.jobId();
            innerType = e.type();
        }
        return new UnreadableEnvelopeException("message body is a JSON string holding a JSON object, not the job "
                + "envelope object itself: the envelope was encoded twice (JSON.stringify or json.dumps of text that is "
                + "JSON already); send the object's JSON as the body" + preview(), innerJobId, innerType, false);
    }

    /**
     * What a limit of the parser refused, in the body's terms: a number, a field name or a string longer than
     * Jackson reads by default was reported as nesting too deep, with "send a flatter payload" for the fix.
     */
    private static String beyondConstraints(StreamConstraintsException e) {
        String refused = String.valueOf(e.getOriginalMessage());
        Matcher length = FIRST_NUMBER.matcher(refused);
        String found = length.find() ? length.group(1) : "?";
        if (refused.startsWith("Number value length")) {
            return "message body has a number of " + found + " digits, longer than jobq reads (up to "
                    + StreamReadConstraints.DEFAULT_MAX_NUM_LEN + " digits, " + AS_JACKSON_READS + "); send it as a "
                    + "JSON string into a String field (Jackson refuses a BigInteger that long as text too)";
        }
        if (refused.startsWith("Name length")) {
            return "message body has a field name of " + found + " characters, longer than jobq reads (up to "
                    + StreamReadConstraints.DEFAULT_MAX_NAME_LEN + " characters, " + AS_JACKSON_READS + "); use "
                    + "shorter field names";
        }
        if (refused.startsWith("String value length")) {
            return "message body has a string of " + found + " characters, longer than jobq reads (up to "
                    + StreamReadConstraints.DEFAULT_MAX_STRING_LEN + " characters, " + AS_JACKSON_READS + "); store "
                    + "large data elsewhere (a database, S3) and put its id in the payload";
        }
        if (refused.startsWith("Document nesting depth")) {
            return "message body is nested more than " + MAX_DEPTH + " levels deep, deeper than jobq reads: a payload "
                    + "may be nested up to " + StreamReadConstraints.DEFAULT_MAX_DEPTH + " levels (docs/wire-format.md, "
                    + "Payload binding); send a flatter payload";
        }
        return "message body is beyond what jobq reads (" + UntrustedText.escape(refused, 300) + ")";
    }

    private void readTopLevel(String field, JsonParser parser) throws IOException {
        if (fields.size() <= FIELDS_NAMED) {
            fields.add(UntrustedText.escape(field, FIELD_NAME_CHARS));
        }
        if (problems != null && !field.startsWith("options.")) { // a top-level "options.timeoutMs" is not the option
            readAgain(field);
        }
        switch (field) {
            case "envelopeVersion" -> version = wholeNumber(parser, field);
            case "jobId" -> jobId = text(parser, field);
            case "type" -> type = text(parser, field);
            case "payload" -> payload = rawValue(parser);
            case "options" -> readOptions(parser);
            case "attempt" -> attempt = wholeNumber(parser, field);
            case "attempts" -> attempts = wholeNumber(parser, field);
            case "createdAt" -> createdAt = instant(parser, field);
            case "scheduledFor" -> scheduledFor = instant(parser, field);
            case "traceId" -> traceId = traceId(parser, field);
            case "TopicArn" -> {
                snsTopicArn = parser.currentToken() == JsonToken.VALUE_STRING ? parser.getText() : null;
                parser.skipChildren();
            }
            default -> parser.skipChildren();
        }
    }

    private void readOptions(JsonParser parser) throws IOException {
        if (parser.currentToken() == JsonToken.VALUE_NULL) {
            return;
        }
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            problem("options", "'options' must be an object, got " + describe(parser.currentToken(), parser));
            parser.skipChildren();
            return;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            String path = "options." + field;
            readAgain(path);
            switch (field) {
                case "maxAttempts" -> options.maxAttempts = wholeNumber(parser, path);
                case "maxRetries" -> options.maxRetries = wholeNumber(parser, path);
                case "timeoutMs" -> options.timeoutMs = millis(parser, path);
                case "timeout" -> options.timeout = millis(parser, path);
                case "priority" -> options.priority = wholeNumber(parser, path);
                case "deduplicationKey" -> options.deduplicationKey = text(parser, path);
                case "queue" -> options.queue = text(parser, path);
                default -> parser.skipChildren();
            }
        }
    }

    private JobEnvelope build() {
        int readVersion = version == null ? 0 : version;
        if (readVersion > JobEnvelope.CURRENT_VERSION) {
            throw new UnreadableEnvelopeException("job envelope version " + readVersion
                    + " is newer than this worker reads (up to " + JobEnvelope.CURRENT_VERSION
                    + "); upgrade the worker's jobq to run it", name(jobId), name(type), true);
        }
        if (problems != null) {
            forgetUnread(readVersion);
            if (!problems.isEmpty()) {
                throw unreadable(problems.values().iterator().next());
            }
        }
        if (readVersion < 0) {
            throw unreadable("'envelopeVersion' must be ≥ 0, got " + readVersion + "; write " + JobEnvelope.CURRENT_VERSION
                    + ", the current version (docs/wire-format.md)");
        }
        if (jobId == null && type == null && snsTopicArn != null) {
            throw unreadable("message body is an SNS notification of topic "
                    + UntrustedText.escape(snsTopicArn, PREVIEW_CHARS) + ", not a job envelope: "
                    + "turn on raw message delivery for the topic's subscription of this queue "
                    + "(RawMessageDelivery=true), so that the body is the message published");
        }
        if (version == null && jobId == null && type == null && createdAt == null) {
            throw unreadable("message body is a JSON object but not a job envelope: it has no 'jobId', 'type' or "
                    + "'createdAt' (" + fieldsRead() + ")" + preview());
        }
        if (jobId != null && jobId.isBlank()) {
            throw unreadable("'jobId' must not be blank, got " + UntrustedText.quote(jobId, PREVIEW_CHARS) + "; give each job an id of its own, "
                    + "such as a UUID");
        }
        if (jobId != null && jobId.length() > MAX_JOB_ID) {
            throw unreadable("'jobId' must be at most " + MAX_JOB_ID + " characters, got "
                    + UntrustedText.quote(jobId, PREVIEW_CHARS) + "; give each job a shorter id, such as a UUID");
        }
        if (jobId != null && hasControlCharacter(jobId)) {
            throw unreadable("'jobId' must not have control characters, got " + UntrustedText.quote(jobId, PREVIEW_CHARS)
                    + " (shown escaped); give each job an id without line breaks, tabs or escapes, such as a UUID");
        }
        if (type != null && type.isBlank()) {
            throw unreadable("'type' must not be blank, got " + UntrustedText.quote(type, PREVIEW_CHARS) + "; name the handler's job type, such "
                    + "as \"email:send\"");
        }
        if (jobId == null) {
            throw unreadable(readVersion == 0
                    ? "ChaasKit-format (version 0) message has no 'jobId'; jobq does not make one up, because "
                    + "every redelivery would then look like a new job"
                    : "job envelope has no 'jobId' (the job's own id, such as a UUID; keep it when a send is retried)");
        }
        if (type == null) {
            throw unreadable("job envelope has no 'type' (the handler's job type, such as \"email:send\")");
        }
        if (createdAt == null) {
            throw unreadable("job envelope has no 'createdAt' (an ISO-8601 UTC time such as 2026-11-23T10:00:00Z)");
        }
        boolean chaasKitCount = readVersion == 0 && attempt == null && attempts != null;
        int attemptsMade = chaasKitCount ? attempts : orZero(attempt);
        if (attemptsMade < 0) {
            throw unreadable("'" + (chaasKitCount ? "attempts" : "attempt") + "' must be ≥ 0 (the attempts made before this "
                    + "copy was written; 0 for a new job), got " + attemptsMade);
        }
        return new JobEnvelope(readVersion, jobId, type, payload == null ? "null" : payload,
                jobOptions(readVersion), attemptsMade, createdAt, scheduledFor, traceId);
    }

    private JobOptions jobOptions(int readVersion) {
        Integer maxAttempts = options.maxAttempts;
        String maxAttemptsField = "options.maxAttempts";
        Long timeoutMs = options.timeoutMs;
        String timeoutField = "options.timeoutMs";
        // DESIGN §4: the seeds' maxRetries is the same number as our maxAttempts. Version 0 names them so; a
        // version-1 message may have kept the names (a ChaasKit producer that added envelopeVersion), and
        // they mean the same there unless the version-1 names are given too.
        if (options.maxRetries != null && (readVersion == 0 || maxAttempts == null)) {
            maxAttempts = options.maxRetries;
            maxAttemptsField = "options.maxRetries";
        }
        if (options.timeout != null && (readVersion == 0 || timeoutMs == null)) {
            timeoutMs = options.timeout;
            timeoutField = "options.timeout";
        }
        // Checked here, as written, so that the error names the field of the message and its value.
        if (maxAttempts != null && maxAttempts < 1) {
            throw unreadable("'" + maxAttemptsField + "' must be ≥ 1 (the runs in all, the first included), got "
                    + maxAttempts);
        }
        if (timeoutMs != null && timeoutMs < 1) {
            throw unreadable("'" + timeoutField + "' must be ≥ 1 (milliseconds), got " + timeoutMs);
        }
        if (options.queue != null && options.queue.isBlank()) {
            throw unreadable("'options.queue' must not be blank, got " + UntrustedText.quote(options.queue, PREVIEW_CHARS)
                    + "; leave it out for the queue \"" + JobOptions.DEFAULT_QUEUE + "\"");
        }
        if (options.deduplicationKey != null && options.deduplicationKey.isBlank()) {
            throw unreadable("'options.deduplicationKey' must not be blank, got "
                    + UntrustedText.quote(options.deduplicationKey, PREVIEW_CHARS) + "; leave it out or null for none");
        }
        try {
            return new JobOptions(
                    maxAttempts == null ? JobOptions.DEFAULT_MAX_ATTEMPTS : maxAttempts,
                    timeoutMs == null ? JobOptions.DEFAULT_TIMEOUT : Duration.ofMillis(timeoutMs),
                    options.priority == null ? JobOptions.DEFAULT_PRIORITY : options.priority,
                    options.deduplicationKey,
                    options.queue == null ? JobOptions.DEFAULT_QUEUE : options.queue);
        } catch (IllegalArgumentException e) {
            throw unreadable("job envelope has bad options: " + e.getMessage());
        }
    }

    /** The value's exact text in the body, so the payload is passed on as written. */
    private String rawValue(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        int start = (int) parser.currentTokenLocation().getCharOffset();
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
            parser.skipChildren();
        } else if (token == JsonToken.VALUE_STRING) {
            parser.finishToken();
        }
        int end = (int) parser.currentLocation().getCharOffset();
        return body.substring(start, end);
    }

    private @Nullable String text(JsonParser parser, String field) throws IOException {
        return switch (parser.currentToken()) {
            case VALUE_STRING -> parser.getText();
            case VALUE_NULL -> null;
            default -> {
                problem(field, "'" + field + "' must be a string, got " + describe(parser.currentToken(), parser));
                parser.skipChildren();
                yield null;
            }
        };
    }

    /**
     * A trace id, checked as {@link EnqueueOptions.Builder#traceId} checks one, so that the handler
     * can pass {@code ctx.traceId()} on to the jobs it enqueues.
     */
    private @Nullable String traceId(JsonParser parser, String field) throws IOException {
        String text = text(parser, field);
        if (text != null && !EnqueueOptions.isTraceId(text)) {
            String shown = UntrustedText.quote(text, PREVIEW_CHARS);
            problem(field, "'" + field + "' must be 1 to " + EnqueueOptions.MAX_TRACE_ID + " characters without "
                    + "control characters, got " + shown + "; leave it out or null for none");
        }
        return text;
    }

    private @Nullable Integer wholeNumber(JsonParser parser, String field) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() == JsonParser.NumberType.INT) {
            return parser.getIntValue();
        }
        if (token == JsonToken.VALUE_NUMBER_INT || isWhole(token, parser)) {
            try {
                return parser.getDecimalValue().intValueExact();
            } catch (ArithmeticException beyond) {
                problem(field, "'" + field + "' must be a whole number from " + Integer.MIN_VALUE + " to "
                        + Integer.MAX_VALUE + ", got " + describe(token, parser));
                return null;
            }
        }
        problem(field, "'" + field + "' must be a whole number, got " + describe(token, parser)
                + unquoted(token, parser));
        parser.skipChildren();
        return null;
    }

    private @Nullable Long millis(JsonParser parser, String field) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            return parser.getLongValue();
        }
        if (token == JsonToken.VALUE_NUMBER_INT || isWhole(token, parser)) {
            try {
                return parser.getDecimalValue().longValueExact();
            } catch (ArithmeticException beyond) {
                problem(field, "'" + field + "' must be a whole number of milliseconds up to " + Long.MAX_VALUE
                        + ", got " + describe(token, parser));
                return null;
            }
        }
        problem(field, "'" + field + "' must be a whole number of milliseconds, got " + describe(token, parser)
                + unquoted(token, parser));
        parser.skipChildren();
        return null;
    }

    /**
     * The fix for a whole number written as a string ({@code "3"}, as a producer that takes it from an environment
     * variable or a form sends it), else nothing.
     */
    private static String unquoted(JsonToken token, JsonParser parser) throws IOException {
        if (token != JsonToken.VALUE_STRING) {
            return "";
        }
        String text = parser.getText().strip();
        return text.length() <= MAX_QUOTED_DIGITS && QUOTED_WHOLE_NUMBER.matcher(text).matches()
                ? "; write it as a JSON number, without quotes: " + text : "";
    }

    /**
     * A number written with a fraction of zero or an exponent ({@code 3.0}, as Python's {@code json.dumps} writes a float;
     * {@code 1e3}) that is whole: JSON has one number type, and JSON Schema's "integer" is such a number too. Not one
     * whose exponent a BigDecimal cannot hold ({@code 1e-99999999999}), which Jackson throws for.
     */
    private static boolean isWhole(JsonToken token, JsonParser parser) throws IOException {
        if (token != JsonToken.VALUE_NUMBER_FLOAT) {
            return false;
        }
        try {
            return parser.getDecimalValue().stripTrailingZeros().scale() <= 0;
        } catch (NumberFormatException beyondBigDecimal) {
            return false;
        }
    }

    private static boolean looksLikeEpochSeconds(double number) {
        double magnitude = Math.abs(number);
        return magnitude >= EPOCH_SECONDS_FROM && magnitude < EPOCH_SECONDS_UP_TO;
    }

    /**
     * ISO-8601 text, or epoch milliseconds as JavaScript producers write them; with a fraction (Python's
     * {@code time.time() * 1000}) to the microsecond, which is as far as a double's digits reach.
     */
    private @Nullable Instant instant(JsonParser parser, String field) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if ((token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT)
                && looksLikeEpochSeconds(parser.getDoubleValue())) {
            double seconds = parser.getDoubleValue();
            double whole = Math.floor(seconds);
            Instant asSeconds = Instant.ofEpochSecond((long) whole).plusMillis(Math.round((seconds - whole) * 1_000));
            problem(field, "'" + field + "' must be epoch milliseconds, got " + number(parser.getText())
                    + ", which looks like epoch seconds (" + asSeconds + "; as milliseconds it would be "
                    + Instant.ofEpochMilli((long) whole) + "): multiply it by 1000");
            return null;
        }
        if (token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            return Instant.ofEpochMilli(parser.getLongValue());
        }
        if (token == JsonToken.VALUE_NUMBER_FLOAT) {
            double millis = parser.getDoubleValue();
            if (Math.abs(millis) < MAX_EPOCH_MILLIS) {
                double whole = Math.floor(millis);
                return Instant.ofEpochMilli((long) whole).plusNanos(Math.round((millis - whole) * 1_000) * 1_000);
            }
        }
        if (token == JsonToken.VALUE_STRING) {
            String text = parser.getText();
            // RFC 3339 lets a space stand for the T, as Python's str() and SQL write a time
            String iso = text.length() > 10 && text.charAt(10) == ' ' ? text.substring(0, 10) + 'T' + text.substring(11)
                    : text;
            Instant instant = time(text, iso);
            if (instant == null) {
                problem(field, "'" + field + "' must be an ISO-8601 UTC time such as 2026-11-23T10:00:00Z, got "
                        + UntrustedText.quote(text, PREVIEW_CHARS) + (isLocalTime(iso) ? "; it has no offset: add Z when it is UTC, else its offset "
                        + "(+02:00)" : ""));
            }
            return instant;
        }
        problem(field, "'" + field + "' must be an ISO-8601 time or epoch milliseconds, got "
                + describe(token, parser));
        parser.skipChildren();
        return null;
    }

    /** {@code text} ({@code iso}: with a T for its space) in one of the forms docs/wire-format.md lists, else null. */
    private static @Nullable Instant time(String text, String iso) {
        try {
            return Instant.parse(iso);
        } catch (DateTimeParseException notWithSeconds) {
            // ISO-8601 lets the seconds out when they are zero, as OffsetDateTime.toString() does
        }
        try {
            return OffsetDateTime.parse(iso).toInstant();
        } catch (DateTimeParseException notExtended) {
            // perhaps its offset has no colon or no minutes
        }
        try {
            return OffsetDateTime.parse(iso, OFFSET_WITHOUT_COLON).toInstant();
        } catch (DateTimeParseException notIso) {
            // perhaps Ruby's
        }
        try {
            return OffsetDateTime.parse(text, RUBY_TIME).toInstant();
        } catch (DateTimeParseException none) {
            return null;
        }
    }

    private static boolean isLocalTime(String text) {
        try {
            LocalDateTime.parse(text);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private void problem(String field, String message) {
        if (problems == null) {
            problems = new LinkedHashMap<>();
        }
        problems.putIfAbsent(field, message);
    }

    /**
     * Forgets what was wrong with the fields the envelope's version does not read, as it ignores any field it does not
     * know (docs/wire-format.md, Compatibility): version 0's {@code attempts} in version 1, or where {@code attempt} is
     * given; the other version's name of an option given by its own version's name. A version-1 producer's own
     * {@code "attempts": [...]} made its every message unreadable.
     */
    private void forgetUnread(int readVersion) {
        boolean zero = readVersion == 0;
        if (!zero || attempt != null) {
            readAgain("attempts");
        }
        if (zero ? options.maxRetries != null : options.maxAttempts != null) {
            readAgain(zero ? "options.maxAttempts" : "options.maxRetries");
        }
        if (zero ? options.timeout != null : options.timeoutMs != null) {
            readAgain(zero ? "options.timeoutMs" : "options.timeout");
        }
    }

    /** {@code field} is written again: what was wrong with its earlier value no longer counts. */
    private void readAgain(String field) {
        if (problems != null) {
            problems.remove(field);
        }
    }

    private UnreadableEnvelopeException unreadable(String message) {
        return new UnreadableEnvelopeException(message, name(jobId), name(type), false);
    }

    /**
     * A job id or type as the exception carries it to name the dead job: none when blank, so that the provider names it
     * otherwise (on SQS by its JobId and JobType attributes, else by the message's id) rather than as {@code " "}.
     */
    private static @Nullable String name(@Nullable String read) {
        return read == null || read.isBlank() ? null : read;
    }

    /**
     * Whether a job id has a control character (C0, DEL, C1), as a job type or a trace id may not: the worker's and the
     * providers' lines about a job repeat its id as it is, where a newline started a forged line and an ANSI escape
     * repainted the terminal. One pass over the id, on reading alone.
     */
    private static boolean hasControlCharacter(String id) {
        for (int i = 0; i < id.length(); i++) {
            if (Character.isISOControl(id.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private String fieldsRead() {
        if (fields.isEmpty()) {
            return "it is empty";
        }
        return "its fields: " + String.join(", ", fields.subList(0, Math.min(fields.size(), FIELDS_NAMED)))
                + (fields.size() > FIELDS_NAMED ? ", …" : "");
    }

    private String preview() {
        String start = body.strip();
        return "; body starts with: " + UntrustedText.escape(start, PREVIEW_CHARS);
    }

    private static String describe(@Nullable JsonToken token, JsonParser parser) throws IOException {
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "the string " + UntrustedText.quote(parser.getText(), PREVIEW_CHARS);
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + number(parser.getText());
            case VALUE_TRUE, VALUE_FALSE -> parser.getText();
            case VALUE_NULL -> "null";
            default -> token.toString();
        };
    }

    /** A number's text, cut as {@link UntrustedText#quote} cuts a string: it may have up to 1000 digits. */
    private static String number(String text) {
        return text.length() <= PREVIEW_CHARS ? text
                : text.substring(0, PREVIEW_CHARS) + "… (" + text.length() + " characters)";
    }

    /** The options of either version, as read; interpreted once the version is known. */
    private static final class OptionFields {
        private @Nullable Integer maxAttempts;
        private @Nullable Integer maxRetries;
        private @Nullable Long timeoutMs;
        private @Nullable Long timeout;
        private @Nullable Integer priority;
        private @Nullable String deduplicationKey;
        private @Nullable String queue;
    }

    private static int orZero(@Nullable Integer value) {
        return value == null ? 0 : value;
    }
}
