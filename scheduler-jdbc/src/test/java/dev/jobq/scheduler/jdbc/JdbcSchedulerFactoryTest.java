package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.ConfigException;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.JobSchedulerFactory;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("JdbcSchedulerFactory: discovery, settings and their errors")
class JdbcSchedulerFactoryTest {

    /** The refusal of a PostgreSQL URL to db:5432/jobs with a blank in it, wherever the blank is. */
    private static final String BLANK_IN_A_POSTGRES_URL = "scheduler.jdbcUrl: must not hold a blank (not repeated "
            + "here after it: it may be a password), got PostgreSQL at db:5432/jobs; write parameters after '?', each "
            + "name=value joined by '&' (jdbc:postgresql://db:5432/jobs?sslmode=require), a blank in a value or in the "
            + "database's name as %20 (options=-c%20search_path=jobq), and the password as password: beside it "
            + "(password: ${DB_PASSWORD})";

    private final JdbcSchedulerFactory factory = new JdbcSchedulerFactory();

    private static Settings section(Map<String, ?> values) {
        return Settings.of("jobq.yaml", "scheduler", values);
    }

    @Test
    void isFoundByServiceLoaderAsJdbc() {
        assertThat(ServiceLoader.load(JobSchedulerFactory.class).stream().map(p -> p.get().type()))
                .containsExactly("jdbc");
    }

    @Test
    void aSectionWithoutKeysGetsTheDefaultsDesignAndConfigurationMdName() {
        Settings empty = section(Map.of());

        JdbcSettings read = JdbcSchedulerFactory.read(empty);

        assertThat(empty.problems()).isEmpty();
        // DESIGN §6: an H2 file database by default (./data/jobq); pollInterval default 60 s
        assertThat(read.jdbcUrl()).isEqualTo("jdbc:h2:file:./data/jobq");
        assertThat(read.pollInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(read.dataSource()).isNull();
        assertThat(read.username()).isNull();
        assertThat(read.password()).isNull();
        // the rest as docs/configuration.md's table says
        assertThat(read.poolSize()).isEqualTo(4);
        assertThat(read.batchSize()).isEqualTo(100);
        assertThat(read.retention()).isEqualTo(Duration.ofDays(7));
        assertThat(read.misfireThreshold()).isEqualTo(Duration.ofSeconds(60));
        assertThat(read.fireAllLimit()).isEqualTo(100);
        assertThat(read.fireThreads()).as("by database").isEqualTo(JdbcSettings.FIRE_THREADS_BY_DATABASE);
        assertThat(read.claimTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(read.lockTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(read.connectionTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void acceptsEveryKeyWithItsUnitAndTheKeysTheCoreReads() {
        Settings settings = section(Map.of("enabled", true, "type", "jdbc", "jdbcUrl", "jdbc:postgresql://db:5432/jobs",
                "username", "jobq", "password", "s3cret", "poolSize", 8, "pollInterval", "30s", "batchSize", 500,
                "retention", "2d", "misfireThreshold", "5m"));
        Settings more = section(Map.of("fireThreads", 2, "fireAllLimit", 10, "claimTimeout", "90s",
                "lockTimeout", "5s", "connectionTimeout", "5s"));

        factory.validate(settings);
        factory.validate(more);

        assertThat(settings.problems()).isEmpty();
        assertThat(more.problems()).isEmpty();
    }

    @Test
    void reportsEveryProblemWithItsKeyPath() {
        Settings settings = section(Map.of("jdbcUrl", "jdbc:mysql://db/jobs?password=s3cret", "pollInterval", "0ms",
                "batchSize", 0, "retention", "5", "misfireThreshold", "2d", "fireAllLimit", -1, "poolSize", "many",
                "jdbcUlr", "x", "claimTimeout", "500ms", "lockTimeout", "2h"));
        Settings timeouts = section(Map.of("connectionTimeout", "100ms"));

        factory.validate(settings);
        factory.validate(timeouts);

        assertThat(timeouts.problems()).containsExactly("scheduler.connectionTimeout: must be ≥ 250ms, got 100ms");
        assertThat(settings.problems()).containsExactlyInAnyOrder(
                "scheduler.jdbcUrl: must be an H2 URL (jdbc:h2:file:./data/jobq) or a PostgreSQL URL "
                        + "(jdbc:postgresql://host:5432/database), got a jdbc:mysql: URL",
                "scheduler.poolSize: must be a whole number, got 'many'",
                "scheduler.pollInterval: must be ≥ 1ms, got 0s",
                "scheduler.batchSize: must be ≥ 1, got 0",
                "scheduler.retention: '5' has no unit; write 5s, 5m or 5h",
                "scheduler.misfireThreshold: must be ≤ 1d, got 2d",
                "scheduler.fireAllLimit: must be ≥ 1, got -1",
                "scheduler.claimTimeout: must be ≥ 1s, got 500ms",
                "scheduler.lockTimeout: must be ≤ 1h, got 2h",
                "scheduler.jdbcUlr: unknown key; did you mean jdbcUrl? (known keys here: jdbcUrl, username, "
                        + "password, poolSize, pollInterval, batchSize, retention, misfireThreshold, fireAllLimit, "
                        + "fireThreads, claimTimeout, lockTimeout, connectionTimeout, enabled, type)");
        assertThat(String.join("\n", settings.problems())).doesNotContain("s3cret");
    }

    @Test
    void aBadPollIntervalInTheFileIsReportedOnceThoughTheCoreAndTheFactoryBothReadIt(@TempDir Path dir)
            throws IOException {
        Path file = Files.writeString(dir.resolve("jobq.yaml"), "scheduler:\n  pollInterval: 0s\n");

        assertThatThrownBy(() -> JobQueue.builder().config(file).environment(Map.of()).build())
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .containsExactly("scheduler.pollInterval: must be ≥ 1ms, got 0s"));
    }

    @Test
    void fireThreadsAreCountedAndNeedAConnectionEach() {
        Settings zero = section(Map.of("fireThreads", 0));
        Settings morethanThePool = section(Map.of("fireThreads", 6, "poolSize", 4));
        Settings enough = section(Map.of("fireThreads", 6, "poolSize", 6));

        factory.validate(zero);
        factory.validate(morethanThePool);
        factory.validate(enough);

        assertThat(zero.problems()).containsExactly("scheduler.fireThreads: must be ≥ 1, got 0");
        assertThat(morethanThePool.problems()).containsExactly(
                "scheduler.fireThreads: must not be more than poolSize (4), got 6; raise poolSize or lower fireThreads");
        assertThat(enough.problems()).isEmpty();
    }

    @Test
    @DisplayName("a refused poolSize is reported alone, not also as fireThreads above the default pool the file did not ask for")
    void aRefusedPoolSizeIsNotComparedWithFireThreads() {
        Settings badPool = section(Map.of("fireThreads", 8, "poolSize", 0));

        factory.validate(badPool);

        assertThat(badPool.problems()).containsExactly("scheduler.poolSize: must be ≥ 1, got 0");
    }

    @Test
    void fireThreadsByDatabaseAreTwoOnPostgresAndOneOnH2() {
        var byDatabase = new JdbcSettings(null, "jdbc:postgresql://db/jobs", "jobq", null, 4, Duration.ofSeconds(60),
                100, Duration.ofDays(7), Duration.ofSeconds(60), 100, JdbcSettings.FIRE_THREADS_BY_DATABASE,
                JdbcSchedulerFactory.DEFAULT_CLAIM_TIMEOUT, JdbcSchedulerFactory.DEFAULT_LOCK_TIMEOUT,
                JdbcSchedulerFactory.DEFAULT_CONNECTION_TIMEOUT);
        var poolOfOne = new JdbcSettings(null, "jdbc:postgresql://db/jobs", "jobq", null, 1, Duration.ofSeconds(60),
                100, Duration.ofDays(7), Duration.ofSeconds(60), 100, JdbcSettings.FIRE_THREADS_BY_DATABASE,
                JdbcSchedulerFactory.DEFAULT_CLAIM_TIMEOUT, JdbcSchedulerFactory.DEFAULT_LOCK_TIMEOUT,
                JdbcSchedulerFactory.DEFAULT_CONNECTION_TIMEOUT);
        var three = new JdbcSettings(null, "jdbc:h2:mem:x", null, null, 4, Duration.ofSeconds(60),
                100, Duration.ofDays(7), Duration.ofSeconds(60), 100, 3,
                JdbcSchedulerFactory.DEFAULT_CLAIM_TIMEOUT, JdbcSchedulerFactory.DEFAULT_LOCK_TIMEOUT,
                JdbcSchedulerFactory.DEFAULT_CONNECTION_TIMEOUT);

        assertThat(byDatabase.fireThreads(true)).isEqualTo(2);
        assertThat(byDatabase.fireThreads(false)).isEqualTo(1);
        assertThat(poolOfOne.fireThreads(true)).isEqualTo(1);
        assertThat(three.fireThreads(false)).isEqualTo(3);
    }

    @Test
    void wantsAUserBesideAPasswordForPostgres() {
        Settings settings = section(Map.of("jdbcUrl", "jdbc:postgresql://db/jobs", "password", "s3cret"));

        factory.validate(settings);

        assertThat(settings.problems()).containsExactly(
                "scheduler.username: is required when a password is set; add 'username: ...' beside it");
    }

    @Test
    void createThrowsTheSettingsProblemsBeforeConnecting() {
        var context = new SchedulerContext(section(Map.of("batchSize", 0)), SettableClock.atEpochOf2026(),
                envelope -> EnqueueResult.accepted(envelope.jobId()));

        assertThatThrownBy(() -> factory.create(context)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("scheduler.batchSize: must be ≥ 1, got 0");
    }

    @Test
    void aJdbcUrlWithWhitespaceAroundItOpensTheDatabaseItNames(@TempDir Path dir) {
        // A URL from an environment variable or a secret file often ends in a newline: H2 took it into the file's
        // name (a new, empty "jobq\n.mv.db" beside the jobs' "jobq.mv.db"), and a leading space found no driver.
        String url = "jdbc:h2:file:" + dir.resolve("jobq");
        var clock = SettableClock.atEpochOf2026();
        String id;
        try (JdbcJobScheduler first = JdbcSchedulerFactory.builder().jdbcUrl(url).buildJdbc(new SchedulerContext(
                section(Map.of()), clock, envelope -> EnqueueResult.accepted(envelope.jobId())))) {
            id = first.schedule(new dev.jobq.spi.JobEnvelope(dev.jobq.spi.JobEnvelope.CURRENT_VERSION, "job-1",
                    "report:send", "{}", dev.jobq.JobOptions.defaults(), 0, clock.instant(), null, null),
                    clock.instant().plus(Duration.ofDays(1)));
        }
        for (String spaced : new String[] {url + "\n", " " + url, "\t" + url + " \r\n"}) {
            var context = new SchedulerContext(section(Map.of("jdbcUrl", spaced)), clock,
                    envelope -> EnqueueResult.accepted(envelope.jobId()));
            try (var fromFile = (JdbcJobScheduler) factory.create(context)) {
                assertThat(fromFile.status(id)).as("the job, through %s", spaced.replace("\n", "\\n"))
                        .contains(dev.jobq.ScheduledJobInfo.Status.SCHEDULED);
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(file -> file.getFileName().toString()).toList()).contains("jobq.mv.db")
                    .noneMatch(name -> name.matches("(?s).*\\s.*"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void saysWhichDatabaseItCannotReachWithoutItsPassword() {
        var context = new SchedulerContext(section(Map.of("jdbcUrl", "jdbc:postgresql://127.0.0.1:1/jobs",
                "username", "jobq", "password", "s3cret")), SettableClock.atEpochOf2026(),
                envelope -> EnqueueResult.accepted(envelope.jobId()));

        assertThatThrownBy(() -> factory.create(context)).isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith("scheduler: cannot connect to PostgreSQL at 127.0.0.1:1/jobs: ")
                .hasMessageEndingWith("; check scheduler.jdbcUrl, username and password, and that the database is "
                        + "running")
                .message().doesNotContain("s3cret");
    }

    @Test
    @DisplayName("a PostgreSQL server that refuses the user gives the server's reason (90981088 takes H2's message "
            + "above java.nio's only), with the advice to check the username and password, and not the password")
    void saysWhyAPostgresServerRefusesTheUser() {
        String url = PostgresServer.get().newDatabase("refused-user").replace("user=postgres&", "");
        var context = new SchedulerContext(section(Map.of("jdbcUrl", url, "username", "nobody", "password", "s3cret",
                "connectionTimeout", "5s")), SettableClock.atEpochOf2026(),
                envelope -> EnqueueResult.accepted(envelope.jobId()));

        assertThatThrownBy(() -> factory.create(context)).isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith("scheduler: cannot connect to PostgreSQL at localhost:")
                .hasMessageContaining(": FATAL: role \"nobody\" does not exist; ")
                .hasMessageEndingWith("; check scheduler.jdbcUrl, username and password, and that the database is "
                        + "running")
                .message().doesNotContain("s3cret");
    }

    @Test
    @DisplayName("an H2 file that cannot be created (a file where its directory should be: jobq demo or ./data/jobq "
            + "in a working directory that holds a file named data) says why, not only the path")
    void saysWhyAnH2FileCannotBeCreatedNotOnlyItsPath(@TempDir Path dir) throws IOException {
        Path taken = Files.writeString(dir.resolve("data"), "");
        var context = new SchedulerContext(section(Map.of("jdbcUrl", "jdbc:h2:file:" + taken.resolve("jobq"))),
                SettableClock.atEpochOf2026(), envelope -> EnqueueResult.accepted(envelope.jobId()));

        assertThatThrownBy(() -> factory.create(context)).isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith("scheduler: cannot connect to H2 at file:" + taken.resolve("jobq") + ": ")
                // H2 words it by the step that failed first: its trace file's directory, or the database's
                .hasMessageMatching("(?s).*(NotDirectoryException: " + Pattern.quote(taken.toString()) + "|"
                        + Pattern.quote(taken + " (a file with this name already exists)") + ").*")
                .message().doesNotContain("jobq: " + taken + ";");
    }

    @Test
    @DisplayName("an H2 file that cannot be created is told to check the path, not the username, the password and "
            + "whether the database is running, which an H2 file has none of")
    void advisesThePathForAnH2FileThatCannotBeCreated(@TempDir Path dir) throws IOException {
        Path taken = Files.writeString(dir.resolve("data"), "");
        var context = new SchedulerContext(section(Map.of("jdbcUrl", "jdbc:h2:file:" + taken.resolve("jobq"))),
                SettableClock.atEpochOf2026(), envelope -> EnqueueResult.accepted(envelope.jobId()));

        assertThatThrownBy(() -> factory.create(context)).isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith("scheduler: cannot connect to H2 at file:" + taken.resolve("jobq") + ": ")
                .hasMessageEndingWith("; check the path in scheduler.jdbcUrl: the user running jobq must be able to "
                        + "create each directory on it and write there (a file where a directory should be stands in "
                        + "the way)")
                .message().doesNotContain("username and password");
    }

    @Test
    void refusesAPostgresUrlWithItsPasswordBeforeTheHostWithoutRepeatingIt() {
        Settings settings = section(Map.of("jdbcUrl", "jdbc:postgresql://jobq:S3CRET@db:5432/jobs?sslmode=require"));

        factory.validate(settings);

        assertThat(settings.problems()).containsExactly("scheduler.jdbcUrl: must not hold a user or password before "
                + "the host (the PostgreSQL driver does not read them there, and reads the host as '****@db:5432'), "
                + "got jdbc:postgresql://jobq:****@db:5432/jobs?sslmode=require; write "
                + "jdbc:postgresql://db:5432/jobs?sslmode=require and set username: and password: beside it "
                + "(password: ${DB_PASSWORD})");
        assertThatThrownBy(() -> JdbcSchedulerFactory.builder().jdbcUrl("jdbc:postgresql://jobq:S3CRET@db/jobs"))
                .hasMessageStartingWith("jdbcUrl must not hold a user or password before the host")
                .message().doesNotContain("S3CRET");
    }

    @Test
    @DisplayName("a PostgreSQL URL with a blank in it (a parameter written after a space, not after '?') is refused "
            + "without what follows the blank, which may be a password, and is named without it")
    void refusesAPostgresUrlWithABlankWithoutRepeatingWhatFollowsIt() {
        Settings settings = section(Map.of("jdbcUrl", "jdbc:postgresql://db:5432/jobs password=S3CRET"));

        factory.validate(settings);

        assertThat(settings.problems()).containsExactly(BLANK_IN_A_POSTGRES_URL);
        assertThat(JdbcSettings.describe("jdbc:postgresql://db:5432/jobs password=S3CRET"))
                .isEqualTo("PostgreSQL at db:5432/jobs");
    }

    /**
     * A parameter written after '&' or ';' instead of '?' is the database's name to the driver, and describe() showed
     * it whole in every log line and error naming the database, a password too.
     */
    @Test
    @DisplayName("a PostgreSQL URL with a password parameter after '&' or ';' instead of '?' is named with it masked")
    void namesAPostgresUrlWithAPasswordAfterAnAmpersandMasked() {
        assertThat(JdbcSettings.describe("jdbc:postgresql://db:5432/jobs&password=S3CRET"))
                .isEqualTo("PostgreSQL at db:5432/jobs&password=****");
        assertThat(JdbcSettings.describe("jdbc:postgresql://db:5432/jobs;password=S3CRET"))
                .isEqualTo("PostgreSQL at db:5432/jobs;password=****");
    }

    /**
     * The driver reads a blank raw in a parameter's value (options=-c search_path=jobq) and in the database's name, and
     * decodes %20 in both: such a URL, refused for its blank, is told how to write it so, or it cannot be written.
     */
    @Test
    @DisplayName("a PostgreSQL URL with a blank the driver reads (a parameter's value, options=-c search_path=jobq) is "
            + "told to write the blank %20, as the driver decodes it")
    void tellsHowToWriteABlankInAPostgresUrl() {
        Settings settings = section(Map.of("jdbcUrl", "jdbc:postgresql://db:5432/jobs?options=-c search_path=jobq"));

        factory.validate(settings);

        assertThat(settings.problems()).containsExactly(BLANK_IN_A_POSTGRES_URL);
        Settings written = section(Map.of("jdbcUrl",
                "jdbc:postgresql://db:5432/my%20jobs?options=-c%20search_path=jobq"));

        factory.validate(written);

        assertThat(written.problems()).as("the URL written as advised").isEmpty();
    }

    /**
     * The refusal of an H2 server URL with a user before the host whose settings hold a PASSWORD (an encrypted
     * database's) lost its advice: the URL to write, masked, was masked again with the whole problem, and the
     * mask of an H2 setting, which runs to the line's end, took " and set username: and password: beside it …".
     */
    @Test
    void tellsTheWholeFixForAnH2ServerUrlWithAUserWhoseSettingsHoldAPassword() {
        Settings settings = section(Map.of("jdbcUrl", "jdbc:h2:tcp://jobq:S3CRET@127.0.0.1:1/./jobs;CIPHER=AES;"
                + "PASSWORD=filepw userpw"));

        factory.validate(settings);

        assertThat(settings.problems()).containsExactly("scheduler.jdbcUrl: must not hold a user or password before "
                + "the host (H2 does not read them there, and reads what follows the user's colon as the port), got "
                + "jdbc:h2:tcp://jobq:****@127.0.0.1:1/./jobs;CIPHER=AES;PASSWORD=****; write "
                + "jdbc:h2:tcp://127.0.0.1:1/./jobs;CIPHER=AES;PASSWORD=**** and set username: and password: beside "
                + "it (password: ${DB_PASSWORD})");
    }

    /**
     * configuration.md: the scheduler's database is named by kind and place only, never its password. An H2 server URL
     * written with a user and password before the host, as a PostgreSQL habit has it, went to H2, whose error repeated
     * the password ("For input string: \"S3CRET@127.0.0.1:1\""), after a description that named it too.
     */
    @Test
    void refusesAnH2ServerUrlWithItsPasswordBeforeTheHostWithoutRepeatingIt() {
        Settings settings = section(Map.of("jdbcUrl", "jdbc:h2:tcp://jobq:S3CRET@127.0.0.1:1/./jobs;MODE=PostgreSQL"));

        factory.validate(settings);

        assertThat(settings.problems()).containsExactly("scheduler.jdbcUrl: must not hold a user or password before "
                + "the host (H2 does not read them there, and reads what follows the user's colon as the port), got "
                + "jdbc:h2:tcp://jobq:****@127.0.0.1:1/./jobs;MODE=PostgreSQL; write "
                + "jdbc:h2:tcp://127.0.0.1:1/./jobs;MODE=PostgreSQL and set username: and password: beside it "
                + "(password: ${DB_PASSWORD})");
        Settings slashed = section(Map.of("jdbcUrl", "jdbc:h2:ssl://jobq:pa/S3CRET@db/./jobs"));
        factory.validate(slashed);
        assertThat(slashed.problems()).singleElement().asString()
                .contains("write jdbc:h2:ssl://db/./jobs").doesNotContain("S3CRET");
        assertThatThrownBy(() -> JdbcSchedulerFactory.builder().jdbcUrl("jdbc:h2:tcp://jobq:S3CRET@db/./jobs"))
                .hasMessageStartingWith("jdbcUrl must not hold a user or password before the host")
                .message().doesNotContain("S3CRET");
        assertThat(JdbcSettings.describe("jdbc:h2:tcp://jobq:S3CRET@db/./jobs")).isEqualTo("H2 at tcp://jobq:****@db/./jobs");
        Settings plain = section(Map.of("jdbcUrl", "jdbc:h2:tcp://db:9092,db2:9092/./jobs;USER=jobq"));
        factory.validate(plain);
        assertThat(plain.problems()).isEmpty();
    }

    /**
     * A URL that is not a JDBC one (another program's DATABASE_URL) is shown by its first 12 characters: with a short
     * user, those held the start of its password.
     */
    @Test
    void showsTheStartOfAUrlThatIsNotJdbcWithoutItsPassword() {
        Settings settings = section(Map.of("jdbcUrl", "mysql://a:S3CRET@db/jobs"));

        factory.validate(settings);

        assertThat(settings.problems()).singleElement().asString()
                .startsWith("scheduler.jdbcUrl: must be an H2 URL").doesNotContain("S3");
    }

    /**
     * A PostgreSQL URL without its {@code jdbc:} (a DATABASE_URL as Heroku or Rails write it, postgres:// included) was
     * only said to be no JDBC URL, its start cut at 12 characters: the fix is to write it as PgJDBC reads it.
     */
    @Test
    void tellsAPostgresUrlWithoutJdbcHowToWriteIt() {
        for (String url : List.of("postgresql://db:5432/jobs", "postgres://jobq:S3CRET@db/jobs")) {
            Settings settings = section(Map.of("jdbcUrl", url));

            factory.validate(settings);

            assertThat(settings.problems()).as(url).singleElement().asString()
                    .startsWith("scheduler.jdbcUrl: must be an H2 URL").doesNotContain("S3")
                    .endsWith("; a PostgreSQL URL for JDBC starts with jdbc:postgresql:// "
                            + "(jdbc:postgresql://host:5432/database), with no user or password before the host: "
                            + "set username: and password: beside it (password: ${DB_PASSWORD})");
        }
    }

    /** jdbcUrl: ${DB_PASSWORD} by mistake (the variables of one secret side by side): a value of no URL may be one. */
    @Test
    void doesNotShowTheStartOfAValueThatIsNoUrl() {
        Settings settings = section(Map.of("jdbcUrl", "S3CRET-hunter2"));

        factory.validate(settings);

        assertThat(settings.problems()).singleElement().asString()
                .startsWith("scheduler.jdbcUrl: must be an H2 URL").doesNotContain("S3");
    }

    /**
     * A '?' in a password written raw before the host ended the host part where it stood: no user was seen, the URL
     * went to the driver, and every line naming the database showed the password up to the '?' as its place.
     */
    @ParameterizedTest
    @ValueSource(strings = {"jdbc:postgresql://jobq:S3CRET?x/y@db:5432/jobs", "jdbc:postgresql://jobq:S3C?RET@db:5432/jobs"})
    @DisplayName("a PostgreSQL URL with a raw password holding a '?' before the host is refused and named without it")
    void refusesAPostgresUrlWithARawPasswordHoldingAQuestionMarkWithoutRepeatingIt(String url) {
        Settings settings = section(Map.of("jdbcUrl", url));

        factory.validate(settings);

        assertThat(JdbcSettings.describe(url)).isEqualTo("PostgreSQL at db:5432/jobs");
        assertThat(settings.problems()).singleElement().asString()
                .startsWith("scheduler.jdbcUrl: must not hold a user or password before the host")
                .contains("write jdbc:postgresql://db:5432/jobs and set username: and password: beside it")
                .doesNotContain("S3C").doesNotContain("RET");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdbc:postgresql://db:5432?user=jobq@example", "jdbc:postgresql://[::1]?user=jobq@example",
            "jdbc:postgresql://[::1]:5432?user=jobq@example", "jdbc:postgresql://db1:5432,db2:5432?user=a@b"})
    @DisplayName("a PostgreSQL URL whose query holds an '@' after a host with a port or an IPv6 host is no user before "
            + "the host")
    void aQueryWithAnAtAfterAPortOrAnIpv6HostIsNoUserBeforeTheHost(String url) {
        Settings settings = section(Map.of("jdbcUrl", url));

        factory.validate(settings);

        assertThat(settings.problems()).isEmpty();
    }

    @Test
    void refusesAPostgresUrlWithARawPasswordHoldingAHashWithoutRepeatingIt() {
        // Before, the '#' was taken for the URL's end: no user was seen, and the URL went to the driver as it was.
        Settings settings = section(Map.of("jdbcUrl", "jdbc:postgresql://jobq:pa#S3CRET@db:5432/jobs"));

        factory.validate(settings);

        assertThat(settings.problems()).singleElement().asString()
                .startsWith("scheduler.jdbcUrl: must not hold a user or password before the host")
                .contains("got jdbc:postgresql://jobq:****@db:5432/jobs; write jdbc:postgresql://db:5432/jobs")
                .doesNotContain("S3CRET");
    }

    @Test
    void builderChecksEachValueAtOnce() {
        var builder = JdbcSchedulerFactory.builder();

        assertThatThrownBy(() -> builder.pollInterval(Duration.ofHours(2)))
                .hasMessage("pollInterval must be between 1ms and 1h, got 2h");
        assertThatThrownBy(() -> JdbcSchedulerFactory.builder().batchSize(0))
                .hasMessage("batchSize must be between 1 and 10000, got 0");
        assertThatThrownBy(() -> JdbcSchedulerFactory.builder().fireThreads(17))
                .hasMessage("fireThreads must be between 1 and 16, got 17");
        assertThatThrownBy(() -> JdbcSchedulerFactory.builder().claimTimeout(Duration.ofDays(2)))
                .hasMessage("claimTimeout must be between 1s and 1d, got 2d");
        assertThatThrownBy(() -> JdbcSchedulerFactory.builder().connectionTimeout(Duration.ofMillis(100)))
                .hasMessage("connectionTimeout must be between 250ms and 1h, got 100ms");
        var context = new SchedulerContext(section(Map.of()), SettableClock.atEpochOf2026(),
                envelope -> EnqueueResult.accepted(envelope.jobId()));
        assertThatThrownBy(() -> JdbcSchedulerFactory.builder().poolSize(2).fireThreads(3).build(context))
                .hasMessage("fireThreads must not be more than poolSize (2), got 3; raise poolSize or lower fireThreads");
        assertThatThrownBy(() -> JdbcSchedulerFactory.builder().jdbcUrl("jdbc:sqlite:jobs.db"))
                .hasMessage("jdbcUrl must be an H2 URL (jdbc:h2:file:./data/jobq) or a PostgreSQL URL "
                        + "(jdbc:postgresql://host:5432/database), got a jdbc:sqlite: URL");
    }

    @Test
    void settingsNeverPrintThePassword() {
        var settings = new JdbcSettings(null, "jdbc:postgresql://db/jobs", "jobq", "s3cret", 4, Duration.ofSeconds(60),
                100, Duration.ofDays(7), Duration.ofSeconds(60), 100, JdbcSettings.FIRE_THREADS_BY_DATABASE,
                JdbcSchedulerFactory.DEFAULT_CLAIM_TIMEOUT, JdbcSchedulerFactory.DEFAULT_LOCK_TIMEOUT,
                JdbcSchedulerFactory.DEFAULT_CONNECTION_TIMEOUT);

        assertThat(settings.toString()).contains("password=***").doesNotContain("s3cret");
    }

    /**
     * username: ${DB_USER} with the variable set from a file (a mounted secret, an env file) ends in the file's newline;
     * a user name never does, so it is read without it. A password may end in any character: it is kept as written.
     */
    @Test
    void readsAUsernameWithoutTheTrailingNewlineOfAVariableReadFromAFile() {
        Settings settings = section(Map.of("jdbcUrl", "jdbc:postgresql://db:5432/jobs", "username", "jobq\n",
                "password", "S3CRET\n"));

        JdbcSettings read = JdbcSchedulerFactory.read(settings);

        assertThat(settings.problems()).isEmpty();
        assertThat(read.username()).isEqualTo("jobq");
        assertThat(read.password()).isEqualTo("S3CRET\n");
    }
}
