package dev.jobq.cli.context;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.cli.CommandRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md §8: "One YAML file (default {@code jobq.yaml}, or {@code --config} / {@code JOBQ_CONFIG})": the order
 * in which a command chooses its file.
 */
class ConfigFileChoiceTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("--config wins over JOBQ_CONFIG")
    void theOptionWinsOverTheVariable() throws Exception {
        Path chosen = Files.writeString(dir.resolve("chosen.yaml"), "worker:\n  concurrency: 7\n");
        Path other = Files.writeString(dir.resolve("other.yaml"), "worker:\n  concurrency: 3\n");

        var run = CommandRun.in(CommandRun.context(Map.of("JOBQ_CONFIG", other.toString()), QueueOpener.building()),
                "config", "check", "--config", chosen.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("chosen.yaml: OK").contains("concurrency 7").doesNotContain("other.yaml");
    }

    @Test
    @DisplayName("JOBQ_CONFIG names the file when --config is not given")
    void theVariableNamesTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("from-env.yaml"), "worker:\n  concurrency: 3\n");

        var run = CommandRun.in(CommandRun.context(Map.of("JOBQ_CONFIG", file.toString()), QueueOpener.building()),
                "config", "check");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("from-env.yaml: OK").contains("concurrency 3");
    }

    @Test
    @DisplayName("without --config and with JOBQ_CONFIG unset or blank, the file is ./jobq.yaml")
    void theDefaultIsJobqYamlInTheWorkingDirectory() {
        Path expected = Path.of("jobq.yaml").toAbsolutePath();
        assertThat(expected).as("this test needs no jobq.yaml in the working directory").doesNotExist();

        for (Map<String, String> environment : List.of(Map.<String, String>of(), Map.of("JOBQ_CONFIG", "  "))) {
            var run = CommandRun.in(CommandRun.context(environment, QueueOpener.building()), "config", "check");

            assertThat(run.exitCode()).as("JOBQ_CONFIG %s", environment).isEqualTo(2);
            assertThat(run.err()).as("JOBQ_CONFIG %s", environment).contains(expected + ": no such file");
        }
    }

    @Test
    @DisplayName("the command repeats a config file's path with a control character escaped: a newline in it split "
            + "config check's OK line and stats' advice")
    void repeatsAPathWithAControlCharacterEscaped() throws Exception {
        Path file = Files.writeString(dir.resolve("jobs\n\u001b[31m.yaml"), "provider:\n  type: memory\n");
        String shown = dir + "/jobs\\n\\u001b[31m.yaml";

        var check = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "config", "check", "--config",
                file.toString());
        var stats = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "stats", "--queue", "nope",
                "--config", file.toString());

        assertThat(check.exitCode()).as(check.err()).isZero();
        assertThat(check.out()).startsWith(shown + ": OK" + System.lineSeparator()).doesNotContain("\u001b");
        assertThat(stats.err()).contains("add it under 'queues:' in " + shown + " ").doesNotContain("\u001b")
                .hasLineCount(1);
    }

    /**
     * {@code Path.of} makes {@code file://server/x} the path {@code file:/server/x}, as it does {@code file:///server/x}:
     * the host was dropped, and the path it left told as the fix ("write the path it names, '/server/x'"), a path on
     * this machine that the URL does not name.
     */
    @Test
    @DisplayName("a file: URL with a host given as the config file is refused naming the host, not told its host as a "
            + "directory")
    void aFileUrlWithAHostIsRefusedNamingTheHost() {
        String url = "file://server/share/jobq.yaml";
        for (Map<String, String> environment : List.of(Map.<String, String>of(), Map.of("JOBQ_CONFIG", url))) {
            String[] args = environment.isEmpty() ? new String[] {"config", "check", "--config", url}
                    : new String[] {"config", "check"};

            var run = CommandRun.in(CommandRun.context(environment, QueueOpener.building()), args);

            assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
            assertThat(run.err()).as("JOBQ_CONFIG %s", environment)
                    .contains("'" + url + "': no such file: the config file's path is a file: URL naming a file on "
                            + "host 'server', which jobq does not read; write the file's path on this machine")
                    .doesNotContain("'/server/share/jobq.yaml'");
        }
        // localhost is this machine: the path it names
        var local = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "config", "check", "--config",
                "file://localhost/etc/jobq/nope.yaml");
        assertThat(local.exitCode()).as(local.err()).isEqualTo(2);
        assertThat(local.err()).contains("write the path it names, '/etc/jobq/nope.yaml'")
                .doesNotContain("'/localhost/");
        // a percent-escape decoded, as in the path it names: '/etc/my%20jobs.yaml' named no file either
        var escaped = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "config", "check", "--config",
                "file://localhost/etc/my%20jobs.yaml");
        assertThat(escaped.exitCode()).as(escaped.err()).isEqualTo(2);
        assertThat(escaped.err()).contains("write the path it names, '/etc/my jobs.yaml'");
        // a %00 decodes to a NUL, which no file's path holds: told so, not advised a path with a NUL in it
        var nul = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "config", "check", "--config",
                "file://localhost/etc/jobs%00.yaml");
        assertThat(nul.exitCode()).as(nul.err()).isEqualTo(2);
        assertThat(nul.err()).contains("(of this machine, localhost), which jobq does not read as one, and names no "
                + "file: its %00 is a NUL character, which no file's path holds; write the file's path, or ")
                .doesNotContain("\\u0000");
        // a %2F decodes to a '/' inside a name: not advised '/etc/a/b.yaml', another file
        var slash = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "config", "check", "--config",
                "file://localhost/etc/a%2Fb.yaml");
        assertThat(slash.exitCode()).as(slash.err()).isEqualTo(2);
        assertThat(slash.err()).contains("(of this machine, localhost), which jobq does not read as one, and names no "
                + "file: its %2F is a '/' inside a file's name, which no file's name holds; write the file's path, or ")
                .doesNotContain("/etc/a/b.yaml");
        // one with a password is left to the loader, which masks it: no part of it is told as a host
        var secret = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "config", "check", "--config",
                "file://jobq:hun/ter2@files/jobq.yaml");
        assertThat(secret.exitCode()).as(secret.err()).isEqualTo(2);
        assertThat(secret.err()).contains("'file://jobq:****@files/…'").doesNotContain("hun");
        // a '?' or '#' right after the host begins the query or fragment: no part of the host, which was told as
        // 'localhost?x=1', a host of another machine
        var query = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "config", "check", "--config",
                "file://localhost?x=1");
        assertThat(query.exitCode()).as(query.err()).isEqualTo(2);
        assertThat(query.err()).contains("'file://localhost?x=1': no such file: the config file's path is a file: URL "
                + "(of this machine, localhost), which jobq does not read as one, and what follows its '?' is the URL's "
                + "query, no part of a file's path (a '?' in a file's name is written %3F); write the file's path, or ");
        var fragment = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "config", "check",
                "--config", "FILE://LocalHost#top");
        assertThat(fragment.exitCode()).as(fragment.err()).isEqualTo(2);
        assertThat(fragment.err()).contains("(of this machine, localhost), which jobq does not read as one, and what "
                + "follows its '#' is the URL's fragment, no part of a file's path (a '#' in a file's name is written "
                + "%23); write the file's path, or ");
        var elsewhere = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "config", "check",
                "--config", "file://server?x=1");
        assertThat(elsewhere.exitCode()).as(elsewhere.err()).isEqualTo(2);
        assertThat(elsewhere.err()).contains("'file://server?x=1': no such file: the config file's path is a file: URL "
                + "naming a file on host 'server', which jobq does not read; write the file's path on this machine");
    }
}
