package dev.jobq.sqs;

import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.Settings;
import dev.jobq.spi.UntrustedText;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The settings of one SQS queue as read from its provider section. {@link #read(Settings)} records
 * every problem with its key path and never connects anywhere.
 *
 * @param region             the AWS region of the queue
 * @param queueUrl           the queue's URL, or null when it is found by {@code queueName}
 * @param queueName          the queue's name, or null when {@code queueUrl} is given
 * @param createIfMissing    create {@code queueName} when it does not exist (development)
 * @param deadLetterQueueUrl where dead jobs are copied; null to use the queue's redrive policy target
 * @param deadLetter         what happens to dead jobs
 * @param visibilityTimeout  the lease of a delivery; null to use the queue's own VisibilityTimeout
 * @param waitTime           the longest one ReceiveMessage long poll waits
 * @param endpoint           an endpoint override (LocalStack, ElasticMQ); null for AWS
 * @param maxPayloadBytes    the queue's largest message, body and attributes, in bytes
 * @param groupId            the FIFO message group of every job; null for one group per job type
 * @param keys               static credentials for local servers; null for the SDK's default chain
 * @param requestTimeout     the longest one attempt of a request waits for SQS's answer, beyond a
 *                           receive's own wait
 */
record SqsSettings(String region, @Nullable URI queueUrl, @Nullable String queueName, boolean createIfMissing,
                   @Nullable URI deadLetterQueueUrl, DeadLetterPolicy deadLetter, @Nullable Duration visibilityTimeout,
                   Duration waitTime, @Nullable URI endpoint, int maxPayloadBytes, @Nullable String groupId,
                   @Nullable StaticKeys keys, Duration requestTimeout) {

    static final int DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;
    static final int MIN_MAX_PAYLOAD_BYTES = 256 * 1024;
    static final Duration DEFAULT_WAIT_TIME = Duration.ofSeconds(20);
    static final Duration MAX_WAIT_TIME = Duration.ofSeconds(20);
    static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    static final Duration MIN_REQUEST_TIMEOUT = Duration.ofMillis(100);
    static final Duration MAX_REQUEST_TIMEOUT = Duration.ofMinutes(5);

    private static final String REGION_HINT = "the AWS region of the queue, such as us-east-1 (beside endpoint, a name "
            + "the server takes: any for ElasticMQ, an AWS region's for LocalStack)";
    /**
     * A region's name in AWS's form. This pattern and the others of regions are possessive, as a dash and what follows
     * it are told apart without going back: {@code (-[a-z0-9]+)+} recursed once a dash, and a region (or an SQS
     * host) of about 5,000 dashes ended the config's reading with a StackOverflowError.
     */
    private static final Pattern REGION = Pattern.compile("[a-z]{2,4}(?:-[a-z0-9]++)++");
    /**
     * A region's name beside an endpoint, where it only signs requests: ElasticMQ takes any ({@code elasticmq});
     * LocalStack takes AWS regions' names unless started with {@code ALLOW_NONSTANDARD_REGIONS=1}.
     */
    private static final Pattern LOCAL_REGION = Pattern.compile("[a-z0-9]++(?:-[a-z0-9]++)*+");
    /**
     * An AWS region's name ends in a number ({@code us-east-1}, {@code us-gov-west-1}, the European Sovereign Cloud's
     * {@code eusc-de-east-1}): {@code us-east1} is a typo.
     */
    private static final Pattern AWS_REGION = Pattern.compile("[a-z]{2,4}(?:-[a-z]++)++-[0-9]++");
    private static final Pattern QUEUE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,75}(\\.fifo)?|[A-Za-z0-9_-]{1,80}");
    private static final Pattern GROUP_ID = Pattern.compile("[\\x21-\\x7E]{1,128}");
    /**
     * The region in the host of an AWS queue URL: {@code sqs.REGION.amazonaws.com} (and its China, European
     * Sovereign Cloud, isolated partitions', dual-stack and FIPS {@code sqs-fips.REGION…} forms), a VPC endpoint's
     * {@code ….sqs.REGION.vpce.amazonaws.com}, or the legacy {@code REGION.queue.amazonaws.com}. Its regions are
     * matched possessively, as {@link #REGION} is.
     */
    private static final Pattern URL_REGION = Pattern.compile("(?:.+\\.)?sqs(?:-fips)?\\."
            + "([a-z]{2,4}(?:-[a-z0-9]++)++)\\."
            + "(?:vpce\\.)?(?:amazonaws\\.com(?:\\.cn)?|api\\.aws|amazonaws\\.eu|api\\.amazonwebservices\\.eu"
            // the isolated partitions' (aws-iso, -iso-b, -iso-e, -iso-f) and their dual-stack forms
            + "|c2s\\.ic\\.gov|api\\.aws\\.ic\\.gov|sc2s\\.sgov\\.gov|api\\.aws\\.scloud|cloud\\.adc-e\\.uk"
            + "|api\\.cloud-aws\\.adc-e\\.uk|csp\\.hci\\.ic\\.gov|api\\.aws\\.hci\\.ic\\.gov)"
            + "|([a-z]{2}(?:-[a-z0-9]++)++)\\.queue\\.amazonaws\\.com(?:\\.cn)?");
    /** us-east-1's legacy SQS host, whose queue URLs name no region. */
    private static final String LEGACY_US_EAST_1 = "queue.amazonaws.com";
    /**
     * The characters of a queue's name that its "write queueUrl:" advice repeats, as {@link Settings#shownValue} cuts
     * the value; the rest is cut.
     */
    private static final int VALUE_PREVIEW_CHARS = 80;
    /** What {@link #wholeSeconds} reads where a key is not set or its value is refused: below any key's range. */
    private static final Duration NOT_SET = Duration.ofMillis(-1);

    /** An access key pair for LocalStack or ElasticMQ; the secret never appears in {@link #toString()}. */
    record StaticKeys(String accessKeyId, String secretAccessKey) {
        @Override
        public String toString() {
            return "StaticKeys[accessKeyId=" + accessKeyId + ", secretAccessKey=" + Secrets.MASK + "]";
        }
    }

    /** The settings with the URLs' secrets (a password, a presigned URL's token) masked, as messages show them. */
    @Override
    public String toString() {
        return Secrets.maskUrl("SqsSettings[region=" + region + ", queueUrl=" + queueUrl + ", queueName=" + queueName
                + ", createIfMissing=" + createIfMissing + ", deadLetterQueueUrl=" + deadLetterQueueUrl + ", deadLetter="
                + deadLetter + ", visibilityTimeout=" + visibilityTimeout + ", waitTime=" + waitTime + ", endpoint="
                + endpoint + ", maxPayloadBytes=" + maxPayloadBytes + ", groupId=" + groupId + ", keys=" + keys
                + ", requestTimeout=" + requestTimeout + "]");
    }

    /** True for a FIFO queue, whose name (and so URL) ends in {@code .fifo}. */
    boolean fifo() {
        String name = queueName != null ? queueName : queueUrl == null ? "" : queueUrl.getPath();
        return name.endsWith(".fifo");
    }

    /** The queue as the user wrote it, for messages. */
    String queueLabel() {
        return queueUrl != null ? Secrets.maskUrl(queueUrl.toString()) : String.valueOf(queueName);
    }

    /** Reads and checks every key of {@code settings}; problems go to {@code settings}. */
    static SqsSettings read(Settings settings) {
        settings.markKnown("type");
        // stripped: a value read from a file (a mounted secret, an env file) into a variable ends in its newline
        String region = settings.requireString("region", REGION_HINT).strip();
        if (region.isEmpty() && settings.has("region")) {
            settings.problem("region", "is required; " + REGION_HINT); // blanks alone; said once when empty
        }
        int problemsBeforeQueueUrl = settings.problems().size();
        URI queueUrl = uri(settings, "queueUrl");
        boolean badQueueUrl = settings.problems().size() > problemsBeforeQueueUrl; // already said; an empty one is not
        String queueName = stripped(settings.string("queueName")); // as the region, a variable's trailing newline
        boolean createIfMissing = settings.bool("createIfMissing", false);
        if (queueUrl == null && queueName == null && !badQueueUrl) {
            settings.problem("queueUrl", "is required; set queueUrl to the queue's URL (https://sqs.REGION"
                    + ".amazonaws.com/ACCOUNT/NAME), or queueName with createIfMissing: true for development");
        } else if (queueUrl != null && queueName != null) {
            settings.problem("queueName", "set either queueUrl or queueName, not both");
        }
        if (queueName != null && !QUEUE_NAME.matcher(queueName).matches()) {
            settings.problem("queueName", "must be 1 to 80 letters, digits, '-' or '_' (a FIFO queue ending in "
                    + "'.fifo'), got " + Settings.shownValue(queueName) + (queueName.startsWith("http://")
                    || queueName.startsWith("https://") ? "; for the queue's URL write queueUrl: "
                    + UntrustedText.escape(Secrets.maskUrl(queueName), VALUE_PREVIEW_CHARS) : ""));
        }
        if (createIfMissing && queueName == null) {
            settings.problem("createIfMissing", "applies to queueName only; with queueUrl the queue must exist");
        }
        URI deadLetterQueueUrl = uri(settings, "deadLetterQueueUrl");
        DeadLetterPolicy deadLetter = settings.choice("deadLetter", DeadLetterPolicy.class, DeadLetterPolicy.MOVE);
        if (deadLetter == DeadLetterPolicy.DISCARD && deadLetterQueueUrl != null) {
            settings.problem("deadLetter", "is discard, so deadLetterQueueUrl would never be used; remove one of them");
        }
        Duration visibilityTimeout = wholeSeconds(settings, "visibilityTimeout", Duration.ofSeconds(1),
                Lease.MAX_VISIBILITY);
        Duration waitTime = wholeSeconds(settings, "waitTime", Duration.ZERO, MAX_WAIT_TIME);
        URI endpoint = uri(settings, "endpoint");
        long maxPayloadBytes = settings.bytes("maxPayloadBytes", DEFAULT_MAX_PAYLOAD_BYTES, MIN_MAX_PAYLOAD_BYTES,
                DEFAULT_MAX_PAYLOAD_BYTES);
        String groupId = stripped(settings.string("groupId")); // as the queue's name, a variable's trailing newline
        if (groupId != null && !GROUP_ID.matcher(groupId).matches()) {
            settings.problem("groupId", "must be 1 to 128 printable ASCII characters without spaces, got "
                    + Settings.shownValue(groupId));
        }
        StaticKeys keys = keys(settings);
        Duration requestTimeout = settings.duration("requestTimeout", DEFAULT_REQUEST_TIMEOUT, MIN_REQUEST_TIMEOUT,
                MAX_REQUEST_TIMEOUT);
        // an endpoint on AWS itself (sqs.REGION.amazonaws.com, a VPC endpoint) is no local server: AWS's checks apply
        boolean onAws = endpoint == null || regionOf(endpoint) != null;
        String awsEndpoint = endpoint == null ? ""
                : "; endpoint " + shownUnquoted(endpoint.toString()) + " is AWS's own";
        // beside an endpoint the region only signs requests: a local server's own name (ElasticMQ's "elasticmq") works
        if (!region.isEmpty() && !(onAws ? REGION : LOCAL_REGION).matcher(region).matches()) {
            settings.problem("region", onAws ? "must be an AWS region name such as us-east-1, got "
                    + Settings.shownValue(region) + awsEndpoint : "beside endpoint it must be a name of lower-case "
                    + "letters, digits and dashes the server takes, such as elasticmq for ElasticMQ or us-east-1 "
                    + "(LocalStack takes AWS regions' names); got " + Settings.shownValue(region));
        }
        if (onAws && REGION.matcher(region).matches() && !AWS_REGION.matcher(region).matches()) {
            // the SDK would look up sqs.<region>.amazonaws.com and fail to connect after its retries, naming no key
            settings.problem("region", Settings.shownValue(region) + " is not an AWS region name: they end in a "
                    + "dash and a number, such as us-east-1 or eu-west-2 (aws ec2 describe-regions lists them)"
                    + (endpoint == null ? "; beside endpoint, a name the server takes (ElasticMQ any)" : awsEndpoint));
        } else if (onAws && REGION.matcher(region).matches()) {
            // the SDK asks the region's endpoint whatever host the URL names, and SQS there knows no such queue
            requireRegion(settings, "queueUrl", queueUrl, region);
            requireRegion(settings, "deadLetterQueueUrl", deadLetterQueueUrl, region);
            requireEndpointRegion(settings, endpoint, region);
        }
        settings.checkNoUnknownKeys();
        var read = new SqsSettings(region, queueUrl, queueName, createIfMissing, deadLetterQueueUrl, deadLetter,
                visibilityTimeout, waitTime == null ? DEFAULT_WAIT_TIME : waitTime, endpoint, (int) maxPayloadBytes,
                groupId, keys, requestTimeout);
        if (groupId != null && (queueUrl != null || queueName != null) && !read.fifo()) {
            settings.problem("groupId", "applies to FIFO queues only (their names end in .fifo); "
                    + shownUnquoted(read.queueLabel()) + " is a standard queue");
        }
        return read;
    }

    private static void requireRegion(Settings settings, String key, @Nullable URI url, String region) {
        String urlRegion = url == null || url.getHost() == null ? null : regionOf(url);
        if (urlRegion != null && !urlRegion.equals(region)) {
            settings.problem(key, shownUnquoted(url.toString()) + " is a queue of region " + shownUnquoted(urlRegion)
                    + ", but region is " + shownUnquoted(region) + "; SQS answers that the queue does not exist when "
                    + "asked in another region: set region: " + shownUnquoted(urlRegion));
        }
    }

    /** An endpoint on AWS serves its own region only: a request signed for another is refused. */
    private static void requireEndpointRegion(Settings settings, @Nullable URI endpoint, String region) {
        String endpointRegion = endpoint == null ? null : regionOf(endpoint);
        if (endpointRegion != null && !endpointRegion.equals(region)) {
            settings.problem("endpoint", shownUnquoted(endpoint.toString()) + " is SQS's endpoint in region "
                    + shownUnquoted(endpointRegion) + ", but region is " + shownUnquoted(region) + "; AWS refuses a "
                    + "request signed for another region than its endpoint's: set region: "
                    + shownUnquoted(endpointRegion) + ", or an endpoint of region " + shownUnquoted(region));
        }
    }

    /**
     * The AWS region whose SQS {@code url}'s host is ({@link #URL_REGION}; the legacy {@code queue.amazonaws.com},
     * which names none, is us-east-1's), or null for a host that is not SQS's on AWS (a local server).
     */
    private static @Nullable String regionOf(URI url) {
        String host = host(url);
        if (host.equals(LEGACY_US_EAST_1)) {
            return "us-east-1";
        }
        Matcher m = URL_REGION.matcher(host);
        return !m.matches() ? null : m.group(1) != null ? m.group(1) : m.group(2);
    }

    /**
     * The host of {@code url} as it is compared: in lower case, as hosts are read in any case
     * (SQS.US-EAST-1.AMAZONAWS.COM), and without DNS's trailing dot (sqs.us-east-1.amazonaws.com.), the same host.
     */
    private static String host(URI url) {
        String host = url.getHost().toLowerCase(Locale.ROOT);
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }

    private static @Nullable StaticKeys keys(Settings settings) {
        String accessKeyId = settings.string("accessKeyId");
        String secretAccessKey = settings.string("secretAccessKey");
        if ((accessKeyId == null) != (secretAccessKey == null)) {
            settings.problem(accessKeyId == null ? "accessKeyId" : "secretAccessKey", "is required with "
                    + (accessKeyId == null ? "secretAccessKey" : "accessKeyId") + "; set both (LocalStack or "
                    + "ElasticMQ), or neither to use the AWS SDK's default credentials chain");
            return null;
        }
        return accessKeyId == null ? null : new StaticKeys(accessKeyId, secretAccessKey);
    }

    private static @Nullable Duration wholeSeconds(Settings settings, String key, Duration min, Duration max) {
        // read once, with the range and in seconds: a bare number is offered only the forms the key takes, where one
        // read without the range first offered 30ms and 30h to visibilityTimeout's 30 (1s to 12h), and one read
        // without the seconds 30ms to waitTime's 30, refused below as not whole seconds
        Duration value = settings.duration(key, NOT_SET, min, max, Duration.ofSeconds(1));
        if (value.equals(NOT_SET)) {
            // absent, or empty as a ${VAR:-} left unset writes it: the default (the queue's own lease, a 20 s
            // wait), not a lease of 0s that SQS would hand out again at once; or a bad value, reported already
            return null;
        }
        if (value.toNanosPart() != 0) {
            // as a refusal by the range shows it (1s500ms, not 43199500ms for 11h59m59s500ms); finer in ISO-8601,
            // where 1000ms read as whole seconds
            settings.problem(key, "must be whole seconds (SQS counts this in seconds), got "
                    + DurationFormat.formatExact(value));
        }
        return value;
    }

    /** A value a problem names unquoted (a URL, a region in a sentence): {@link Settings#shownUnquoted}. */
    private static String shownUnquoted(String text) {
        return Settings.shownUnquoted(text, "characters");
    }

    /** {@code text} stripped; null when absent or blank, as an empty value is. */
    private static @Nullable String stripped(@Nullable String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    private static @Nullable URI uri(Settings settings, String key) {
        String text = settings.string(key);
        if (text == null) {
            return null;
        }
        try {
            URI uri = new URI(text.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                // a scheme is read in any case (HTTPS://); in lower case, as the SDK and the URLs compared here want it
                return scheme.equals(uri.getScheme()) ? uri : new URI(scheme + uri.toString().substring(scheme.length()));
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        settings.problem(key, "must be an http or https URL, got " + Settings.shownValue(text)
                + urlAdvice(key, text.strip()));
        return null;
    }

    /** What the user likely meant by a queue's name or ARN where its URL belongs. */
    private static String urlAdvice(String key, String text) {
        if (key.equals("endpoint")) {
            return "";
        }
        if (text.startsWith("arn:")) {
            return "; that is an ARN: give the queue's URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, as "
                    + "aws sqs get-queue-url prints it)";
        }
        if (QUEUE_NAME.matcher(text).matches()) {
            return key.equals("queueUrl") ? "; for a queue's name write queueName: " + text
                    : "; that is a queue's name: give its URL (aws sqs get-queue-url --queue-name " + text + ")";
        }
        return "";
    }
}
