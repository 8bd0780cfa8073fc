package dev.jobq.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.spi.Settings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("ConfigLoader: ${VAR} substitution")
class EnvSubstitutionTest {

    private static final String SQS = """
            provider:
              type: sqs
              region: ${AWS_REGION:-us-east-1}
              queueUrl: ${SQS_QUEUE_URL}
            """;

    private static String queueUrl(JobQueueConfig config) {
        return config.providers().get("default").settings().string("queueUrl");
    }

    @Test
    void substitutesAVariableFromTheGivenEnvironment() {
        JobQueueConfig config = Load.yaml(SQS, Map.of("SQS_QUEUE_URL", "http://127.0.0.1:9324/queue/jobs"));

        assertThat(queueUrl(config)).isEqualTo("http://127.0.0.1:9324/queue/jobs");
    }

    @Test
    void usesTheDefaultWhenTheVariableIsUnsetOrEmpty() {
        JobQueueConfig unset = Load.yaml(SQS, Map.of("SQS_QUEUE_URL", "u"));
        JobQueueConfig empty = Load.yaml(SQS, Map.of("SQS_QUEUE_URL", "u", "AWS_REGION", ""));

        assertThat(unset.providers().get("default").settings().string("region")).isEqualTo("us-east-1");
        assertThat(empty.providers().get("default").settings().string("region")).isEqualTo("us-east-1");
    }

    @Test
    void prefersTheVariableOverTheDefault() {
        JobQueueConfig config = Load.yaml(SQS, Map.of("SQS_QUEUE_URL", "u", "AWS_REGION", "eu-west-1"));

        assertThat(config.providers().get("default").settings().string("region")).isEqualTo("eu-west-1");
    }

    @Test
    void namesAnUnsetVariableAndTheKeyThatUsesIt() {
        assertThat(Load.problems(SQS)).containsExactly("provider.queueUrl: environment variable SQS_QUEUE_URL is "
                + "not set; set it, or give a default with ${SQS_QUEUE_URL:-value}");
    }

    @Test
    void namesAVariableSetToEmptyLikeAnUnsetOne() {
        // Read as absent, "" would give jdbcUrl its default, a local H2 file, with no word said.
        assertThat(Load.problems("""
                scheduler:
                  enabled: true
                  jdbcUrl: ${SCHEDULER_JDBC_URL}
                """, Map.of("SCHEDULER_JDBC_URL", ""))).containsExactly("scheduler.jdbcUrl: environment variable "
                + "SCHEDULER_JDBC_URL is set but empty; set it to a value, or give a default with "
                + "${SCHEDULER_JDBC_URL:-value} (${SCHEDULER_JDBC_URL:-} to allow an empty one)");
    }

    @Test
    void allowsAnEmptyValueThroughAnEmptyDefault() {
        JobQueueConfig config = Load.yaml("""
                scheduler:
                  username: sa
                  password: ${DB_PASSWORD:-}
                """, Map.of("DB_PASSWORD", ""));

        assertThat(config.scheduler().settings().string("password")).isNull();
    }

    @Test
    void anEmptyDefaultLeavesANumberBooleanDurationOrSizeAtItsDefaultAsItLeavesAText() {
        // "an empty value reads as an absent key" (configuration.md), and the problem of a variable set but empty
        // offers ${VAR:-} for an empty one: a key that wants a number took '' for a bad number instead.
        JobQueueConfig config = Load.yaml("""
                provider:
                  type: memory
                  maxHistorySize: ${HISTORY:-}
                worker:
                  concurrency: ${WORKERS:-}
                  shutdownTimeout: ${GRACE:-}
                scheduler:
                  enabled: ${SCHEDULER_ON:-}
                """);
        Settings sizes = Settings.of("jobq.yaml", "provider", Map.of("maxPayloadBytes", ""));

        assertThat(config.worker().concurrency()).isEqualTo(WorkerSettings.DEFAULT_CONCURRENCY);
        assertThat(config.worker().shutdownTimeout()).isEqualTo(WorkerSettings.DEFAULT_SHUTDOWN_TIMEOUT);
        assertThat(config.scheduler().enabled()).isFalse();
        assertThat(config.providers().get("default").settings().integer("maxHistorySize", 1000, 0, 10_000))
                .isEqualTo(1000);
        assertThat(sizes.bytes("maxPayloadBytes", 1024, 1, 2048)).isEqualTo(1024);
        assertThat(sizes.problems()).isEmpty();
    }

    @Test
    void keepsValuesWithYamlSpecialCharactersIntact() {
        JobQueueConfig config = Load.yaml("""
                scheduler:
                  password: ${DB_PASSWORD}
                  jdbcUrl: "jdbc:postgresql://${DB_HOST}:${DB_PORT:-5432}/jobs"
                """, Map.of("DB_PASSWORD", "p#ss: {x} - [y], 'z' \"q\"", "DB_HOST", "db.internal"));

        var settings = config.scheduler().settings();
        assertThat(settings.string("password")).isEqualTo("p#ss: {x} - [y], 'z' \"q\"");
        assertThat(settings.string("jdbcUrl")).isEqualTo("jdbc:postgresql://db.internal:5432/jobs");
    }

    @Test
    void substitutesInsideListsAndNamesTheItemWhenItFails() {
        String yaml = """
                queues:
                  reports: { type: memory }
                worker:
                  queues: [default, "${EXTRA_QUEUE}"]
                """;

        assertThat(Load.yaml(yaml, Map.of("EXTRA_QUEUE", "reports")).worker().queues())
                .containsExactly("default", "reports");
        assertThat(Load.problems(yaml)).containsExactly("worker.queues[1]: environment variable EXTRA_QUEUE is "
                + "not set; set it, or give a default with ${EXTRA_QUEUE:-value}");
    }

    @Test
    void reportsAFailedReferenceOnceNotAgainAsTheKeysBadValue() {
        assertThat(Load.problems("""
                provider: { type: memory, maxHistorySize: "${NOPE_VAR}", leaseDuration: "${LEASE" }
                worker:
                  mode: "${1W}"
                  shutdownTimeout: "${GRACE}"
                """)).containsExactly(
                "provider.maxHistorySize: environment variable NOPE_VAR is not set; set it, or give a default with "
                        + "${NOPE_VAR:-value}",
                "provider.leaseDuration: '${LEASE' has '${' without a closing '}'; write ${NAME} or ${NAME:-default}, "
                        + "or $${ for a literal ${",
                "worker.mode: '${1W}' does not name an environment variable (letters, digits and _); write $${ for a "
                        + "literal ${",
                "worker.shutdownTimeout: environment variable GRACE is not set; set it, or give a default with "
                        + "${GRACE:-value}");
    }

    @Test
    void aFailedReferenceInOneListItemDoesNotHideWhatIsWrongWithTheOtherItems() {
        // Every problem at once (configuration.md, "Errors"): the failed item's echo is left out, not its list's.
        assertThat(Load.problems("""
                worker:
                  queues: [reprots, "${EXTRA_QUEUE}"]
                  backoff: { type: list, delays: [5x, "${SECOND_DELAY}"] }
                """)).containsExactly(
                "worker.queues[1]: environment variable EXTRA_QUEUE is not set; set it, or give a default with "
                        + "${EXTRA_QUEUE:-value}",
                "worker.backoff.delays[1]: environment variable SECOND_DELAY is not set; set it, or give a default "
                        + "with ${SECOND_DELAY:-value}",
                "worker.queues: 'reprots' is not a configured queue (configured: default); add it under queues: or "
                        + "remove it here",
                "worker.backoff.delays[0]: '5x' is not a duration with a unit such as 500ms, 30s, 5m, 1h, 2d, or "
                        + "ISO-8601 like PT30S");
    }

    @Test
    void reportsASectionWrittenAsAFailedReferenceOnceNotAgainAsItsMissingKeys() {
        assertThat(Load.problems("""
                provider: ${PROVIDER_SECTION}
                """)).containsExactly(
                "provider: environment variable PROVIDER_SECTION is not set; set it, or give a default with "
                        + "${PROVIDER_SECTION:-value}");
    }

    @Test
    void aSectionWrittenAsAFailedReferenceDoesNotHideTheProblemsOfAQueueWhoseNameStartsWithItsName() {
        // "reports: ${X}" fails; "reports.eu" is another queue, whose bad value would otherwise run as the default
        assertThat(Load.problems("""
                queues:
                  reports: ${REPORTS_SECTION}
                  reports.eu: { type: memory, maxHistorySize: 0 }
                """)).containsExactly(
                "queues.reports: environment variable REPORTS_SECTION is not set; set it, or give a default with "
                        + "${REPORTS_SECTION:-value}",
                "queues.reports.eu.maxHistorySize: must be ≥ 1, got 0");
    }

    @Test
    void feedsSubstitutedTextToTypedKeys() {
        JobQueueConfig config = Load.yaml("""
                worker:
                  concurrency: ${WORKERS:-12}
                  shutdownTimeout: ${GRACE:-45s}
                """);

        assertThat(config.worker().concurrency()).isEqualTo(12);
        assertThat(config.worker().shutdownTimeout()).hasSeconds(45);
    }

    @Test
    void reportsAReferenceInsideADefaultRatherThanReadingItAsText() {
        // A default ends at the first '}': ${A:-${B}} was read as the default "${B" and a stray "}", so the URL
        // became "jdbc:h2:mem:x}" with A set and the text "${B}" without it, and nothing was said.
        String yaml = "scheduler:\n  jdbcUrl: ${JDBC_URL:-${FALLBACK_URL}}\n";
        String problem = "scheduler.jdbcUrl: the default of ${JDBC_URL} holds a reference, ${FALLBACK_URL…, which is "
                + "not read as one (a default is text up to the first '}'); write the default out, e.g. "
                + "${JDBC_URL:-value}, or set JDBC_URL";

        assertThat(Load.problems(yaml, Map.of("JDBC_URL", "jdbc:h2:mem:x"))).containsExactly(problem);
        assertThat(Load.problems(yaml, Map.of("FALLBACK_URL", "jdbc:h2:mem:y"))).containsExactly(problem);
    }

    @Test
    void neverShowsTheDefaultOfAVariableNamedLikeASecretInsideAnotherOnesDefault() {
        // ${DB_URL:-${DB_PASSWORD:-changeme}}: the nested reference is shown up to the first '}', and with it the
        // development password that stands for DB_PASSWORD, which the same default outside it hides
        assertThat(Load.problems("scheduler:\n  jdbcUrl: ${JDBC_URL:-${DB_PASSWORD:-changeme}}\n", Map.of()))
                .containsExactly("scheduler.jdbcUrl: the default of ${JDBC_URL} holds a reference, ${DB_PASSWORD…, "
                        + "which is not read as one (a default is text up to the first '}'); write the default out, "
                        + "e.g. ${JDBC_URL:-value}, or set JDBC_URL");
    }

    @Test
    void neverShowsTheDefaultOfAVariableNamedLikeASecretNestedDeeperInAnotherOnesDefault() {
        // ${JDBC_URL:-${PRIMARY_URL:-${DB_PASSWORD:-changeme}}}: the nested reference, shown up to the first '}', held
        // the password's default, as the reference it starts with is not one named like a secret
        assertThat(Load.problems("scheduler:\n  jdbcUrl: ${JDBC_URL:-${PRIMARY_URL:-${DB_PASSWORD:-changeme}}}\n",
                Map.of())).containsExactly("scheduler.jdbcUrl: the default of ${JDBC_URL} holds a reference, "
                        + "${PRIMARY_URL:-${DB_PASSWORD…, which is not read as one (a default is text up to the first "
                        + "'}'); write the default out, e.g. ${JDBC_URL:-value}, or set JDBC_URL");
        assertThat(Load.problems("worker:\n  concurrency: ${A:-${B:-x${API_TOKEN:-s3cr3t}}}\n", Map.of()))
                .singleElement().asString().doesNotContain("s3cr3t").contains(", ${B:-x${API_TOKEN…, which");
    }

    @Test
    void neverShowsTheDefaultOfAVariableNamedLikeASecretInAReferenceItCannotRead() {
        // the nested default's message hides it; a shell form around it (${A-${DB_PASSWORD-…}}), a ':-' after a
        // shell form (${A-${DB_PASSWORD:-…}}, no variable name before it) and an unclosed one showed it as written
        assertThat(Load.problems("""
                worker:
                  concurrency: ${WORKERS-${DB_PASSWORD-changeme}}
                  pollInterval: ${POLL-${API_TOKEN:-s3cr3t}}
                  shutdownTimeout: "${GRACE_SECRET:-hunter2"
                """, Map.of())).noneMatch(problem -> problem.contains("changeme") || problem.contains("s3cr3t")
                        || problem.contains("hunter2")).hasSize(3);
        // one that names such a variable without a default stays shown
        assertThat(Load.problems("worker:\n  concurrency: \"${DB_PASSWORD\"\n", Map.of())).containsExactly(
                "worker.concurrency: '${DB_PASSWORD' has '${' without a closing '}'; write ${NAME} or "
                        + "${NAME:-default}, or $${ for a literal ${");
    }

    @Test
    void neverShowsTheDefaultOfAVariableNamedLikeASecretInAReferenceThatDoesNotNameOne() {
        // a blank before the name, a Spring-style dotted name and a blank in it make no variable's name, and the
        // reference was shown as written, its default with it
        assertThat(Load.problems("""
                worker:
                  concurrency: "${ DB_PASSWORD:-changeme}"
                  pollInterval: ${db.password:-s3cr3t}
                  shutdownTimeout: "${DB PASSWORD:-hunter2}"
                  mode: "${ API_TOKEN-tok3n}"
                """, Map.of())).noneMatch(problem -> problem.contains("changeme") || problem.contains("s3cr3t")
                        || problem.contains("hunter2") || problem.contains("tok3n")).hasSize(4);
        // nor inside another one's default
        assertThat(Load.problems("worker:\n  concurrency: \"${WORKERS:-${ DB_PASSWORD:-changeme}}\"\n", Map.of()))
                .singleElement().asString().doesNotContain("changeme").contains(", ${ DB_PASSWORD…, which");
        // one without a default stays shown
        assertThat(Load.problems("worker:\n  concurrency: ${db.password}\n", Map.of())).containsExactly(
                "worker.concurrency: '${db.password}' does not name an environment variable (letters, digits and _); "
                        + "write $${ for a literal ${");
    }

    @Test
    void masksTheValueOfAVariableNamedLikeASecretAlsoWhereAKeyRepeatsItAsADuration() {
        // a duration's range repeats the value formatted: 7200s as "got 2h", which tells the secret as well
        assertThat(Load.problems("worker:\n  pollInterval: ${API_TOKEN}\n", Map.of("API_TOKEN", "7200s")))
                .containsExactly("worker.pollInterval: must be ≤ 1h, got ****");
    }

    @Test
    void masksTheValueOfAVariableNamedLikeASecretAlsoWhereARangeRepeatsItFinerThanAMillisecond() {
        // a range repeats a value finer than a millisecond in ISO-8601 (PT7200.0005S as "got PT2H0.0005S"), where
        // the mask looked for it to the millisecond ("2h") only, and the secret was shown
        assertThat(Load.problems("worker:\n  pollInterval: ${API_TOKEN}\n", Map.of("API_TOKEN", "PT7200.0005S")))
                .containsExactly("worker.pollInterval: must be ≤ 1h, got ****");
    }

    @Test
    void masksTheValueOfAVariableNamedLikeASecretWhereAnotherKeyOfItsSectionRepeatsIt() {
        // worker.backoff.max's problems name base's value ("must be ≥ base (1m30s)", "write max: 2h or more"): the
        // mask looked in base's own problems only, and max's showed the secret written into base
        assertThat(Load.problems("worker:\n  backoff:\n    base: ${API_TOKEN}\n    max: 1m\n",
                Map.of("API_TOKEN", "90s"))).containsExactly("worker.backoff.max: must be ≥ base (****), got 1m");
        assertThat(Load.problems("worker:\n  backoff:\n    base: ${API_TOKEN}\n", Map.of("API_TOKEN", "2h")))
                .containsExactly("worker.backoff.max: is 1h when not written, less than base (****); write max: **** "
                        + "or more");
        assertThat(Load.problems("worker:\n  backoff:\n    base: ${API_TOKEN}\n    max: 10s\n",
                Map.of("API_TOKEN", "PT10.5S"))).containsExactly("worker.backoff.max: must be ≥ base (****), got 10s");
    }

    @Test
    void showsAValueWrittenPlainlyThatAnotherKeyRepeatsThoughASecretElsewhereInItsSectionIsTheSame() {
        // the mask looked in every problem of the section that holds the secret's key, and deeper: base: 1s written
        // plainly was masked in max's problem for a secret of 1s in pollInterval (worker) or in jitter (worker.backoff)
        assertThat(Load.problems("worker:\n  pollInterval: ${API_TOKEN}\n  backoff:\n    base: 1s\n    max: 500ms\n",
                Map.of("API_TOKEN", "1s"))).containsExactly("worker.backoff.max: must be ≥ base (1s), got 500ms");
        assertThat(Load.problems("worker:\n  backoff:\n    base: 1s\n    max: 500ms\n    jitter: ${API_TOKEN}\n",
                Map.of("API_TOKEN", "1s"))).containsExactly("worker.backoff.max: must be ≥ base (1s), got 500ms",
                "worker.backoff.jitter: must be a fraction of the delay from 0 to 1 (0.2 adds up to 20 %), got '****'");
    }

    @Test
    void masksASecretBaseWhereMaxIsAdvisedFromItWithoutNamingIt() {
        // a max that does not read (negative, or a number without a unit no unit brings to base) is advised base as
        // the least it takes, "e.g. 2h", "from 10s to 365d", naming no base: shown where base's name was looked for
        assertThat(Load.problems("worker:\n  backoff:\n    base: ${API_TOKEN}\n    max: -5s\n",
                Map.of("API_TOKEN", "2h"))).containsExactly(
                "worker.backoff.max: '-5s' is negative; durations here are from **** to 365d, e.g. ****");
        assertThat(Load.problems("worker:\n  backoff:\n    base: ${API_TOKEN}\n    max: PT-5S\n",
                Map.of("API_TOKEN", "2h"))).containsExactly(
                "worker.backoff.max: 'PT-5S' is negative; durations here are from **** to 365d, e.g. ****");
        assertThat(Load.problems("worker:\n  backoff:\n    base: ${API_TOKEN}\n    max: 0\n",
                Map.of("API_TOKEN", "10s"))).containsExactly("worker.backoff.max: '0' has no unit, and is out of "
                + "range in any of ms, s, m and h; write a duration from **** to 365d");
    }

    @Test
    void writesALiteralDollarBraceForADoubledDollar() {
        JobQueueConfig config = Load.yaml("scheduler:\n  password: \"a$${NOT_A_VAR}b$c\"\n");

        assertThat(config.scheduler().settings().string("password")).isEqualTo("a${NOT_A_VAR}b$c");
    }

    @Test
    void reportsAnUnclosedReference() {
        assertThat(Load.problems("scheduler:\n  username: \"${DB_USER\"\n")).containsExactly(
                "scheduler.username: '${DB_USER' has '${' without a closing '}'; write ${NAME} or "
                        + "${NAME:-default}, or $${ for a literal ${");
    }

    @Test
    void reportsAReferenceThatIsNotAVariableName() {
        assertThat(Load.problems("scheduler:\n  username: \"${1 2}\"\n")).containsExactly(
                "scheduler.username: '${1 2}' does not name an environment variable (letters, digits and _); "
                        + "write $${ for a literal ${");
    }

    @Test
    @DisplayName("a reference in a shell form jobq does not read (docker-compose's ${VAR:?err}, ${VAR-default}) is "
            + "told the form it reads, not to write $${")
    void tellsAShellFormItsEquivalent() {
        assertThat(Load.problems("""
                worker:
                  concurrency: ${WORKERS-4}
                  pollInterval: ${POLL:?set POLL}
                  shutdownTimeout: ${GRACE:=30s}
                  mode: ${MODE:+standalone}
                scheduler:
                  password: ${DB_PASSWORD-hunter2}
                """)).containsExactly(
                "worker.concurrency: '${WORKERS-4}' is a shell form that jobq does not read: write ${WORKERS:-4} "
                        + "for a default (used when WORKERS is unset or empty)",
                "worker.pollInterval: '${POLL:?set POLL}' is a shell form that jobq does not read: write ${POLL}, "
                        + "which is required (an unset or empty POLL is an error naming it)",
                "worker.shutdownTimeout: '${GRACE:=30s}' is a shell form that jobq does not read: write "
                        + "${GRACE:-30s} for a default (used when GRACE is unset or empty)",
                "worker.mode: '${MODE:+standalone}' is a shell form that jobq does not read: jobq reads ${MODE} and "
                        + "${MODE:-default} only",
                "scheduler.password: a '${…}' in the value (a secret, not shown) is a shell form that jobq does not "
                        + "read: write ${DB_PASSWORD:-…} for a default (used when DB_PASSWORD is unset or empty)");
    }

    @Test
    void neverShowsASecretWhoseTextLooksLikeABrokenReference() {
        // A generated password may hold "${" as it is; the problem names the key and the fix, never the password
        // (docs/configuration.md, "Secrets in errors"), and a URL's password is masked as everywhere else.
        assertThat(Load.problems("""
                scheduler:
                  password: "Xy7${q!9"
                  jdbcUrl: "jdbc:postgresql://db/jobs?user=jobq&password=s3${cret"
                """)).containsExactly(
                "scheduler.password: the value (a secret, not shown) has '${' without a closing '}'; write ${NAME} or "
                        + "${NAME:-default}, or $${ for a literal ${",
                "scheduler.jdbcUrl: 'jdbc:postgresql://db/jobs?user=jobq&password=****' has '${' without a closing "
                        + "'}'; write ${NAME} or ${NAME:-default}, or $${ for a literal ${");
        assertThat(Load.problems("scheduler:\n  password: \"Xy7${q !9}z\"\n")).containsExactly(
                "scheduler.password: a '${…}' in the value (a secret, not shown) does not name an environment variable "
                        + "(letters, digits and _); write $${ for a literal ${");
    }

    @Test
    void neverShowsASecretWrittenNestedWhoseTextLooksLikeABrokenReference() {
        // api: {key: …} names an API key as apiKey does (Spring's api.key); only the last part of the path was looked
        // at, and the key's value was shown whole
        assertThat(Load.problems("api:\n  key: \"Xy7${q!9\"\n")).first().asString()
                .isEqualTo("api.key: the value (a secret, not shown) has '${' without a closing '}'; write ${NAME} or "
                        + "${NAME:-default}, or $${ for a literal ${");
    }

    @Test
    void neverShowsASecretWrittenNestedInAListItemWhoseTextLooksLikeABrokenReference() {
        // api: [{key: …}] is an API key as api: {key: …} is, and a section's list repeats it masked so; the item's
        // index was taken into the section's name ("api[0]-key"), and the key's value was shown whole
        assertThat(Load.problems("api:\n  - key: \"Xy7${q!9\"\n")).first().asString()
                .isEqualTo("api[0].key: the value (a secret, not shown) has '${' without a closing '}'; write ${NAME} "
                        + "or ${NAME:-default}, or $${ for a literal ${");
    }

    @Test
    void neverShowsTheValueOfAVariableNamedLikeASecretWhereAKeyRefusesIt() {
        // A line copied from the scheduler's (concurrency: ${DB_PASSWORD}) printed the password to the log; a key
        // named like a secret hides its value, so does a variable named so. Other variables' values stay shown.
        assertThat(Load.problems("""
                worker:
                  queues: [default, "${SIGNING_SECRET}"]
                  concurrency: ${DB_PASSWORD}
                  pollInterval: ${API_TOKEN:-5s}
                  shutdownTimeout: ${GRACE}
                """, Map.of("DB_PASSWORD", "hunter2-s3cr3t", "API_TOKEN", "tok-9f8e7d", "SIGNING_SECRET", "k3y-0f-mine",
                "GRACE", "soon"))).containsExactly(
                "worker.queues: '****' is not a configured queue (configured: default); add it under queues: or "
                        + "remove it here",
                "worker.concurrency: must be a whole number, got '****'",
                "worker.pollInterval: '****' is not a duration with a unit such as 500ms, 30s, 5m, 1h, 2d, or ISO-8601 "
                        + "like PT30S",
                "worker.shutdownTimeout: 'soon' is not a duration with a unit such as 500ms, 30s, 5m, 1h, 2d, or "
                        + "ISO-8601 like PT30S");
        // a short one is masked where quoted, not inside the message's words ("standal****e")
        assertThat(Load.problems("worker:\n  mode: ${API_KEY}\n", Map.of("API_KEY", "on"))).containsExactly(
                "worker.mode: must be one of in-process, standalone, got '****'");
    }

    @Test
    void neverShowsTheDefaultOfAVariableNamedLikeASecretWhereAKeyRefusesIt() {
        // ${DB_PASSWORD:-changeme} stands for the password where DB_PASSWORD is unset: a development password, as
        // a compose file writes one; the value of the variable was masked, what stands for it was printed
        assertThat(Load.problems("""
                worker:
                  concurrency: ${DB_PASSWORD:-changeme}
                  pollInterval: ${API_TOKEN-tok-9f8e7d}
                """, Map.of())).containsExactly(
                "worker.pollInterval: a '${…}' in the value (a secret, not shown) is a shell form that jobq does not "
                        + "read: write ${API_TOKEN:-…} for a default (used when API_TOKEN is unset or empty)",
                "worker.concurrency: must be a whole number, got '****'");
    }

    @Test
    void masksTheValueOfAVariableNamedLikeASecretAlsoWhereAKeyRepeatsItStripped() {
        // a Kubernetes secret made from a file (echo … > file) ends in a newline; the list's reader and the duration's
        // repeat the value stripped of it, which is not the value as set
        assertThat(Load.problems("""
                worker:
                  queues: [default, "${SIGNING_SECRET}"]
                  pollInterval: ${API_TOKEN}
                """, Map.of("SIGNING_SECRET", "k3y-0f-mine\n", "API_TOKEN", "9876\n"))).containsExactly(
                "worker.queues: '****' is not a configured queue (configured: default); add it under queues: or "
                        + "remove it here",
                "worker.pollInterval: '****' has no unit; write ****ms");
    }

    @Test
    void masksAShortNumberWhereADurationRepeatsItWithEachUnit() {
        // a PIN of fewer than four digits is masked where quoted only: "has no unit; write 123ms, …" showed it
        assertThat(Load.problems("""
                worker:
                  pollInterval: ${API_TOKEN}
                """, Map.of("API_TOKEN", "123\n"))).containsExactly(
                "worker.pollInterval: '****' has no unit; write ****ms or ****s");
    }

    @Test
    void masksANumberPaddedWithZerosWhereADurationGivesItsValueEachUnit() {
        // the advice says the number's value, not its digits (5e842fb6): 0042 is offered 42ms, and 007 7ms
        assertThat(Load.problems("""
                worker:
                  pollInterval: ${API_TOKEN}
                """, Map.of("API_TOKEN", "0042"))).containsExactly(
                "worker.pollInterval: '****' has no unit; write ****ms, ****s or ****m");
        assertThat(Load.problems("""
                worker:
                  backoff: {type: list, delays: ["${API_TOKEN}"]}
                """, Map.of("API_TOKEN", "007\n"))).containsExactly(
                "worker.backoff.delays[0]: '****' has no unit; write ****ms, ****s, ****m or ****h");
    }

    @Test
    void masksAMinusZeroInItsNoUnitAdviceAsZeroIs() {
        // -0 reads as 0, which has no unit: its advice "write 0ms, 0s, 0m or 0h" showed the secret's value, which a
        // secret of 0 had masked
        for (String secret : new String[] {"0", "-0", "- 00\n"}) {
            assertThat(Load.problems("worker:\n  shutdownTimeout: ${API_TOKEN}\n", Map.of("API_TOKEN", secret)))
                    .as(secret)
                    .containsExactly("worker.shutdownTimeout: '****' has no unit; write ****ms, ****s, ****m or ****h");
        }
    }

    @Test
    void masksANumberInItsNoUnitAdviceWhereItsRefusalCutsIt() {
        // the advice gives the number's value its units whatever its length; past 80 characters the refusal cuts the
        // value, which the advice was looked for after only whole: "'000…' (102 characters) has no unit; write 42ms"
        assertThat(Load.problems("worker:\n  shutdownTimeout: ${API_TOKEN}\n", Map.of("API_TOKEN",
                "0".repeat(100) + "42"))).containsExactly(
                "worker.shutdownTimeout: '****' has no unit; write ****ms, ****s or ****m");
        assertThat(Load.problems("worker:\n  pollInterval: ${API_TOKEN}\n", Map.of("API_TOKEN",
                "0".repeat(100) + "7\n"))).containsExactly(
                "worker.pollInterval: '****' has no unit; write ****ms, ****s or ****m");
    }

    @Test
    void masksTheNumberOfANegativeNumberInItsNoUnitAdvice() {
        // "'-42' is negative and has no unit; write 42ms, …" gives the secret's digits their units, as 42's advice
        // does, which was masked: -42 was shown as "'****' is negative and has no unit; write 42ms, 42s or 42m"
        for (String secret : new String[] {"-42", "- 0042\n", "-" + "0".repeat(100) + "42"}) {
            assertThat(Load.problems("worker:\n  shutdownTimeout: ${API_TOKEN}\n", Map.of("API_TOKEN", secret)))
                    .as(secret).containsExactly(
                            "worker.shutdownTimeout: '****' is negative and has no unit; write ****ms, ****s or ****m");
        }
    }

    @Test
    void masksAShortNumberWithAUnitOnlyInItsOwnNoUnitAdvice() {
        // digits with a unit are masked for the advice that gives the secret its units; in a list, another item's
        // problem under the same key showed its own value and fix masked: "'-****s' is negative; … e.g. ****s"
        assertThat(Load.problems("""
                worker:
                  backoff: {type: list, delays: ["${API_TOKEN}", -5s]}
                """, Map.of("API_TOKEN", "5"))).containsExactly(
                "worker.backoff.delays[0]: '****' has no unit; write ****ms, ****s, ****m or ****h",
                "worker.backoff.delays[1]: '-5s' is negative; durations here are 0 or more, e.g. 5s");
    }

    @Test
    @DisplayName("a secret that reads as a negative duration is masked in the example its refusal gives, its size")
    void masksTheSizeOfANegativeDurationInItsExample() {
        // PT-12345S was refused as "'****' is negative; … e.g. 3h25m45s", -12345s as "… e.g. 12345s"
        assertThat(Load.problems("worker:\n  shutdownTimeout: ${API_TOKEN}\n", Map.of("API_TOKEN", "PT-12345S")))
                .containsExactly("worker.shutdownTimeout: '****' is negative; durations here are 0 or more, e.g. ****");
        assertThat(Load.problems("worker:\n  shutdownTimeout: ${API_TOKEN}\n", Map.of("API_TOKEN", "-12345s")))
                .containsExactly("worker.shutdownTimeout: '****' is negative; durations here are 0 or more, e.g. ****");
        // one past what a refusal shows: its example is cut (the value's first 151 characters), masked so
        assertThat(Load.problems("worker:\n  shutdownTimeout: ${API_TOKEN}\n", Map.of("API_TOKEN",
                "-" + "0".repeat(300) + "5s"))).containsExactly("worker.shutdownTimeout: '****' is negative; "
                + "durations here are 0 or more, e.g. ****");
        // the key's bound, not its size: shown
        assertThat(Load.problems("worker:\n  shutdownTimeout: ${API_TOKEN}\n", Map.of("API_TOKEN", "PT-99999H")))
                .containsExactly("worker.shutdownTimeout: '****' is negative; durations here are 0 or more, e.g. 1d");
    }

    @Test
    void masksANumberTooLongForAnyUnitWhereADurationRepeatsIt() {
        // a duration's "has no unit" of a number past 19 digits says it once, whole: masked where quoted
        assertThat(Load.problems("""
                worker:
                  pollInterval: ${API_TOKEN}
                """, Map.of("API_TOKEN", "31415926535897932384626433\n"))).containsExactly(
                "worker.pollInterval: '****' has no unit, and is too large for a duration in any of ms, s, m and h; "
                        + "write a smaller number with its unit, such as 30s");
    }

    @Test
    void masksTheValueOfAVariableNamedLikeASecretAlsoWhereAKeyRepeatsItAsANumber() {
        // a numeric secret (a PIN) is repeated as the number it reads as: without its digit separators in the advice,
        // without its leading zeros in the range's refusal
        assertThat(Load.problems("worker:\n  concurrency: ${DB_PASSWORD}\n", Map.of("DB_PASSWORD", "4821 9930")))
                .containsExactly("worker.concurrency: must be a whole number, got '****'; write it without digit "
                        + "separators, e.g. ****");
        assertThat(Load.problems("worker:\n  concurrency: ${API_TOKEN}\n", Map.of("API_TOKEN", "00123456")))
                .containsExactly("worker.concurrency: must be ≤ 100000, got ****");
        // one of 5,000 separators: read as a number by a regex that recursed once a separator, a StackOverflowError
        assertThat(Load.problems("worker:\n  concurrency: ${DB_PASSWORD}\n", Map.of("DB_PASSWORD",
                "1 ".repeat(5_000) + "1"))).containsExactly("worker.concurrency: must be a whole number, got '****'; "
                + "write it without digit separators, e.g. ****");
    }

    @Test
    void masksAShortNumberWhereAWholeNumbersRangeRepeatsIt() {
        // the range's refusal repeats the number read, unquoted: one of fewer than four characters was masked where
        // quoted only, and "must be ≥ 1, got -42" showed it, also for one past 80 characters that reads as -42
        for (String secret : new String[] {"0", "-42", "-" + "0".repeat(100) + "42"}) {
            assertThat(Load.problems("worker:\n  concurrency: ${API_TOKEN}\n", Map.of("API_TOKEN", secret)))
                    .as(secret).containsExactly("worker.concurrency: must be \u2265 1, got ****");
        }
    }

    @Test
    @DisplayName("a secret longer than a refusal shows is masked where the refusal cuts it: its first 80 characters "
            + "were shown, the whole value being what was masked")
    void masksASecretWhereARefusalCutsIt() {
        String password = "hunter2-" + "s3cr3t".repeat(20);
        assertThat(Load.problems("worker:\n  concurrency: ${DB_PASSWORD}\n", Map.of("DB_PASSWORD", password)))
                .containsExactly("worker.concurrency: must be a whole number, got '****'");
        assertThat(Load.problems("worker:\n  mode: ${API_KEY}\n", Map.of("API_KEY", password + "\n")))
                .containsExactly("worker.mode: must be one of in-process, standalone, got '****'");
        assertThat(Load.problems("worker:\n  concurrency: ${API_TOKEN}\n", Map.of("API_TOKEN", "7".repeat(100))))
                .containsExactly("worker.concurrency: must be \u2264 100000, got ****");
        assertThat(Load.problems("worker:\n  concurrency: ${API_TOKEN}\n", Map.of("API_TOKEN", "1_" + "7".repeat(100))))
                .containsExactly("worker.concurrency: must be a whole number, got '****'; write it without digit "
                        + "separators, e.g. ****");
    }

    @Test
    @DisplayName("a secret whose first characters a refusal shows right before its cut is masked there, however few")
    void masksTheFirstCharactersOfASecretWhereARefusalCutsRightAfterThem() {
        // written after 77 to 79 characters of other text, a secret's first 1 to 3 characters stood before the cut:
        // under the 4 masked where cut, they were shown ("got 'aaa…aXq…' (83 characters)"), in the provider's advice too
        for (int before = 77; before <= 79; before++) {
            String text = "a".repeat(before);
            assertThat(Load.problems("worker:\n  mode: \"" + text + "${API_KEY}\"\n", Map.of("API_KEY", "Xq7zK")))
                    .as("%d before", before).containsExactly(
                            "worker.mode: must be one of in-process, standalone, got '" + text + "****'");
            assertThat(Load.problems("provider: \"" + text + "${API_KEY}\"\n", Map.of("API_KEY", "Xq7zK")))
                    .as("%d before", before).containsExactly("provider: must be a section of keys, got '" + text
                            + "****'; write the provider as its type: provider: {type: " + text + "****}");
        }
        // a secret shorter than 4, whole before the cut; and digits, cut unquoted with their count
        assertThat(Load.problems("worker:\n  mode: \"" + "a".repeat(77) + "${API_KEY}b\"\n", Map.of("API_KEY", "Xq7")))
                .containsExactly("worker.mode: must be one of in-process, standalone, got '" + "a".repeat(77) + "****'");
        assertThat(Load.problems("worker:\n  concurrency: \"" + "1".repeat(78) + "${API_TOKEN}\"\n",
                Map.of("API_TOKEN", "9876"))).containsExactly(
                "worker.concurrency: must be \u2264 100000, got " + "1".repeat(78) + "****");
    }

    @Test
    @DisplayName("a secret of one to three characters written as a section is masked where the advice repeats it as "
            + "the section's type or wait: \"provider: {type: abc}\" showed it")
    void masksAShortSecretWhereASectionsAdviceRepeatsIt() {
        // fewer than 4 characters are masked where quoted whole only; the advice after the value repeats it unquoted
        assertThat(Load.problems("provider: ${API_KEY}\n", Map.of("API_KEY", "abc"))).containsExactly(
                "provider: must be a section of keys, got '****'; write the provider as its type: provider: {type: ****}");
        assertThat(Load.problems("queues:\n  reports: ${API_KEY}\n", Map.of("API_KEY", "q"))).containsExactly(
                "queues.reports: must be a section of keys, got '****'; write the provider as its type: reports: "
                        + "{type: ****}");
        // "s" and "in" stand in the advice's own words ("its", "as", "in"): only the repeated value is masked
        for (String secret : new String[] {"s", "in"}) {
            assertThat(Load.problems("worker:\n  backoff: ${API_TOKEN}\n", Map.of("API_TOKEN", secret)))
                    .as(secret).containsExactly("worker.backoff: must be a section of keys, got '****'; write the "
                            + "policy as its type: backoff: {type: ****}");
        }
        assertThat(Load.problems("worker:\n  backoff: ${API_TOKEN}\n", Map.of("API_TOKEN", "1 s"))).containsExactly(
                "worker.backoff: must be a section of keys, got '****'; write the same wait after every attempt as "
                        + "backoff: {type: fixed, delay: ****}");
    }

    @Test
    void masksAShortNumberWhereTheAdviceToWriteItWithoutSeparatorsRepeatsIt() {
        // "write it without digit separators, e.g. 12" repeats its digits unquoted: fewer than four of them were shown
        for (String secret : new String[] {"1 2", "-1_0", "+1,2", " 1 2\n"}) {
            assertThat(Load.problems("worker:\n  concurrency: ${API_TOKEN}\n", Map.of("API_TOKEN", secret)))
                    .as(secret).containsExactly("worker.concurrency: must be a whole number, got '****'; write it "
                            + "without digit separators, e.g. ****");
        }
    }

    @Test
    @DisplayName("a secret written into a key of a section inside a list, where a section is wanted, is masked where "
            + "the refusal repeats the list: \"got '[{type=jdbc}, {username=s3cr3t-t0ken}]'\" showed it whole")
    void masksASecretWrittenInsideAListOfSectionsWhereTheRefusalRepeatsIt() {
        // its key scheduler[1].username, an index inside, was no key a problem is about: never masked, however long
        assertThat(Load.problems("scheduler:\n  - type: jdbc\n  - username: ${DB_PASSWORD}\n",
                Map.of("DB_PASSWORD", "s3cr3t-t0ken"))).containsExactly("scheduler: must be a section of keys, got "
                + "'[{type=jdbc}, {username=****}]'; write its keys on the lines below scheduler:, indented");
        assertThat(Load.problems("worker:\n  backoff:\n    - type: ${API_TOKEN}\n", Map.of("API_TOKEN", "12345")))
                .containsExactly("worker.backoff: must be a section of keys, got '[{type=****}]'; write its keys on "
                        + "the lines below backoff:, indented");
    }

    @Test
    @DisplayName("a secret of one to three characters is masked where a list or a section written out repeats it as an "
            + "item, and only there: \"got '[5s, abc]'\" showed it")
    void masksAShortSecretWhereAListWrittenOutRepeatsItAsAnItem() {
        assertThat(Load.problems("worker:\n  backoff:\n    - 5s\n    - ${API_TOKEN}\n", Map.of("API_TOKEN", "abc")))
                .containsExactly("worker.backoff: must be a section of keys, got '[5s, ****]'; write its keys on the "
                        + "lines below backoff:, indented");
        assertThat(Load.problems("worker:\n  mode:\n    - ${API_TOKEN}\n    - in-process\n", Map.of("API_TOKEN", "s")))
                .containsExactly("worker.mode: must be a single value, got [****, in-process]");
        assertThat(Load.problems("scheduler:\n  - type: ${DB_PASSWORD}\n", Map.of("DB_PASSWORD", "in"))).containsExactly(
                "scheduler: must be a section of keys, got '[{type=****}]'; write its keys on the lines below "
                        + "scheduler:, indented");
        // the same text in the message's own words, outside a list written out, stays
        assertThat(Load.problems("worker:\n  backoff:\n    base: ${API_TOKEN}\n    foo: 1\n", Map.of("API_TOKEN",
                "max"))).containsExactly("worker.backoff.base: '****' is not a duration with a unit such as 500ms, 30s, "
                + "5m, 1h, 2d, or ISO-8601 like PT30S", "worker.backoff.foo: unknown key (known keys here: type, base, "
                + "max, jitter)");
    }

    @Test
    @DisplayName("a secret of one to three characters written into a section where a list is wanted is masked where "
            + "the refusal repeats that section's keys: \"got a section of keys (a: abc)\" showed it")
    void masksAShortSecretWhereASectionWrittenForAListIsRepeated() {
        assertThat(Load.problems("worker:\n  queues:\n    a: ${API_TOKEN}\n", Map.of("API_TOKEN", "abc")))
                .containsExactly("worker.queues: must be a list, got a section of keys (a: ****); write [a, ****], in "
                        + "square brackets, or each item on a line of its own after '- '");
        assertThat(Load.problems("worker:\n  queues:\n    a: ${API_TOKEN}\n    b: x\n", Map.of("API_TOKEN", "s")))
                .containsExactly("worker.queues: must be a list, got a section of keys (a: ****, b: x); write [a, "
                        + "****, b, x], in square brackets, or each item on a line of its own after '- '");
    }

    @Test
    @DisplayName("a secret written two sections deep into a section or list written where something else is wanted is "
            + "masked where the refusal repeats it: \"got a section of keys (a: {b=s3cr3t-t0ken})\" showed it whole")
    void masksASecretWrittenTwoSectionsDeepWhereTheRefusalOfTheOuterOneRepeatsIt() {
        // its key worker.queues.a.b is in worker.queues.a, whose refusal there is none: the one of worker.queues is
        assertThat(Load.problems("worker:\n  queues:\n    a: {b: \"${API_TOKEN}\"}\n", Map.of("API_TOKEN",
                "s3cr3t-t0ken"))).containsExactly("worker.queues: must be a list, got a section of keys (a: {b=****}); "
                + "write [a, {b=****}], in square brackets, or each item on a line of its own after '- '");
        assertThat(Load.problems("scheduler:\n  - type: jdbc\n  - a: {username: \"${DB_PASSWORD}\"}\n",
                Map.of("DB_PASSWORD", "s3cr3t-t0ken"))).containsExactly("scheduler: must be a section of keys, got "
                + "'[{type=jdbc}, {a={username=****}}]'; write its keys on the lines below scheduler:, indented");
    }

    @Test
    @DisplayName("a secret under a key holding a tab was shown whole where its section is refused: the problem names "
            + "the key escaped (x\\ty), the secret's key was looked for raw")
    void masksASecretUnderAKeyWithAControlCharacterWhereItsSectionIsRefused() {
        assertThat(Load.problems("worker:\n  queues:\n    \"x\\ty\": {b: \"${API_TOKEN}\"}\n",
                Map.of("API_TOKEN", "s3cr3t-t0ken"))).containsExactly("worker.queues: must be a list, got a section "
                + "of keys (x\\ty: {b=****}); write [x\\ty, {b=****}], in square brackets, or each item on a line of "
                + "its own after '- '");
    }

    @Test
    @DisplayName("a secret of one to three characters that is also a key of a section written where a list is wanted "
            + "leaves that key shown in the advice as in the section: \"(a: ****); write [****, ****]\" told it was 'a'")
    void leavesAKeyEqualToAShortSecretShownInTheAdviceAsInTheSection() {
        assertThat(Load.problems("worker:\n  queues:\n    a: ${API_TOKEN}\n", Map.of("API_TOKEN", "a")))
                .containsExactly("worker.queues: must be a list, got a section of keys (a: ****); write [a, ****], in "
                        + "square brackets, or each item on a line of its own after '- '");
        assertThat(Load.problems("worker:\n  queues:\n    b: ${API_TOKEN}\n    a: x\n", Map.of("API_TOKEN", "a")))
                .containsExactly("worker.queues: must be a list, got a section of keys (b: ****, a: x); write [b, "
                        + "****, a, x], in square brackets, or each item on a line of its own after '- '");
        // a value equal to it beside it is masked in both, as the section's own values are
        assertThat(Load.problems("worker:\n  queues:\n    a: ${API_TOKEN}\n    b: 5\n", Map.of("API_TOKEN", "5")))
                .containsExactly("worker.queues: must be a list, got a section of keys (a: ****, b: ****); write [a, "
                        + "****, b, ****], in square brackets, or each item on a line of its own after '- '");
    }

    @ParameterizedTest(name = "key after it: {0}")
    @CsvSource(delimiter = '|', value = {
        "'b:'          | b",
        "'b: 1'        | b: 1",
        "'\"b c\": 1'  | b c: 1",
        "'orders:eu: 1' | orders:eu: 1",
        "'größe: 1'    | größe: 1",
        "'q/eu: 1'     | q/eu: 1"})
    @DisplayName("a secret of one to three characters before a key the section's mask did not read as one (none of its "
            + "value, a blank, a colon, a letter beyond ASCII, a slash) is masked in the section written for a list and "
            + "in its advice: \"(a: abc, b); write [a, abc, b]\" showed it")
    void masksAShortSecretBeforeAKeyWithNoValueInASectionWrittenForAList(String after, String shown) {
        String advice = shown.replace(": ", ", ");
        assertThat(Load.problems("worker:\n  queues:\n    a: ${API_TOKEN}\n    " + after + "\n",
                Map.of("API_TOKEN", "abc"))).containsExactly("worker.queues: must be a list, got a section of keys (a: "
                + "****, " + shown + "); write [a, ****, " + advice + "], in square brackets, or each item on a line of "
                + "its own after '- '");
    }

    @Test
    @DisplayName("a secret of one to three characters equal to a key of a section written for a list, beside a value "
            + "holding \": \", is shown in the advice as in the section: \"(a: ****, b: x: y); write [****, ****, b, "
            + "x: y]\" told it by its mask")
    void leavesAKeyEqualToAShortSecretShownInTheAdviceBesideAValueHoldingAColon() {
        assertThat(Load.problems("worker:\n  queues:\n    a: ${API_TOKEN}\n    b: \"x: y\"\n",
                Map.of("API_TOKEN", "a"))).containsExactly("worker.queues: must be a list, got a section of keys (a: "
                + "****, b: x: y); write [a, ****, b, x: y], in square brackets, or each item on a line of its own "
                + "after '- '");
        // a key holding ": " cannot be told from its value: the advice is not repeated
        assertThat(Load.problems("worker:\n  queues:\n    \"k: v\": ${API_TOKEN}\n", Map.of("API_TOKEN", "a")))
                .containsExactly("worker.queues: must be a list, got a section of keys (k: v: ****); write […], in "
                        + "square brackets, or each item on a line of its own after '- '");
    }

    @Test
    @DisplayName("a secret written as a size with a unit is masked where a size's range repeats it in bytes: \"got "
            + "3221225472\" showed a number made from it")
    void masksASecretWrittenAsASizeWhereItsRangeRepeatsItInBytes() {
        // read as 3221225472, 3221225472, 4294967296 and 3221225472 bytes
        for (String secret : List.of("3GiB", "3 gb", "4194304KiB", " 3072MB\n")) {
            assertThat(Load.problems("provider:\n  type: memory\n  maxPayloadBytes: ${API_TOKEN}\n",
                    Map.of("API_TOKEN", secret))).as(secret)
                    .containsExactly("provider.maxPayloadBytes: must be between 1 and 2147483647 bytes, got ****");
        }
    }

    @Test
    @DisplayName("a key's name equal to a secret of one to three characters written two sections deep under it does "
            + "not mask the same word where another item of the list above is refused: \"'****' is not a configured "
            + "queue\" hid which queue to fix")
    void leavesAnotherItemShownWhereItEqualsAShortSecretWrittenTwoSectionsDeepBesideIt() {
        assertThat(Load.problems("worker:\n  queues: [x, {x: {b: \"${API_TOKEN}\"}}]\n", Map.of("API_TOKEN", "x")))
                .containsExactly("worker.queues: 'x' is not a configured queue (configured: default); add it under "
                        + "queues: or remove it here", "worker.queues: '{x={b=****}}' is not a configured queue "
                        + "(configured: default); add it under queues: or remove it here");
        // still masked where the refusal writes the key out, also as a key with a dot, which a path reads as two
        assertThat(Load.problems("worker:\n  queues: {\"a.b\": {c: \"${API_TOKEN}\"}}\n",
                Map.of("API_TOKEN", "s3cr3t-t0ken"))).containsExactly("worker.queues: must be a list, got a section of "
                + "keys (a.b: {c=****}); write [a.b, {c=****}], in square brackets, or each item on a line of its own "
                + "after '- '");
        assertThat(Load.problems("scheduler:\n  - type: x\n  - a.b: {c: \"${API_TOKEN}\"}\n", Map.of("API_TOKEN",
                "x"))).containsExactly("scheduler: must be a section of keys, got '[{type=****}, {a.b={c=****}}]'; "
                + "write its keys on the lines below scheduler:, indented");
    }

    @Test
    @DisplayName("a secret equal to the name of the key it was written into, or to the index of its list item, leaves "
            + "the problem's path shown: \"worker.backoff.****: must be one of …\" and \"delays[****]\" hid which key "
            + "to fix")
    void leavesTheProblemsPathShownWhereASecretEqualsAPartOfIt() {
        assertThat(Load.problems("worker:\n  backoff: {type: \"${API_TOKEN}\"}\n", Map.of("API_TOKEN", "type")))
                .containsExactly("worker.backoff.type: must be one of exponential, fixed, list, none, got '****'");
        assertThat(Load.problems("worker:\n  backoff: {type: list, delays: [5s, \"${API_TOKEN}\"]}\n",
                Map.of("API_TOKEN", "1"))).containsExactly("worker.backoff.delays[1]: '****' has no unit; write "
                + "****ms, ****s, ****m or ****h");
        // the message's own words are masked as before, a secret of four characters or more wherever it stands
        assertThat(Load.problems("provider: {type: \"${API_TOKEN}\"}\n", Map.of("API_TOKEN", "type")))
                .containsExactly("provider.type: unknown provider **** '****' (available: memory, sqs); check the "
                        + "spelling, or add the jar that provides it");
    }

    @Test
    @DisplayName("a secret that is a duration among the examples of a duration's refusal leaves those examples shown: "
            + "\"such as 500ms, 30s, 5m, ****, 2d\" told it by its mask")
    void leavesTheDurationExamplesShownWhereASecretIsOneOfThem() {
        assertThat(Load.problems("worker:\n  pollInterval: [\"${API_TOKEN}\", 1s]\n", Map.of("API_TOKEN", "1h")))
                .containsExactly("worker.pollInterval: '[****, 1s]' is not a duration with a unit such as 500ms, 30s, "
                        + "5m, 1h, 2d, or ISO-8601 like PT30S");
        assertThat(Load.problems("provider: {type: memory, leaseDuration: {a: {b: \"${API_TOKEN}\"}}}\n",
                Map.of("API_TOKEN", "30s"))).containsExactly("provider.leaseDuration: '{a={b=****}}' is not a duration "
                + "with a unit such as 500ms, 30s, 5m, 1h, 2d, or ISO-8601 like PT30S");
    }

    @Test
    @DisplayName("an item of the list above a key named as a word of the refusal followed by \": \" (queues, as in "
            + "\"add it under queues:\") is not masked as a short secret written two sections deep under that key: "
            + "\"'****' is not a configured queue\" hid which queue to fix")
    void leavesAnotherItemShownBesideAKeyNamedAsAWordOfTheRefusal() {
        assertThat(Load.problems("worker:\n  queues: [x, {queues: {b: \"${API_TOKEN}\"}}]\n", Map.of("API_TOKEN", "x")))
                .containsExactly("worker.queues: 'x' is not a configured queue (configured: default); add it under "
                        + "queues: or remove it here", "worker.queues: '{queues={b=****}}' is not a configured queue "
                        + "(configured: default); add it under queues: or remove it here");
    }

    @Test
    @DisplayName("a secret of four characters or more that is one of a duration's examples or words (500ms, PT30S, "
            + "unit) leaves those examples shown: \"such as ****, 30s, 5m, 1h, 2d\" told it by its mask, in another "
            + "item's refusal too")
    void leavesTheDurationExamplesShownWhereALongerSecretIsOneOfThem() {
        assertThat(Load.problems("worker:\n  backoff: {type: list, delays: [\"${API_TOKEN}\", x]}\n",
                Map.of("API_TOKEN", "500ms"))).containsExactly("worker.backoff.delays[1]: 'x' is not a duration with a "
                + "unit such as 500ms, 30s, 5m, 1h, 2d, or ISO-8601 like PT30S");
        assertThat(Load.problems("worker:\n  pollInterval: [\"${API_TOKEN}\", 1s]\n", Map.of("API_TOKEN", "PT30S")))
                .containsExactly("worker.pollInterval: '[****, 1s]' is not a duration with a unit such as 500ms, 30s, "
                        + "5m, 1h, 2d, or ISO-8601 like PT30S");
        assertThat(Load.problems("worker:\n  pollInterval: \"${API_TOKEN}\"\n", Map.of("API_TOKEN", "unit")))
                .containsExactly("worker.pollInterval: '****' is not a duration with a unit such as 500ms, 30s, 5m, "
                        + "1h, 2d, or ISO-8601 like PT30S");
        // the secret written as the examples' words stays masked where it is the value
        assertThat(Load.problems("worker:\n  pollInterval: [\"${API_TOKEN}\", 1s]\n",
                Map.of("API_TOKEN", "such as 500ms")))
                .containsExactly("worker.pollInterval: '[****, 1s]' is not a duration with a unit such as 500ms, 30s, "
                        + "5m, 1h, 2d, or ISO-8601 like PT30S");
    }
}
