package dev.jobq.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.jobq.ConfigException;
import dev.jobq.internal.config.JobQueueConfig;
import dev.jobq.memory.MemoryProviderFactory;
import dev.jobq.scheduler.jdbc.JdbcSchedulerFactory;
import dev.jobq.sqs.SqsProviderFactory;
import dev.jobq.internal.config.SchedulerSection;
import dev.jobq.WorkerMode;
import dev.jobq.internal.config.WorkerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The key tables of docs/configuration.md, read from the page, against the config loader: each
 * section's keys are the keys the loader knows there (its "known keys here" list), and each range
 * the page gives is the range the loader accepts, its ends in and a step beyond them out.
 */
class ConfigurationTablesTest {

    static final DocPage PAGE = DocPage.of("docs/configuration.md");

    /** A key table row: its key, its type cell (with the range) and its default cell. */
    record Row(String section, String key, String type, String defaultValue, String appliesTo) {
        @Override
        public String toString() {
            return section + " " + key + " (" + type + ")";
        }
    }

    /** The YAML that puts a section around its keys: what each table's rows are written inside. */
    enum Section {
        MEMORY("`type: memory` (provider-memory)", "provider:\n  type: memory\n", "provider.", "  "),
        SQS("`type: sqs` (provider-sqs)", "provider:\n  type: sqs\n  region: us-east-1\n"
                + "  queueUrl: https://sqs.us-east-1.amazonaws.com/123456789012/jobs\n", "provider.", "  "),
        WORKER("`worker:`", "worker:\n", "worker.", "  "),
        BACKOFF("`worker.backoff:`", "worker:\n  backoff:\n", "worker.backoff.", "    "),
        SCHEDULER("`scheduler:`", "scheduler:\n  poolSize: 100\n", "scheduler.", "  ");

        final String heading;
        final String opening;
        final String path;
        final String indent;

        Section(String heading, String opening, String path, String indent) {
            this.heading = heading;
            this.opening = opening;
            this.path = path;
            this.indent = indent;
        }

        String yaml(Map<String, String> keys) {
            var yaml = new StringBuilder(opening);
            keys.forEach((k, v) -> {
                if (!opening.contains("\n" + indent + k + ":")) {
                    yaml.append(indent).append(k).append(": ").append(v).append('\n');
                }
            });
            String text = yaml.toString();
            for (var e : keys.entrySet()) {
                text = text.replace("\n" + indent + e.getKey() + ": " + existing(e.getKey()) + "\n",
                        "\n" + indent + e.getKey() + ": " + e.getValue() + "\n");
            }
            return text;
        }

        private String existing(String key) {
            Matcher m = Pattern.compile("\n" + Pattern.quote(indent + key) + ": (.*)\n").matcher("\n" + opening);
            return m.find() ? m.group(1) : "\u0000";
        }
    }

    static List<Row> rows(Section section) {
        String text = PAGE.text();
        int at = text.indexOf("\n## " + section.heading + "\n");
        if (at < 0) {
            at = text.indexOf("\n### " + section.heading + "\n");
        }
        assertThat(at).as("heading %s on the page", section.heading).isNotNegative();
        int tableStart = text.indexOf("\n| key |", at);
        List<String> lines = new ArrayList<>();
        String header = null;
        for (String line : text.substring(tableStart + 1).split("\n")) {
            if (!line.startsWith("|")) {
                break;
            }
            if (header == null) {
                header = line;
            } else if (!line.startsWith("| ---")) {
                lines.add(line);
            }
        }
        List<String> columns = cells(header);
        List<Row> rows = new ArrayList<>();
        for (String line : lines) {
            List<String> cells = cells(line);
            String cell = (String) cells.get(0);
            Matcher keys = Pattern.compile("`([^`]+)`").matcher(cell);
            while (keys.find()) {
                rows.add(new Row(section.name(), keys.group(1), cells.get(columns.indexOf("type")),
                        cells.get(columns.indexOf("default")),
                        columns.contains("applies to") ? cells.get(columns.indexOf("applies to")) : ""));
            }
        }
        return rows;
    }

    private static List<String> cells(String line) {
        List<String> cells = new ArrayList<>();
        for (String cell : line.substring(1, line.length() - 1).split("(?<!\\\\)\\|")) {
            cells.add(cell.strip());
        }
        return cells;
    }

    static JobQueueConfig load(String yaml) {
        return DocYamlBlocksTest.load(yaml, Map.of());
    }

    /** The keys the loader knows in a section, from the problem an unknown key makes there. */
    static Set<String> knownKeys(String yaml, String path) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(yaml));
        assertThat(e).as("an unknown key in %s is refused", path).isNotNull();
        String problem = e.problems().stream().filter(p -> p.startsWith(path + "zzUnknown: unknown key"))
                .findFirst().orElseThrow(() -> new AssertionError(e.problems().toString()));
        String list = problem.substring(problem.indexOf("known keys here: ") + "known keys here: ".length(),
                problem.length() - 1);
        return new LinkedHashSet<>(List.of(list.split(", ")));
    }

    static Set<String> documented(Section section) {
        Set<String> keys = new LinkedHashSet<>();
        rows(section).forEach(r -> keys.add(r.key()));
        return keys;
    }

    @Test
    void theMemoryProvidersKeysAreTheTablesBesideType() {
        Set<String> expected = new LinkedHashSet<>(documented(Section.MEMORY));
        expected.add("type");
        assertThat(knownKeys(Section.MEMORY.yaml(Map.of("zzUnknown", "1")), "provider."))
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void theSqsProvidersKeysAreTheTablesBesideType() {
        Set<String> expected = new LinkedHashSet<>(documented(Section.SQS));
        expected.add("type");
        assertThat(knownKeys(Section.SQS.yaml(Map.of("zzUnknown", "1")), "provider."))
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void theWorkersKeysAreTheTables() {
        assertThat(knownKeys("worker:\n  zzUnknown: 1\n", "worker."))
                .containsExactlyInAnyOrderElementsOf(documented(Section.WORKER));
    }

    @Test
    void theSchedulersKeysAreTheTables_onH2AndOnPostgres() {
        assertThat(knownKeys("scheduler:\n  zzUnknown: 1\n", "scheduler."))
                .containsExactlyInAnyOrderElementsOf(documented(Section.SCHEDULER));
        assertThat(knownKeys("scheduler:\n  jdbcUrl: jdbc:postgresql://db:5432/jobq\n  zzUnknown: 1\n", "scheduler."))
                .containsExactlyInAnyOrderElementsOf(documented(Section.SCHEDULER));
    }

    @Test
    void eachBackoffTypeKnowsTheKeysTheTableAppliesToIt() {
        for (String type : List.of("exponential", "fixed", "list", "none")) {
            Set<String> expected = new LinkedHashSet<>();
            for (Row row : rows(Section.BACKOFF)) {
                if (row.appliesTo().equals("—") || row.appliesTo().contains(type)) {
                    expected.add(row.key());
                }
            }
            String required = switch (type) {
                case "fixed" -> "    delay: 1s\n";
                case "list" -> "    delays: [1s]\n";
                default -> "";
            };
            assertThat(knownKeys("worker:\n  backoff:\n    type: " + type + "\n" + required + "    zzUnknown: 1\n",
                    "worker.backoff.")).as(type).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void theEnvironmentOverridesTableNamesEachVariableTheLoaderReads() {
        Map<String, String> examples = new LinkedHashMap<>();
        String text = PAGE.text().substring(PAGE.text().indexOf("\n## Environment overrides\n"));
        Matcher row = Pattern.compile("\n\\| `([A-Z_]+)` \\| `([a-zA-Z.]+)` \\| `[A-Z_]+=([^`]+)`").matcher(text);
        while (row.find()) {
            examples.put(row.group(1), row.group(3));
            String variable = row.group(1);
            String key = row.group(2);
            JobQueueConfig config = DocYamlBlocksTest.load("scheduler:\n  enabled: false\n", Map.of(variable, row.group(3)));
            Object value = switch (key) {
                case "worker.concurrency" -> config.worker().concurrency();
                case "worker.pollInterval" -> config.worker().pollInterval();
                case "worker.shutdownTimeout" -> config.worker().shutdownTimeout();
                case "scheduler.enabled" -> config.scheduler().enabled();
                case "scheduler.pollInterval" -> config.scheduler().pollInterval();
                default -> throw new AssertionError("the table names a key no test knows: " + key);
            };
            Object expected = switch (key) {
                case "worker.concurrency" -> Integer.parseInt(row.group(3));
                case "scheduler.enabled" -> Boolean.parseBoolean(row.group(3));
                default -> Duration.ofMillis(Long.parseLong(row.group(3)));
            };
            assertThat(value).as(variable + "=" + row.group(3)).isEqualTo(expected);
        }
        assertThat(examples.keySet()).containsExactlyInAnyOrder("QUEUE_CONCURRENCY", "QUEUE_POLL_INTERVAL",
                "QUEUE_SHUTDOWN_TIMEOUT", "SCHEDULER_ENABLED", "SCHEDULER_POLL_INTERVAL");
    }

    @Test
    void theWorkerAndSchedulerDefaultsAreTheTables() {
        JobQueueConfig empty = load("scheduler: {}\n");
        WorkerSettings worker = empty.worker();
        Map<String, String> defaults = new LinkedHashMap<>();
        rows(Section.WORKER).forEach(r -> defaults.put("worker." + r.key(), r.defaultValue()));
        rows(Section.SCHEDULER).forEach(r -> defaults.put("scheduler." + r.key(), r.defaultValue()));
        rows(Section.BACKOFF).forEach(r -> defaults.put("backoff." + r.key(), r.defaultValue()));

        assertThat(defaults.get("worker.mode")).isEqualTo("`" + worker.mode().name().toLowerCase().replace('_', '-') + "`");
        assertThat(worker.mode()).isEqualTo(WorkerMode.IN_PROCESS);
        assertThat(defaults.get("worker.concurrency")).isEqualTo("`" + worker.concurrency() + "`");
        assertThat(defaults.get("worker.pollInterval")).isEqualTo("`1s`");
        assertThat(worker.pollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.get("worker.shutdownTimeout")).isEqualTo("`30s`");
        assertThat(worker.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.get("backoff.type")).isEqualTo("`exponential`");

        SchedulerSection scheduler = empty.scheduler();
        assertThat(defaults.get("scheduler.enabled")).isEqualTo("`" + scheduler.enabled() + "`");
        assertThat(defaults.get("scheduler.type")).isEqualTo("`" + scheduler.type() + "`");
        assertThat(defaults.get("scheduler.pollInterval")).isEqualTo("`60s`");
        assertThat(scheduler.pollInterval()).isEqualTo(Duration.ofSeconds(60));
    }

    /** The default cell of {@code key}'s row, read as the loader reads a value: a duration, a size, a number or text. */
    static Object documentedDefault(Section section, String key) {
        String cell = rows(section).stream().filter(r -> r.key().equals(key)).findFirst().orElseThrow().defaultValue();
        Matcher value = Pattern.compile("^`([^`]+)`$").matcher(cell);
        assertThat(value.matches()).as("the default of %s is one value: %s", key, cell).isTrue();
        String text = value.group(1);
        Matcher amount = Pattern.compile("(\\d+)(ms|s|m|h|d|KiB|MiB)?").matcher(text);
        if (!amount.matches()) {
            return text;
        }
        long n = Long.parseLong(amount.group(1));
        String unit = amount.group(2);
        if (unit == null) {
            return n;
        }
        return switch (unit) {
            case "KiB" -> n * 1024;
            case "MiB" -> n * 1024 * 1024;
            default -> Duration.parse(unit.equals("d") ? "P" + n + "D" : unit.equals("ms") ? "PT" + n / 1000.0 + "S"
                    : "PT" + n + unit.toUpperCase());
        };
    }

    @Test
    void theProvidersAndTheJdbcSchedulersDefaultsAreTheTables() {
        assertThat(documentedDefault(Section.MEMORY, "maxHistorySize")).isEqualTo((long) MemoryProviderFactory.DEFAULT_MAX_HISTORY_SIZE);
        assertThat(documentedDefault(Section.MEMORY, "maxDeadLetters")).isEqualTo((long) MemoryProviderFactory.DEFAULT_MAX_DEAD_LETTERS);
        assertThat(documentedDefault(Section.MEMORY, "leaseDuration")).isEqualTo(MemoryProviderFactory.DEFAULT_LEASE_DURATION);
        assertThat(documentedDefault(Section.MEMORY, "maxPayloadBytes")).isEqualTo((long) MemoryProviderFactory.DEFAULT_MAX_PAYLOAD_BYTES);

        assertThat(documentedDefault(Section.SQS, "maxPayloadBytes")).isEqualTo((long) SqsProviderFactory.DEFAULT_MAX_PAYLOAD_BYTES);
        assertThat(documentedDefault(Section.SQS, "waitTime")).isEqualTo(SqsProviderFactory.DEFAULT_WAIT_TIME);
        assertThat(documentedDefault(Section.SQS, "requestTimeout")).isEqualTo(SqsProviderFactory.DEFAULT_REQUEST_TIMEOUT);

        assertThat(documentedDefault(Section.BACKOFF, "base")).isEqualTo(dev.jobq.Backoff.DEFAULT_BASE);
        assertThat(documentedDefault(Section.BACKOFF, "max")).isEqualTo(dev.jobq.Backoff.DEFAULT_CAP);
        String jitter = rows(Section.BACKOFF).stream().filter(r -> r.key().equals("jitter")).findFirst().orElseThrow().defaultValue();
        assertThat(jitter).startsWith("`" + dev.jobq.Backoff.DEFAULT_JITTER + "` for exponential, `0` otherwise");

        assertThat(documentedDefault(Section.SCHEDULER, "jdbcUrl")).isEqualTo(JdbcSchedulerFactory.DEFAULT_JDBC_URL);
        assertThat(documentedDefault(Section.SCHEDULER, "poolSize")).isEqualTo((long) JdbcSchedulerFactory.DEFAULT_POOL_SIZE);
        assertThat(documentedDefault(Section.SCHEDULER, "pollInterval")).isEqualTo(JdbcSchedulerFactory.DEFAULT_POLL_INTERVAL);
        assertThat(documentedDefault(Section.SCHEDULER, "batchSize")).isEqualTo((long) JdbcSchedulerFactory.DEFAULT_BATCH_SIZE);
        assertThat(documentedDefault(Section.SCHEDULER, "retention")).isEqualTo(JdbcSchedulerFactory.DEFAULT_RETENTION);
        assertThat(documentedDefault(Section.SCHEDULER, "misfireThreshold")).isEqualTo(JdbcSchedulerFactory.DEFAULT_MISFIRE_THRESHOLD);
        assertThat(documentedDefault(Section.SCHEDULER, "fireAllLimit")).isEqualTo((long) JdbcSchedulerFactory.DEFAULT_FIRE_ALL_LIMIT);
        assertThat(documentedDefault(Section.SCHEDULER, "claimTimeout")).isEqualTo(JdbcSchedulerFactory.DEFAULT_CLAIM_TIMEOUT);
        assertThat(documentedDefault(Section.SCHEDULER, "lockTimeout")).isEqualTo(JdbcSchedulerFactory.DEFAULT_LOCK_TIMEOUT);
        assertThat(documentedDefault(Section.SCHEDULER, "connectionTimeout")).isEqualTo(JdbcSchedulerFactory.DEFAULT_CONNECTION_TIMEOUT);
    }

    static Stream<Arguments> ranges() {
        List<Arguments> out = new ArrayList<>();
        for (Section section : Section.values()) {
            for (Row row : rows(section)) {
                Matcher between = Pattern.compile("(\\d+(?:ms|s|m|h|d|KiB|MiB)?)–(\\d+(?:ms|s|m|h|d|KiB|MiB)?)")
                        .matcher(row.type());
                Matcher atLeast = Pattern.compile("≥ (\\d+)").matcher(row.type());
                if (between.find()) {
                    out.add(Arguments.of(section, row, between.group(1), between.group(2)));
                } else if (atLeast.find()) {
                    out.add(Arguments.of(section, row, atLeast.group(1), null));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("ranges")
    void theLoaderAcceptsTheRangeThePageGives_andNothingBeyond(Section section, Row row, String min, String max) {
        String key = row.key();
        boolean wholeSeconds = row.type().startsWith("whole seconds");
        Map<String, String> besides = new LinkedHashMap<>();
        if (section == Section.BACKOFF) {
            besides.put("type", row.appliesTo().split(",")[0].strip());
        }
        String bad = section.path + key + ":";

        for (String inRange : max == null ? List.of(min) : List.of(min, max)) {
            Map<String, String> keys = new LinkedHashMap<>(besides);
            keys.put(key, inRange);
            assertThatLoads(section.yaml(keys), row + " = " + inRange);
        }
        String below = step(min, -1, wholeSeconds);
        if (below != null) {
            Map<String, String> keys = new LinkedHashMap<>(besides);
            keys.put(key, below);
            assertThatRefuses(section.yaml(keys), bad, row + " = " + below);
        }
        if (max != null) {
            Map<String, String> keys = new LinkedHashMap<>(besides);
            keys.put(key, step(max, +1, wholeSeconds));
            assertThatRefuses(section.yaml(keys), bad, row + " = " + keys.get(key));
        }
    }

    /**
     * Every size the page gives says its upper end too, which {@link #theLoaderAcceptsTheRangeThePageGives_andNothingBeyond}
     * then checks: a size's loader has one (an int's 2147483647 bytes at most), and "size ≥ 1" left one to find it as
     * a refusal of the 4GiB one wrote.
     */
    @Test
    void everySizeThePageGivesSaysItsUpperEnd() {
        List<Row> sizes = new ArrayList<>();
        for (Section section : Section.values()) {
            rows(section).stream().filter(row -> row.type().startsWith("size")).forEach(sizes::add);
        }
        assertThat(sizes).isNotEmpty().allSatisfy(row -> assertThat(row.type()).as(row.toString())
                .containsPattern("\\d+(?:KiB|MiB)?–\\d+(?:KiB|MiB)?"));
    }

    private static void assertThatLoads(String yaml, String what) {
        try {
            load(yaml);
        } catch (ConfigException e) {
            throw new AssertionError(what + " is in the page's range, but the loader says: " + e.problems() + "\n" + yaml);
        }
    }

    private static void assertThatRefuses(String yaml, String keyPath, String what) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(yaml));
        assertThat(e).as(what + " is outside the page's range, but loads:\n" + yaml).isNotNull();
        assertThat(e.problems()).as(what).anySatisfy(p -> assertThat(p).startsWith(keyPath));
    }

    /** One step below or above a range's end, in the end's own unit (a second for whole seconds). */
    private static String step(String end, int direction, boolean wholeSeconds) {
        Matcher m = Pattern.compile("(\\d+)(\\D*)").matcher(end);
        assertThat(m.matches()).isTrue();
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2);
        if (unit.isEmpty()) {
            return n + direction < 0 ? null : String.valueOf(n + direction);
        }
        long millis = switch (unit) {
            case "ms" -> n;
            case "s" -> n * 1000;
            case "m" -> n * 60_000;
            case "h" -> n * 3_600_000;
            case "d" -> n * 86_400_000;
            case "KiB" -> n * 1024;
            case "MiB" -> n * 1024 * 1024;
            default -> throw new AssertionError(unit);
        };
        if (unit.endsWith("iB")) {
            return String.valueOf(millis + direction);
        }
        long step = wholeSeconds ? 1000 : 1;
        long stepped = millis + direction * step;
        return stepped < 0 ? null : stepped + "ms";
    }
}
