package dev.jobq.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.jobq.ConfigException;
import dev.jobq.internal.config.ConfigLoader;
import dev.jobq.internal.config.JobQueueConfig;
import dev.jobq.internal.discovery.ProviderCatalog;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every YAML block of the checked pages (README.md and docs/*.md), read from the page and loaded by
 * the real config loader with the providers and the scheduler on the class path: the page says it is
 * a working jobq.yaml (or a part of one), so it loads without a problem. The one the page shows as a
 * mistake fails with the very message the page prints below it.
 */
class DocYamlBlocksTest {

    /** The variables the blocks reference, set as an operator would set them (the regions match the URLs). */
    static final Map<String, String> ENV = Map.of(
            "SQS_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/jobs",
            "SQS_DLQ_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/jobs-dlq",
            "SQS_CRITICAL_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/critical",
            "DB_HOST", "postgres.internal",
            "DB_PASSWORD", "s3cret#:{\"");

    static final ProviderCatalog CATALOG = ProviderCatalog.load(DocYamlBlocksTest.class.getClassLoader());

    static JobQueueConfig load(String yaml, Map<String, String> env) {
        return ConfigLoader.parse(yaml, "jobq.yaml", env, CATALOG);
    }

    /** A Kubernetes manifest is YAML but not a jobq.yaml; the mistake of "Errors" is checked by its own test. */
    static boolean isJobqConfig(DocPage.Block block) {
        return !block.text().startsWith("spec:") && !block.heading().equals("Errors");
    }

    static Stream<DocPage.Block> configBlocks() {
        return DocPage.CHECKED.stream().map(DocPage::of).flatMap(p -> p.blocks("yaml").stream())
                .filter(DocYamlBlocksTest::isJobqConfig);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configBlocks")
    void theBlockLoadsWithoutAProblem(DocPage.Block block) {
        assertThatCode(() -> load(block.text(), ENV)).as(block.toString()).doesNotThrowAnyException();
    }

    @Test
    void everyPageWithYamlHasItsBlocksChecked() {
        assertThat(configBlocks().map(b -> b.page().name()).distinct())
                .containsExactlyInAnyOrder("README.md", "docs/configuration.md", "docs/operations.md",
                        "docs/scheduler.md", "docs/sqs.md");
        assertThat(configBlocks().count()).isEqualTo(13);
    }

    @Test
    void theErrorsExampleFailsWithTheMessageThePageShows() {
        DocPage page = DocPage.of("docs/configuration.md");
        DocPage.Block mistake = page.block("yaml", t -> t.contains("concurency:"));
        DocPage.Block shown = page.after(mistake);

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(mistake.text(), Map.of()));

        assertThat(e.getMessage().lines().toList()).isEqualTo(shown.text().lines().toList());
    }

    @Test
    void theEnvironmentSectionsProductionExample_withoutSqsQueueUrl_namesTheVariableAsThePageSays() {
        DocPage page = DocPage.of("docs/configuration.md");
        DocPage.Block block = page.block("yaml", t -> t.equals("provider:\n  type: sqs\n  region: ${AWS_REGION:-us-east-1}\n  queueUrl: ${SQS_QUEUE_URL}\n"));

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(block.text(), Map.of()));

        assertThat(page.text()).contains("`" + e.problems().get(0) + "`");
    }

    @Test
    void aBareNumberDurationIsRefusedWithThePagesMessage() {
        DocPage page = DocPage.of("docs/configuration.md");
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> load("worker:\n  shutdownTimeout: 30\n", Map.of()));
        assertThat(e.problems()).hasSize(1);
        String message = e.problems().get(0).replaceFirst("^worker\\.shutdownTimeout: ", "");
        assertThat(page.text()).contains("(`" + message + "`)");
    }

    @Test
    void aBareNegativeDurationAndACharacterYamlDoesNotAllowAreRefusedWithThePagesMessages() {
        DocPage page = DocPage.of("docs/configuration.md");
        ConfigException negative = catchThrowableOfType(ConfigException.class,
                () -> load("worker:\n  shutdownTimeout: -5\n", Map.of()));
        assertThat(negative.problems()).hasSize(1);
        assertThat(page.text()).contains("(`" + negative.problems().get(0)
                .replaceFirst("^worker\\.shutdownTimeout: ", "") + "`)");
        // an ESC of terminal colours pasted into a value: named where it stands, as the page quotes it
        ConfigException esc = catchThrowableOfType(ConfigException.class,
                () -> load("worker:\n  concurrency: 5\n  mode: \u001b[32mstandalone\n", Map.of()));
        assertThat(esc.problems()).hasSize(1);
        assertThat(page.text()).contains("`" + esc.problems().get(0) + "`");
    }

    @Test
    void aBadOverrideIsReportedWithTheVariablesNameAsThePageSays() {
        DocPage page = DocPage.of("docs/configuration.md");
        ConfigException concurrency = catchThrowableOfType(ConfigException.class,
                () -> load("", Map.of("QUEUE_CONCURRENCY", "0")));
        assertThat(page.text()).contains("`" + concurrency.problems().get(0) + "`");

        ConfigException interval = catchThrowableOfType(ConfigException.class,
                () -> load("", Map.of("QUEUE_POLL_INTERVAL", "soon")));
        String shown = interval.problems().get(0);
        String pageForm = page.text().substring(page.text().indexOf("`QUEUE_POLL_INTERVAL: 'soon'") + 1);
        pageForm = pageForm.substring(0, pageForm.indexOf('`'));
        assertThat(shown).startsWith(pageForm.replace(", …", ""));
    }

    @Test
    void aQueueNamedDefaultUnderQueuesAndANegativeHistoryAreRefusedAsThePageSays() {
        DocPage page = DocPage.of("docs/configuration.md");
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> load("queues:\n  default: { type: memory }\n  reports: { type: memory, maxHistorySize: -1 }\n", Map.of()));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith(
                "queues.default: conflicts with provider:, which configures the \"default\" queue; "));
        assertThat(e.problems()).contains("queues.reports.maxHistorySize: must be ≥ 0, got -1");
        assertThat(page.text()).contains("`queues.reports.maxHistorySize: must be ≥ 0, got -1`");
    }

    @Test
    void anUnknownProviderTypeNamesWhatIsAvailable_asThePagesExampleShowsIt() {
        // the page's example is a class path without provider-sqs: here an unknown name stands for it
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> load("provider:\n  type: nosuch\n", Map.of()));
        assertThat(e.problems()).singleElement().asString()
                .startsWith("provider.type: unknown provider type 'nosuch' (available: ")
                .contains("memory", "sqs");
    }

    @Test
    void aMergeKeyCopiesTheAnchoredSection_andAnAliasOfAScalarIsReportedAsStandingForNothing() {
        JobQueueConfig config = load(DocPage.of("docs/configuration.md").block("yaml", t -> t.contains("<<: *local-sqs")).text(), Map.of());
        assertThat(config.providers().get("audit").type()).isEqualTo("sqs");
        assertThat(config.providers().get("audit").settings().string("queueName")).isEqualTo("audit");
        assertThat(config.providers().get("reports").settings().string("queueName")).isEqualTo("reports");

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> load("worker:\n  concurrency: &n 5\n  pollInterval: 1s\nscheduler:\n  poolSize: *n\n", Map.of()));
        assertThat(e.getMessage()).contains("*n");
    }

    @Test
    void aSecondDocumentAndADuplicateKeyAreErrors() {
        ConfigException twice = catchThrowableOfType(ConfigException.class,
                () -> load("worker:\n  concurrency: 5\n  concurrency: 6\n", Map.of()));
        assertThat(twice.getMessage()).contains("Duplicate field 'concurrency'");
        assertThat(catchThrowableOfType(ConfigException.class,
                () -> load("worker:\n  concurrency: 5\n---\nworker:\n  concurrency: 6\n", Map.of()))).isNotNull();
    }

    @Test
    void theSyntaxErrorExampleIsWhatAMisindentedKeyGives() {
        DocPage page = DocPage.of("docs/configuration.md");
        DocPage.Block shown = page.block("", t -> t.contains("not valid YAML"));
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> load("worker:\n  concurrency: 5\n shutdownTimeout: 30s\n", Map.of()));
        assertThat(List.of(e.getMessage())).containsExactly(shown.text().strip());
    }
}
