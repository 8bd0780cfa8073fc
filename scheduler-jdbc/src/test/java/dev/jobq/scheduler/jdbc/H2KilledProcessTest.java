package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobQueue;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.memory.MemoryProviderFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The H2 file store when its process is killed, or exits: what {@code schedule(...)} returned is on the file, and H2
 * leaves the closing of the file to the scheduler, not to a shutdown hook racing the application's.
 */
@DisplayName("JDBC scheduler on an H2 file, its process killed")
class H2KilledProcessTest {

    @Test
    @DisplayName("a job whose schedule(...) returned is still there after its process halts at once (kill -9)")
    void aScheduledJobOutlivesAKill(@TempDir Path dir) throws IOException, InterruptedException {
        String url = "jdbc:h2:file:" + dir.resolve("jobq");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ScheduleThenHalt.class.getName(), url)
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child ended; its output:%n%s", output).isTrue();
        assertThat(child.exitValue()).as("halted; output:%n%s", output).isEqualTo(137);
        String id = output.lines().filter(line -> line.startsWith("scheduled ")).map(line -> line.substring(10))
                .findFirst().orElseThrow(() -> new AssertionError("the child scheduled nothing:\n" + output));

        try (JobQueue jobs = JobQueue.builder().provider(MemoryProviderFactory.builder().build())
                .environment(Map.of()).scheduler("jdbc", Map.of("jdbcUrl", url, "enabled", false)).build()) {
            assertThat(jobs.scheduler().listScheduled(10)).extracting(ScheduledJobInfo::id).isEqualTo(List.of(id));
        }
    }

    @Test
    @DisplayName("an application closing its queue from its own shutdown hook still has the H2 file there")
    void anApplicationsShutdownHookStillHasTheDatabase(@TempDir Path dir) throws IOException, InterruptedException {
        String url = "jdbc:h2:file:" + dir.resolve("jobq");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CloseInShutdownHook.class.getName(), url)
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child ended; its output:%n%s", output).isTrue();
        assertThat(output).as("the child's output").doesNotContain("failed: ").doesNotContain("Database is already closed")
                .contains("the database is open in the application's hook: SELECT 1 = 1", "closed");
        String id = output.lines().filter(line -> line.startsWith("scheduled ")).map(line -> line.substring(10))
                .findFirst().orElseThrow(() -> new AssertionError("the child scheduled nothing:\n" + output));

        try (JobQueue jobs = JobQueue.builder().provider(MemoryProviderFactory.builder().build())
                .environment(Map.of()).scheduler("jdbc", Map.of("jdbcUrl", url, "enabled", false)).build()) {
            assertThat(jobs.scheduler().listScheduled(10)).extracting(ScheduledJobInfo::id).isEqualTo(List.of(id));
        }
    }

    @Test
    @DisplayName("only an embedded H2 URL that does not set it gets WRITE_DELAY=0")
    void writeDelayIsAddedToEmbeddedH2UrlsOnly() {
        assertThat(Database.writingEachCommit("jdbc:h2:file:./data/jobq"))
                .isEqualTo("jdbc:h2:file:./data/jobq;WRITE_DELAY=0");
        assertThat(Database.writingEachCommit("jdbc:h2:./data/jobq;AUTO_SERVER=TRUE"))
                .isEqualTo("jdbc:h2:./data/jobq;AUTO_SERVER=TRUE;WRITE_DELAY=0");
        assertThat(Database.writingEachCommit("jdbc:h2:file:./data/jobq;write_delay=200"))
                .isEqualTo("jdbc:h2:file:./data/jobq;write_delay=200");
        assertThat(Database.writingEachCommit("jdbc:h2:mem:jobq")).isEqualTo("jdbc:h2:mem:jobq");
        assertThat(Database.writingEachCommit("jdbc:h2:tcp://db/jobq")).isEqualTo("jdbc:h2:tcp://db/jobq");
        assertThat(Database.writingEachCommit("jdbc:postgresql://db/jobq")).isEqualTo("jdbc:postgresql://db/jobq");
    }

    @Test
    @DisplayName("only an embedded H2 URL that does not set it gets DB_CLOSE_ON_EXIT=FALSE")
    void closeOnExitIsTurnedOffForEmbeddedH2UrlsOnly() {
        assertThat(Database.closedByTheScheduler("jdbc:h2:file:./data/jobq;WRITE_DELAY=0"))
                .isEqualTo("jdbc:h2:file:./data/jobq;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
        assertThat(Database.closedByTheScheduler("jdbc:h2:./data/jobq")).isEqualTo("jdbc:h2:./data/jobq;DB_CLOSE_ON_EXIT=FALSE");
        assertThat(Database.closedByTheScheduler("jdbc:h2:file:./data/jobq;db_close_on_exit=TRUE"))
                .isEqualTo("jdbc:h2:file:./data/jobq;db_close_on_exit=TRUE");
        assertThat(Database.closedByTheScheduler("jdbc:h2:mem:jobq")).isEqualTo("jdbc:h2:mem:jobq");
        assertThat(Database.closedByTheScheduler("jdbc:h2:tcp://db/jobq")).isEqualTo("jdbc:h2:tcp://db/jobq");
        assertThat(Database.closedByTheScheduler("jdbc:postgresql://db/jobq")).isEqualTo("jdbc:postgresql://db/jobq");
    }

    @Test
    @DisplayName("an H2 URL with AUTO_SERVER=TRUE (which H2 refuses beside DB_CLOSE_ON_EXIT=FALSE) is left as it is")
    void anAutoServerUrlKeepsH2sCloseOnExit(@TempDir Path dir) throws SQLException {
        for (String autoServer : List.of(";AUTO_SERVER=TRUE", ";auto_server=true", ";Auto_Server=True",
                ";AUTO_SERVER=1", ";AUTO_SERVER=yes", ";AUTO_SERVER=TRUE;")) {
            String url = "jdbc:h2:file:" + dir.resolve("jobq") + autoServer;
            assertThat(Database.closedByTheScheduler(Database.writingEachCommit(url))).as(url)
                    .isEqualTo(url + ";WRITE_DELAY=0");
            try (Connection connection = DriverManager.getConnection(
                    Database.closedByTheScheduler(Database.writingEachCommit(url)))) {
                assertThat(connection.isValid(1)).as(url).isTrue();
            }
        }
        assertThat(Database.closedByTheScheduler("jdbc:h2:./data/jobq;AUTO_SERVER=FALSE"))
                .isEqualTo("jdbc:h2:./data/jobq;AUTO_SERVER=FALSE;DB_CLOSE_ON_EXIT=FALSE");
        // H2 reads "on" as false, and takes DB_CLOSE_ON_EXIT=FALSE beside it; a directory named so is no setting
        for (String notAutoServer : List.of("jdbc:h2:file:" + dir.resolve("on") + ";AUTO_SERVER=on",
                "jdbc:h2:file:" + dir.resolve("auto_server=true").resolve("jobq"))) {
            String closed = Database.closedByTheScheduler(notAutoServer);
            assertThat(closed).isEqualTo(notAutoServer + ";DB_CLOSE_ON_EXIT=FALSE");
            try (Connection connection = DriverManager.getConnection(closed)) {
                assertThat(connection.isValid(1)).as(closed).isTrue();
            }
        }
    }

    @Test
    @DisplayName("a scheduler on an H2 file with AUTO_SERVER=TRUE shares it with another process, and closes it")
    void anAutoServerFileIsSharedWithAnotherProcess(@TempDir Path dir) throws IOException, InterruptedException {
        String url = "jdbc:h2:file:" + dir.resolve("jobq") + ";AUTO_SERVER=TRUE";
        String id;
        try (JobQueue jobs = JobQueue.builder().provider(MemoryProviderFactory.builder().build())
                .environment(Map.of()).scheduler("jdbc", Map.of("jdbcUrl", url, "enabled", false)).build()) {
            id = jobs.scheduler().schedule("report:send", Map.of("month", "2029-12"),
                    Instant.parse("2030-01-01T00:00:00Z"));
            Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "org.h2.tools.Shell", "-url", url, "-user", "",
                    "-sql", "SELECT 'ids:' || LISTAGG(id) FROM jobq_scheduled_job").redirectErrorStream(true).start();
            String output = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(other.waitFor(60, TimeUnit.SECONDS)).as("the other process ended; its output:%n%s", output)
                    .isTrue();
            assertThat(output).as("the other process's output").contains("ids:" + id);
            assertThat(dir.resolve("jobq.lock.db")).as("the lock of the open file, naming its server").exists();
        }
        assertThat(dir.resolve("jobq.lock.db")).as("the file's lock, which H2 drops when it closes the file")
                .doesNotExist();
    }
}
