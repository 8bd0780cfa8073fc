package dev.jobq.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ConfigLoader: provider: and queues:")
class ProviderSectionTest {

    @Test
    void makesTheDefaultQueueInMemoryWhenNoProviderIsWritten() {
        ProviderSection section = Load.yaml("worker: {}\n").providers().get("default");

        assertThat(section.queueName()).isEqualTo("default");
        assertThat(section.type()).isEqualTo("memory");
        assertThat(section.settings().path()).isEqualTo("provider");
    }

    @Test
    void readsTheProviderAndNamedQueuesInFileOrder() {
        JobQueueConfig config = Load.yaml("""
                provider:
                  type: sqs
                  region: us-east-1
                  queueUrl: http://localhost/q/default
                queues:
                  reports: { type: memory, maxHistorySize: 50 }
                  critical: { type: sqs, region: eu-west-1, queueUrl: http://localhost/q/critical }
                """);

        assertThat(config.providers()).containsOnlyKeys("default", "reports", "critical");
        assertThat(config.providers().keySet()).containsExactly("default", "reports", "critical");
        ProviderSection reports = config.providers().get("reports");
        assertThat(reports.type()).isEqualTo("memory");
        assertThat(reports.queueName()).isEqualTo("reports");
        assertThat(reports.settings().path()).isEqualTo("queues.reports");
        assertThat(reports.settings().integer("maxHistorySize", 0, 0, 100)).isEqualTo(50);
        assertThat(config.providers().get("critical").settings().string("region")).isEqualTo("eu-west-1");
    }

    @Test
    void requiresATypeInAWrittenSection() {
        assertThat(Load.problems("provider:\n  maxHistorySize: 5\n")).containsExactly(
                "provider.type: is required; name the provider, e.g. type: memory (available: memory, sqs)");
    }

    @Test
    void namesAnUnknownTypeWithWhatIsAvailable() {
        assertThat(Load.problems("provider:\n  type: rabbit\n  host: localhost\n")).containsExactly(
                "provider.type: unknown provider type 'rabbit' (available: memory, sqs); check the spelling, or add "
                        + "the jar that provides it");
    }

    @Test
    void namesTheArtifactOfAKnownTypeThatIsMissing() {
        assertThat(Load.problems("queues:\n  reports:\n    type: sqs\n", Map.of(), TestCatalogs.memoryOnly()))
                .containsExactly("queues.reports.type: unknown provider type 'sqs' (available: memory); add "
                        + "dev.jobq:provider-sqs to the classpath (or its jar to the worker's --handlers directory)");
    }

    /**
     * A type is matched as written, unlike mode: and deadLetter: values: type: SQS was told "check the spelling" with
     * sqs among the types it listed, and nothing said the case was what to fix.
     */
    @Test
    void suggestsTheTypeWrittenInAnotherCase() {
        assertThat(Load.problems("provider:\n  type: SQS\n")).containsExactly(
                "provider.type: unknown provider type 'SQS'; did you mean sqs? (available: memory, sqs); type names "
                        + "are case-sensitive: write type: sqs");
        assertThat(Load.problems("queues:\n  reports:\n    type: Sqs\n", Map.of(), TestCatalogs.memoryOnly()))
                .containsExactly("queues.reports.type: unknown provider type 'Sqs'; did you mean sqs? (available: "
                        + "memory); write type: sqs and add dev.jobq:provider-sqs to the classpath (or its jar to the "
                        + "worker's --handlers directory)");
    }

    @Test
    void letsTheFactoryCheckItsKeysUnderTheQueuePath() {
        assertThat(Load.problems("""
                provider:
                  type: sqs
                  regoin: us-east-1
                  queueUrl: http://localhost/q
                queues:
                  reports: { type: memory, maxHistorySize: 0 }
                """)).containsExactly(
                "provider.region: is required; write e.g. region: us-east-1",
                "provider.regoin: unknown key; did you mean region? (known keys here: type, region, queueUrl, "
                        + "visibilityTimeout, endpoint)",
                "queues.reports.maxHistorySize: must be ≥ 1, got 0");
    }

    @Test
    void refusesAQueueNamedDefault() {
        assertThat(Load.problems("queues:\n  default: { type: memory }\n")).containsExactly(
                "queues.default: conflicts with provider:, which configures the \"default\" queue; rename this "
                        + "queue, or move its settings under provider:");
    }

    /**
     * A queue's name is a key, which is not substituted (configuration.md): {@code ${REPORTS_QUEUE}:} made a queue named
     * so, with the brace and all, and jobs enqueued to the name meant were refused as for an unknown queue.
     */
    @Test
    void refusesAQueueNamedAsAnEnvironmentReference() {
        assertThat(Load.problems("queues:\n  ${REPORTS_QUEUE}: { type: memory }\n", Map.of("REPORTS_QUEUE", "reports")))
                .containsExactly("queues.${REPORTS_QUEUE}: a queue's name is a key, and keys are read as written: "
                        + "${…} is replaced in values only, so this queue would be named '${REPORTS_QUEUE}'; write "
                        + "its name itself");
    }

    /** The scheduler's table holds 255 characters of queue name: a longer one took jobs for now but no delayed one. */
    @Test
    void refusesAQueueNameLongerThanTheSchedulerHolds() {
        String name = "q".repeat(256);
        assertThat(Load.problems("queues:\n  " + name + ": { type: memory }\n")).containsExactly(
                "queues." + name + ": a queue name may have at most 255 characters (what the scheduler holds), got 256; "
                        + "choose a shorter name");
        assertThat(ConfigLoader.parse("queues:\n  " + "q".repeat(255) + ": { type: memory }\n", "jobq.yaml", Map.of(),
                TestCatalogs.all())).isNotNull();
    }

    @Test
    @DisplayName("a queue name with a control character is refused, escaped; a bidi override is taken, as in a type")
    void refusesAQueueNameWithAControlCharacter() {
        assertThat(Load.problems("queues:\n  \"rep\\eorts\": { type: memory }\n  \"audit\\n\": { type: memory }\n"))
                .containsExactly(
                        "queues.rep\\u001borts: a queue name may not have control characters (shown escaped); "
                                + "name the queue without line breaks, tabs or other control characters, such as "
                                + "\"reports\"",
                        "queues.audit\\n: a queue name may not have control characters (shown escaped); "
                                + "name the queue without line breaks, tabs or other control characters, such as "
                                + "\"reports\"");
        assertThat(Load.yaml("queues:\n  \"rep\\u202eorts\": { type: memory }\n").providers())
                .containsOnlyKeys("default", "rep\u202eorts");
    }

    @Test
    void refusesAProviderThatIsNotASectionOnce() {
        assertThat(Load.problems("provider: sqs\n")).containsExactly(
                "provider: must be a section of keys, got 'sqs'; write the provider as its type: provider: {type: sqs}");
    }

    @Test
    @DisplayName("a provider written as a value that is no type's name is not told to make that value its type")
    void advisesTheTypeShorthandOnlyForAValueThatCanBeATypeName() {
        assertThat(Load.problems("provider: ''\nqueues:\n  reports: https://sqs.us-east-1.amazonaws.com/1/reports\n"))
                .containsExactly(
                        "provider: must be a section of keys, got ''; write its keys on the lines below provider:, "
                                + "indented",
                        "queues.reports: must be a section of keys, got 'https://sqs.us-east-1.amazonaws.com/1/reports'; "
                                + "write its keys on the lines below reports:, indented");
    }

    @Test
    void refusesAQueueThatIsNotASection() {
        assertThat(Load.problems("queues:\n  reports: sqs\n")).containsExactly(
                "queues.reports: must be a section of keys, got 'sqs'; write the provider as its type: "
                        + "reports: {type: sqs}");
    }

    /** A type from a variable read from a file (a mounted secret, an env file) ends in its newline. */
    @Test
    void readsATypeWithTheTrailingNewlineOfAVariableRead() {
        JobQueueConfig config = Load.yaml("provider:\n  type: ${PROVIDER}\n", Map.of("PROVIDER", "memory\n"));

        assertThat(config.providers().get("default").type()).isEqualTo("memory");
    }

    /** A blank key was named by its path alone, "queues.: …", with nothing to find it by in the file. */
    @Test
    void refusesABlankQueueNameNamingItQuoted() {
        assertThat(Load.problems("queues:\n  \"\": { type: memory }\n  \" \": { type: memory }\n"))
                .containsExactly("queues: has a queue whose name is blank (''); give the queue a name",
                        "queues: has a queue whose name is blank (' '); give the queue a name");
    }

    /** A blank key was repeated whole and unquoted by the path: 100 spaces (a pasted indent) in one line. */
    @Test
    void aLongBlankQueueNameIsCutWithItsLengthAsOtherBlankValuesAre() {
        assertThat(Load.problems("queues:\n  \"" + " ".repeat(100) + "\": { type: memory }\n  \"\\t\": { type: memory }\n"))
                .containsExactly("queues: has a queue whose name is blank ('" + " ".repeat(60) + "…' (100 characters)); "
                        + "give the queue a name", "queues: has a queue whose name is blank ('\\t'); give the queue a name");
    }

    /** YAML's null key ({@code ~:}, {@code null:}) is no name: a queue named "~" is one nobody enqueues to. */
    @Test
    void refusesAQueueWithANullKey() {
        assertThat(Load.problems("queues:\n  ~: { type: memory }\n"))
                .containsExactly("queues.~: is YAML's null, not a queue's name; write the queue's name itself");
    }
}
