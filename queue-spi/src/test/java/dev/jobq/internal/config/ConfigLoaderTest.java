package dev.jobq.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jobq.ConfigException;
import dev.jobq.WorkerMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("ConfigLoader: files, YAML and reporting")
class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void reportsAnUnknownKeyAndABadValueTogetherWithTheirPaths() {
        var e = catchThrowableOfType(ConfigException.class, () -> Load.yaml("""
                worker:
                  concurency: 10
                  concurrency: 0
                """));

        assertThat(e.problems()).containsExactly(
                "worker.concurrency: must be ≥ 1, got 0",
                "worker.concurency: unknown key; did you mean concurrency? (known keys here: mode, queues, "
                        + "concurrency, pollInterval, shutdownTimeout, backoff)");
        assertThat(e.getMessage()).startsWith("jobq.yaml has 2 problems:");
    }

    @Test
    void suggestsTheKnownKeyThatATypoOrAnotherCaseMeant() {
        assertThat(Load.problems("""
                worker:
                  pollinterval: 2s
                  shutdownTimout: 5s
                  mdoe: standalone
                schedular:
                  enabled: true
                """)).containsExactly(
                "worker.pollinterval: unknown key; did you mean pollInterval? (known keys here: mode, queues, "
                        + "concurrency, pollInterval, shutdownTimeout, backoff)",
                "worker.shutdownTimout: unknown key; did you mean shutdownTimeout? (known keys here: mode, queues, "
                        + "concurrency, pollInterval, shutdownTimeout, backoff)",
                "worker.mdoe: unknown key; did you mean mode? (known keys here: mode, queues, concurrency, "
                        + "pollInterval, shutdownTimeout, backoff)",
                "schedular: unknown key; did you mean scheduler? (known keys here: provider, queues, worker, "
                        + "scheduler)");
    }

    @Test
    @DisplayName("a dotted key as Spring's YAML reads it (worker.concurrency: 10) is told to nest, not that the path is "
            + "unknown")
    void tellsADottedKeyToNestItsParts() {
        assertThat(Load.problems("""
                worker.concurrency: 10
                worker:
                  backoff.type: fixed
                """)).containsExactly(
                "worker.backoff.type: unknown key: a key with a dot is not a path here; write type: on its own line "
                        + "under backoff:, indented (known keys here: mode, queues, concurrency, pollInterval, "
                        + "shutdownTimeout, backoff)",
                "worker.concurrency: unknown key: a key with a dot is not a path here; write concurrency: on its own "
                        + "line under worker:, indented (known keys here: provider, queues, worker, scheduler)");
    }

    @Test
    void reportsProblemsFromEverySectionInOneException() {
        assertThat(Load.problems("""
                provider:
                  type: memory
                  maxHistorySize: 0
                worker:
                  pollInterval: 1000
                scheduler:
                  enabled: perhaps
                colour: blue
                """)).containsExactly(
                "provider.maxHistorySize: must be ≥ 1, got 0",
                "worker.pollInterval: '1000' has no unit; write 1000ms or 1000s",
                "scheduler.enabled: must be true or false, got 'perhaps'",
                "colour: unknown key (known keys here: provider, queues, worker, scheduler)");
    }

    @Test
    void loadsAFile() throws IOException {
        Path file = dir.resolve("jobq.yaml");
        Files.writeString(file, """
                worker:
                  mode: standalone
                  concurrency: 8
                """);

        JobQueueConfig config = ConfigLoader.load(file, Map.of(), TestCatalogs.all());

        assertThat(config.worker().mode()).isEqualTo(WorkerMode.STANDALONE);
        assertThat(config.worker().concurrency()).isEqualTo(8);
    }

    @Test
    void namesAMissingFileOnceAndHowToChooseAnotherInCode() {
        Path missing = dir.resolve("nope.yaml");

        var e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(missing, Map.of(), TestCatalogs.all()));

        assertThat(e).hasMessage(missing.toAbsolutePath() + ": no such file; pass JobQueue.fromConfig (or "
                + "JobQueueBuilder.config) the path of a file that exists");
    }

    @Test
    void givesTheCallersWayToChooseAnotherFile() {
        Path missing = dir.resolve("nope.yaml");

        var e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(missing, Map.of(), TestCatalogs.all(), "choose another with --config FILE"));

        assertThat(e).hasMessage(missing.toAbsolutePath() + ": no such file; choose another with --config FILE");
    }

    @Test
    @DisplayName("a URL given as the config file's path (JOBQ_CONFIG=$DATABASE_URL by mistake) is said to be a URL, "
            + "shown up to its host: as a missing file's path it was repeated with its password")
    void saysThatAUrlGivenAsTheFileIsNoFileWithoutItsPassword() {
        Path url = Path.of("postgresql://jobq:hunter2@db:5432/jobs");

        var e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(url, Map.of(), TestCatalogs.all(), "choose another with --config FILE"));

        assertThat(e).hasMessage("'postgresql://jobq:****@db:5432/…': no such file: the config file's path is a URL "
                + "(not repeated past its host: it may hold a password); choose another with --config FILE");
    }

    @Test
    @DisplayName("a URL given as the config file's path is repeated up to its host escaped: an ESC or a bidirectional "
            + "override in it repainted the terminal or reordered the line")
    void repeatsAUrlGivenAsTheFileEscaped() {
        Path url = Path.of("postgres://jo\u001b[31mbq:hunter2@db\u202e:5432/jobs");

        var e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(url, Map.of(), TestCatalogs.all(), "choose another with --config FILE"));

        assertThat(e).hasMessage("'postgres://jo\\u001b[31mbq:****@db\\u202e:5432/…': no such file: the config file's "
                + "path is a URL (not repeated past its host: it may hold a password); choose another with "
                + "--config FILE");
    }

    @Test
    @DisplayName("a file: URL given as the config file's path (--config file:///etc/jobq.yaml) is told the path it "
            + "names: it was shown as 'file://etc/…', a host it does not have, its path cut as a password's would be")
    void tellsAFileUrlGivenAsTheFileThePathItNames() {
        Path url = Path.of("file:///etc/jobq/nope.yaml");

        var e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(url, Map.of(), TestCatalogs.all(), "choose another with --config FILE"));

        assertThat(e).hasMessage("'file:/etc/jobq/nope.yaml': no such file: the config file's path is a file: URL, "
                + "which jobq does not read as one; write the path it names, '/etc/jobq/nope.yaml', or choose another "
                + "with --config FILE");
    }

    @Test
    @DisplayName("a file: URL with a user information (JOBQ_CONFIG=file://jobq:hunter2@host/jobq.yaml) is masked as "
            + "any URL: told as a file: URL's path, it was repeated with its password")
    void masksAFileUrlWithAUserInformationGivenAsTheFile() {
        Path url = Path.of("file://jobq:hunter2@files/jobq.yaml");

        var e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(url, Map.of(), TestCatalogs.all(), "choose another with --config FILE"));

        assertThat(e).hasMessage("'file://jobq:****@files/…': no such file: the config file's path is a URL "
                + "(not repeated past its host: it may hold a password); choose another with --config FILE");
    }

    @Test
    @DisplayName("a file: URL whose password has a '/' in it (file://jobq:hun/ter2@files/jobq.yaml), no '@' before "
            + "its first '/', is masked as any URL: told as a file: URL's path, it was repeated with its password")
    void masksAFileUrlWithASlashInItsPasswordGivenAsTheFile() {
        Path url = Path.of("file://jobq:hun/ter2@files/jobq.yaml");

        var e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(url, Map.of(), TestCatalogs.all(), "choose another with --config FILE"));

        assertThat(e).hasMessage("'file://jobq:****@files/…': no such file: the config file's path is a URL "
                + "(not repeated past its host: it may hold a password); choose another with --config FILE");
    }

    @Test
    @DisplayName("a file: URL with an '@' later in its path (file:///home/a@b/jobq.yaml) is still told the path it names")
    void tellsAFileUrlWithAnAtLaterInItsPathThePathItNames() {
        Path url = Path.of("file:///home/a@b/jobq.yaml");

        var e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(url, Map.of(), TestCatalogs.all(), "choose another with --config FILE"));

        assertThat(e).hasMessage("'file:/home/a@b/jobq.yaml': no such file: the config file's path is a file: URL, "
                + "which jobq does not read as one; write the path it names, '/home/a@b/jobq.yaml', or choose another "
                + "with --config FILE");
    }

    @Test
    @DisplayName("a file: URL with a percent-escape (file:///etc/my%20jobs/jobq.yaml) is told the path it names, "
            + "decoded: '/etc/my%20jobs/jobq.yaml' named no file there either")
    void tellsAFileUrlWithAPercentEscapeThePathItNamesDecoded() {
        Path url = Path.of("file:///etc/my%20jobs/caf%C3%A9+1.yaml");

        var e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(url, Map.of(), TestCatalogs.all(), "choose another with --config FILE"));

        assertThat(e).hasMessage("'file:/etc/my%20jobs/caf%C3%A9+1.yaml': no such file: the config file's path is a "
                + "file: URL, which jobq does not read as one; write the path it names, '/etc/my jobs/café+1.yaml', "
                + "or choose another with --config FILE");
        // one that is no escape (a '%' not before two hex digits) is a path's own character: as written
        assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Path.of("file:///etc/100%.yaml"),
                Map.of(), TestCatalogs.all(), "choose another with --config FILE")))
                .hasMessageContaining("write the path it names, '/etc/100%.yaml'");
    }

    @Test
    @DisplayName("a file: URL whose %00 decodes to a NUL (file:///etc/jobs%00.yaml) is told it names no file, which no "
            + "path with a NUL is: it was advised that path, \\u0000 and all")
    void tellsAFileUrlWithANulEscapeThatItNamesNoFile() {
        Path url = Path.of("file:///etc/jobs%00.yaml");

        var e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(url, Map.of(), TestCatalogs.all(), "choose another with --config FILE"));

        assertThat(e).hasMessage("'file:/etc/jobs%00.yaml': no such file: the config file's path is a file: URL, which "
                + "jobq does not read as one, and names no file: its %00 is a NUL character, which no file's path "
                + "holds; write the file's path, or choose another with --config FILE");
    }

    @Test
    @DisplayName("a file: URL whose %2F decodes to a '/' inside a name, or whose path holds a '?' or a '#', is not "
            + "advised a path: '/etc/a/b.yaml' and '/etc/jobq.yaml?x=1' are other files than the URL names")
    void advisesNoOtherFileForAFileUrlWithAnEscapedSlashOrAQuery() {
        String chooseAnother = "choose another with --config FILE";
        assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(
                Path.of("file:///etc/a%2Fb.yaml"), Map.of(), TestCatalogs.all(), chooseAnother)))
                .hasMessage("'file:/etc/a%2Fb.yaml': no such file: the config file's path is a file: URL, which jobq "
                        + "does not read as one, and names no file: its %2F is a '/' inside a file's name, which no "
                        + "file's name holds; write the file's path, or choose another with --config FILE");
        assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(
                Path.of("file:///etc/jobq.yaml?x=1#y"), Map.of(), TestCatalogs.all(), chooseAnother)))
                .hasMessage("'file:/etc/jobq.yaml?x=1#y': no such file: the config file's path is a file: URL, which "
                        + "jobq does not read as one, and what follows its '?' is the URL's query, no part of a file's "
                        + "path (a '?' in a file's name is written %3F); write the file's path, or choose another with "
                        + "--config FILE");
        assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(
                Path.of("file:///etc/jobq.yaml#top"), Map.of(), TestCatalogs.all(), chooseAnother)))
                .hasMessageContaining("which jobq does not read as one, and what follows its '#' is the URL's "
                        + "fragment, no part of a file's path (a '#' in a file's name is written %23); write the "
                        + "file's path, or ");
        // decoded, they are a file's own: %3F is a '?' in its name
        assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(
                Path.of("file:///etc/why%3F%23.yaml"), Map.of(), TestCatalogs.all(), chooseAnother)))
                .hasMessageContaining("write the path it names, '/etc/why?#.yaml', or ");
    }

    @Test
    @DisplayName("a config file's path with a control character is repeated escaped: a newline in it split the "
            + "message, an ESC repainted the terminal")
    void repeatsAPathWithAControlCharacterEscaped() throws Exception {
        // --config "$(cat where)" with where's trailing newline kept by a script, or a name another tool wrote
        Path missing = dir.resolve("jobs\n\u001b[31m.yaml");
        Path bad = Files.writeString(dir.resolve("bad\n.yaml"), "worker:\n  concurrency: 0\n");

        var unread = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(missing, Map.of(), TestCatalogs.all(), "choose another with --config FILE"));
        var read = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(bad, Map.of(), TestCatalogs.all(), "choose another with --config FILE"));

        assertThat(unread).hasMessageStartingWith(dir.toAbsolutePath() + "/jobs\\n\\u001b[31m.yaml: no such file; ");
        assertThat(unread.getMessage()).doesNotContain("\n", "\u001b");
        assertThat(read).hasMessageStartingWith(bad.getParent() + "/bad\\n.yaml: worker.concurrency: must be ≥ 1");
        assertThat(read.getMessage()).doesNotContain("\n");
    }

    @Test
    @DisplayName("a path that starts with ~ (--config=~/jobq.yaml, JOBQ_CONFIG=~/jobq.yaml in an environment file), "
            + "which no shell expanded, is said to be taken as written, not only to be missing")
    void saysThatATildeIsTakenAsWrittenWhenTheFileIsMissing() {
        Path tilde = Path.of("~", "jobq.yaml");

        var e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(tilde, Map.of(), TestCatalogs.all(), "choose another with --config FILE"));

        assertThat(e).hasMessage(tilde.toAbsolutePath() + ": no such file; its '~' is taken as written, a directory "
                + "named ~, not as the home directory (a shell expands it only at the start of a word: not after "
                + "--config=, nor in an environment file); write the full path, or choose another with --config FILE");
    }

    @Test
    @DisplayName("~bob/jobq.yaml is said to name a directory ~bob, not bob's home: not a directory named ~, nor one's "
            + "own home")
    void saysThatAUsersTildeIsTakenAsWrittenWithItsName() {
        Path tilde = Path.of("~bob", "jobq.yaml");

        var e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(tilde, Map.of(), TestCatalogs.all(), "choose another with --config FILE"));

        assertThat(e).hasMessage(tilde.toAbsolutePath() + ": no such file; its '~bob' is taken as written, a "
                + "directory named ~bob, not as bob's home directory (a shell expands it only at the start of a word: "
                + "not after --config=, nor in an environment file); write the full path, or choose another with "
                + "--config FILE");
    }

    @Test
    @DisplayName("a file saved as UTF-16 (Windows PowerShell's > and Out-File), with a byte-order mark or without, is "
            + "named as UTF-16 with the iconv that converts it, not as Latin-1 nor as a YAML syntax error")
    void namesAFileSavedAsUtf16AndHowToConvertIt() throws IOException {
        String yaml = "worker:\n  concurrency: 3\n";
        Path withMark = Files.write(dir.resolve("marked.yaml"), yaml.getBytes(StandardCharsets.UTF_16)); // FE FF first
        Path littleEndian = Files.write(dir.resolve("le.yaml"), yaml.getBytes(StandardCharsets.UTF_16LE));
        Path bigEndian = Files.write(dir.resolve("be.yaml"), yaml.getBytes(StandardCharsets.UTF_16BE));

        assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(withMark, Map.of(),
                TestCatalogs.all()))).hasMessage(withMark.toAbsolutePath() + ": is UTF-16 text, not UTF-8 (as Windows "
                + "PowerShell 5 writes a file with > or Out-File); save it as UTF-8, e.g. iconv -f UTF-16 -t UTF-8");
        assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(littleEndian, Map.of(),
                TestCatalogs.all()))).hasMessageEndingWith(": is UTF-16LE text, not UTF-8 (as Windows PowerShell 5 "
                + "writes a file with > or Out-File); save it as UTF-8, e.g. iconv -f UTF-16LE -t UTF-8");
        assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(bigEndian, Map.of(),
                TestCatalogs.all()))).hasMessageEndingWith("save it as UTF-8, e.g. iconv -f UTF-16BE -t UTF-8");
    }

    @Test
    void namesAFileThatCannotBeRead() throws IOException {
        // a path through a file, as if it were a directory: neither missing nor readable
        Path throughAFile = Files.writeString(dir.resolve("plain.yaml"), "").resolve("jobq.yaml");

        var e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(throughAFile, Map.of(), TestCatalogs.all()));

        assertThat(e.getMessage())
                .startsWith(throughAFile.toAbsolutePath() + ": cannot be read (")
                .endsWith("pass JobQueue.fromConfig (or JobQueueBuilder.config) the path of a file that exists");
    }

    @Test
    @DisplayName("a file the user running jobq may not read names that user and how to let it, not an "
            + "AccessDeniedException (the message's builder: root, as tests may run, reads any file)")
    void namesTheUserWhoMayNotReadTheFileAndHowToLetIt() {
        Path file = Path.of("/etc/jobq/jobq.yaml");

        assertThat(ConfigLoader.permissionDenied(file, "jobq", "choose another with --config FILE")).isEqualTo(
                "cannot be read by user jobq, who runs jobq (permission denied, on the file or on a directory above "
                        + "it); let that user read the file and enter each directory above it (namei -l "
                        + "/etc/jobq/jobq.yaml shows who may), or choose another with --config FILE");
    }

    @Test
    @DisplayName("a path given with a blank at its end (--config \"jobq.yaml \"), where the file without it exists, "
            + "says so: JOBQ_CONFIG's is stripped, but a file's name may end in a space, so it is not stripped")
    void saysThatAMissingPathWithABlankAtItsEndNamesAFileWithoutIt() throws IOException {
        Path meant = Files.writeString(dir.resolve("jobq.yaml"), "");
        Path given = Path.of(meant + " ");

        var e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(given, Map.of(), TestCatalogs.all(), "choose another with --config FILE"));

        assertThat(e).hasMessage(given.toAbsolutePath() + ": no such file; '" + given + "' has a blank at its start "
                + "or end, and without it names " + meant + ", which exists: write the path without the blank, or "
                + "choose another with --config FILE");
        // a file whose name does end in a space is read as given
        Path spaced = Files.writeString(dir.resolve("spaced.yaml "), "worker:\n  concurrency: 7\n");
        assertThat(ConfigLoader.load(spaced, Map.of(), TestCatalogs.all()).worker().concurrency()).isEqualTo(7);
    }

    @Test
    @DisplayName("a directory given for the file (JOBQ_CONFIG=/etc/jobq, where a volume holds jobq.yaml) is named as "
            + "one, with the jobq.yaml in it when there is one, not as an IOException")
    void namesADirectoryGivenForTheFileAndTheJobqYamlInIt() throws IOException {
        Path mounted = Files.createDirectory(dir.resolve("jobq"));
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Files.writeString(mounted.resolve("jobq.yaml"), "");

        assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(mounted, Map.of(),
                TestCatalogs.all(), "choose another with --config FILE"))).hasMessage(mounted.toAbsolutePath()
                + ": is a directory, not a file; name the file in it, " + mounted.resolve("jobq.yaml").toAbsolutePath()
                + ", or choose another with --config FILE");
        assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(empty, Map.of(),
                TestCatalogs.all(), "choose another with --config FILE"))).hasMessage(empty.toAbsolutePath()
                + ": is a directory, not a file; choose another with --config FILE");
    }

    @Test
    void reportsAYamlSyntaxErrorOnceWithItsLineAndColumn() {
        List<String> problems = Load.problems("""
                worker:
                  concurrency: 5
                 pollInterval: [1s
                """);

        assertThat(problems).containsExactly("line 3, column 2: not valid YAML: while parsing a block mapping "
                + "(from line 1, column 1); expected <block end>, but found '<block mapping start>' (check the "
                + "indentation: nested keys need more spaces than their parent)");
    }

    @Test
    @DisplayName("'mapping values are not allowed here' says its two usual causes and their fixes: a key indented "
            + "deeper than the one above it, and an unquoted value that holds ': '")
    void saysWhatMakesAMappingValueNotAllowedAndTheFix() {
        String hint = " (a key indented deeper than the key above it, or a value holding ': ' without quotes: line "
                + "the key up with the one above, or put the value in quotes)";

        assertThat(Load.problems("""
                worker:
                  concurrency: 5
                    pollInterval: 1s
                """)).containsExactly("line 3, column 17: not valid YAML: mapping values are not allowed here" + hint);
        assertThat(Load.problems("""
                worker:
                  mode: standalone: yes
                """)).containsExactly("line 2, column 19: not valid YAML: mapping values are not allowed here" + hint);
    }

    @Test
    void pointsAtTheLineOfATabNotTheEndOfTheLineBefore() {
        List<String> problems = Load.problems("""
                worker:
                  concurrency: 5
                	pollInterval: 1s
                """);

        assertThat(problems).containsExactly("line 3, column 1: not valid YAML: while scanning for the next token; "
                + "found character '\\t(TAB)' that cannot start any token. (Do not use \\t(TAB) for indentation)");
    }

    @Test
    void pointsAtAnUnclosedQuoteWhereItOpens() {
        List<String> problems = Load.problems("""
                worker:
                  mode: "standalone
                  concurrency: 5
                """);

        assertThat(problems).containsExactly("line 4, column 1: not valid YAML: while scanning a quoted scalar "
                + "(from line 2, column 9); found unexpected end of stream");
    }

    @Test
    void saysToQuoteAnEnvironmentReferenceInsideBraces() {
        List<String> problems = Load.problems("""
                queues:
                  reports: { type: memory, maxHistorySize: ${HISTORY} }
                """);

        assertThat(problems).containsExactly("line 2, column 45: not valid YAML: while parsing a flow mapping; "
                + "expected ',' or '}', but got { (inside { } or [ ], YAML reads the { of a ${…} reference as the start "
                + "of a map: put the value in quotes, e.g. \"${HISTORY}\")");
    }

    @Test
    @DisplayName("the hint to quote a ${…} reference inside braces is given on the first line of a file that starts "
            + "with a byte-order mark: SnakeYAML's column, which counts no U+FEFF, was used as an index into the line")
    void saysToQuoteAnEnvironmentReferenceAfterAByteOrderMark() {
        assertThat(Load.problems("\uFEFFworker: { queues: ${QUEUES} }\n")).containsExactly("line 1, column 20: not "
                + "valid YAML: while parsing a flow mapping; expected ',' or '}', but got { (inside { } or [ ], YAML "
                + "reads the { of a ${…} reference as the start of a map: put the value in quotes, e.g. \"${QUEUES}\")");
    }

    @Test
    @DisplayName("a U+FEFF past the file's start (a second file with a byte-order mark appended to the first) is a "
            + "column as SnakeYAML counts it: left out as a byte-order mark is, the hint to quote a ${…} reference "
            + "after it was lost, and a character not allowed after it was placed a column short")
    void countsAnFeffPastTheStartAsAColumn() {
        assertThat(Load.problems("# base\n\uFEFFworker: { queues: ${QUEUES} }\n")).containsExactly("line 2, column 21: "
                + "not valid YAML: while parsing a flow mapping; expected ',' or '}', but got { (inside { } or [ ], YAML "
                + "reads the { of a ${…} reference as the start of a map: put the value in quotes, e.g. \"${QUEUES}\")");
        assertThat(Load.problems("worker: { a: \"\uFEFF\u001b\" }\n")).containsExactly("line 1, column 16: not valid "
                + "YAML: the character U+001B (a control character) is not allowed in a YAML file; remove it, or in a "
                + "double-quoted value write it as the escape \\u001b");
    }

    @Test
    @DisplayName("the hint to quote a ${…} reference inside braces is given after an emoji earlier on its line: "
            + "SnakeYAML's column counts code points, and was used as an index of chars, one short per emoji")
    void saysToQuoteAnEnvironmentReferenceAfterAnEmojiOnTheLine() {
        List<String> problems = Load.problems("""
                queues:
                  reports: { type: "memory\uD83D\uDE80", maxHistorySize: ${HISTORY} }
                """);

        assertThat(problems).containsExactly("line 2, column 48: not valid YAML: while parsing a flow mapping; "
                + "expected ',' or '}', but got { (inside { } or [ ], YAML reads the { of a ${…} reference as the start "
                + "of a map: put the value in quotes, e.g. \"${HISTORY}\")");
    }

    @Test
    void saysToQuoteAnEnvironmentReferenceInsideBrackets() {
        List<String> problems = Load.problems("""
                worker:
                  queues: [default, ${EXTRA_QUEUE:-reports}]
                """);

        assertThat(problems).singleElement().asString().endsWith("(inside { } or [ ], YAML reads the { of a ${…} "
                + "reference as the start of a map: put the value in quotes, e.g. \"${EXTRA_QUEUE:-reports}\")");
    }

    @Test
    @DisplayName("a 100,000-character alias name, duplicate key or worker.mode is cut in its refusal: an alias's name "
            + "was written whole twice, a 200,137-character problem")
    void cutsALongDuplicateKeyAliasNameAndChoiceInTheRefusal() {
        String longName = "k".repeat(100_000);
        assertThat(Load.problems("worker: *" + longName + "\n")).singleElement().asString().hasSizeLessThan(600)
                .startsWith("line 1, column 9: *" + "k".repeat(80) + "… (100000 characters) stands for no section or "
                        + "list anchored &" + "k".repeat(80) + "… above it");
        assertThat(Load.problems("? " + longName + "\n: 1\n? " + longName + "\n: 2\n")).singleElement().asString()
                .startsWith("line 3, column ")
                .endsWith(": not valid YAML: Duplicate field '" + "k".repeat(183) + "…");
        assertThat(Load.problems("worker:\n  mode: " + longName + "\n")).singleElement().asString()
                .isEqualTo("worker.mode: must be one of in-process, standalone, got '" + "k".repeat(80)
                        + "…' (100000 characters)");
    }

    @Test
    void reportsADuplicateKeyAsASyntaxError() {
        List<String> problems = Load.problems("""
                worker:
                  concurrency: 5
                  concurrency: 6
                """);

        assertThat(problems).containsExactly("line 3, column 14: not valid YAML: Duplicate field 'concurrency'");
    }

    @Test
    @DisplayName("a YAML syntax error repeats the file's own characters escaped: Jackson's duplicate key and "
            + "SnakeYAML's unknown escape quoted them raw, an ESC repainting the terminal")
    void repeatsTheFilesCharactersInAYamlErrorEscaped() {
        assertThat(Load.problems("""
                worker:
                  "a\\e[31m": 5
                  "a\\e[31m": 6
                """)).containsExactly("line 3, column 12: not valid YAML: Duplicate field 'a\\u001b[31m'");
        assertThat(Load.problems("""
                worker:
                  mode: "a\\\u202eb"
                """)).containsExactly("line 2, column 12: not valid YAML: while scanning a double-quoted scalar; "
                + "found unknown escape character \\u202e(8238)");
        // jobq's own refusal of an alias, whose name is the file's too
        assertThat(Load.problems("""
                worker: *a\u202eb
                """)).singleElement().asString().startsWith("line 1, column 9: *a\\u202eb stands for no section");
    }

    @Test
    @DisplayName("a duplicate key with a line break in it is named as it is written, the break escaped: it was "
            + "named 'a; b', a key the file does not hold, or cut at the break")
    void namesADuplicateKeyWithALineBreakAsItIs() {
        assertThat(Load.problems("""
                worker:
                  "a\\nb": 5
                  "a\\nb": 6
                """)).containsExactly("line 3, column 9: not valid YAML: Duplicate field 'a\\nb'");
        assertThat(Load.problems("""
                worker:
                  "a\\n in 'x\\nc": 5
                  "a\\n in 'x\\nc": 6
                """)).containsExactly("line 3, column 17: not valid YAML: Duplicate field 'a\\n in 'x\\nc'");
    }

    @Test
    @DisplayName("a character YAML does not allow (an ESC of pasted terminal colours, a NUL) is named with its line "
            + "and column: it was 'line 1, column 1: special characters are not allowed', wherever it stood")
    void namesACharacterYamlDoesNotAllowWhereItStands() {
        assertThat(Load.problems("""
                worker:
                  concurrency: 5
                  mode: \u001b[32mstandalone
                """)).containsExactly("line 3, column 9: not valid YAML: the character U+001B (a control character) "
                + "is not allowed in a YAML file; remove it, or in a double-quoted value write it as the escape "
                + "\\u001b");
        assertThat(Load.problems("worker:\r\n  mode: in\u0000process\r\n")).containsExactly("line 2, column 11: not "
                + "valid YAML: the character U+0000 (a control character) is not allowed in a YAML file; remove it, or "
                + "in a double-quoted value write it as the escape \\u0000");
        // a NEL is a line break in YAML 1.1, as SnakeYAML reads it
        assertThat(Load.problems("worker:\u0085  mode: \u007f\n")).singleElement().asString()
                .startsWith("line 2, column 9: not valid YAML: the character U+007F (a control character)");
    }

    @Test
    @DisplayName("a character YAML does not allow on the first line of a file that starts with a byte-order mark is "
            + "given the column an editor shows, as SnakeYAML's own errors are: the mark was counted as a column")
    void namesACharacterYamlDoesNotAllowInTheColumnAfterAByteOrderMark() {
        assertThat(Load.problems("\uFEFFworker: \u001b[32m\n")).containsExactly("line 1, column 9: not valid YAML: the "
                + "character U+001B (a control character) is not allowed in a YAML file; remove it, or in a "
                + "double-quoted value write it as the escape \\u001b");
        // SnakeYAML's own, for the same place: the mark is no column
        assertThat(Load.problems("\uFEFFworker: {a: 1\n")).singleElement().asString()
                .contains("(from line 1, column 9)");
    }

    @Test
    @DisplayName("a lone surrogate in a config given as a String is placed where it stands, not at the first half of "
            + "an emoji on an earlier line, which is no lone surrogate")
    void namesALoneSurrogateWhereItStandsAfterAnEmoji() {
        assertThat(Load.problems("# \uD83D\uDE80 rockets\nworker: \uD83D\n")).containsExactly("line 2, column 9: not "
                + "valid YAML: the character U+D83D is not allowed in a YAML file; remove it, or in a double-quoted "
                + "value write it as the escape \\ud83d");
    }

    @Test
    void refusesASecondDocumentRatherThanIgnoringIt() {
        assertThat(Load.problems("""
                worker:
                  concurrency: 3
                ---
                scheduler:
                  enabled: true
                """)).containsExactly("line 4, column 1: a second YAML document begins here (after a '---' line); "
                + "jobq reads one document per file, so its keys would be ignored: remove the '---' line");
    }

    @Test
    void refusesAnEmptyTrailingDocumentWithoutSayingKeysWouldBeIgnored() {
        // a trailing '---' (files joined, a template's separator) opens a document with nothing in it
        List<String> expected = List.of("line 3, column 1: this '---' line begins a second YAML document, with "
                + "nothing in it; jobq reads one document per file: remove the '---' line");
        assertThat(Load.problems("worker:\n  concurrency: 3\n---\n")).isEqualTo(expected);
        assertThat(Load.problems("worker:\n  concurrency: 3\n---\n# the end\n")).isEqualTo(expected);
    }

    @Test
    void readsOneDocumentWithItsOptionalMarkers() {
        assertThat(Load.yaml("---\nworker:\n  concurrency: 3\n...\n").worker().concurrency()).isEqualTo(3);
    }

    @Test
    void resolvesAnchorsAliasesAndMergeKeysOfSections() {
        JobQueueConfig config = Load.yaml("""
                provider: { type: memory }
                queues:
                  reports: &shared
                    type: memory
                    maxHistorySize: 7
                    leaseDuration: 1m
                  audit:
                    <<: *shared
                    leaseDuration: 2m
                  copy: *shared
                  cleared:
                    <<: *shared
                    maxHistorySize:
                """);

        assertThat(config.providers().get("audit").settings().keys())
                .containsExactlyInAnyOrder("type", "maxHistorySize", "leaseDuration");
        assertThat(config.providers().get("audit").settings().string("maxHistorySize")).isEqualTo("7");
        assertThat(config.providers().get("audit").settings().string("leaseDuration")).isEqualTo("2m");
        assertThat(config.providers().get("copy").settings().string("leaseDuration")).isEqualTo("1m");
        assertThat(config.providers().get("cleared").settings().string("maxHistorySize")).isNull();
    }

    @Test
    void refusesAliasesNestedToExpandBeyondTheLimitNamingTheFileAndTheLimit() {
        // "billion laughs": 9 lists of 9 aliases of the list above, 387,420,489 values from 600 characters.
        // jobq resolves aliases itself (SnakeYAML's alias limit is its composer's), so it must bound them.
        var yaml = new StringBuilder("worker:\n  lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int level = 1; level <= 9; level++) {
            String alias = "*lol" + (level - 1);
            yaml.append("  lol").append(level).append(": &lol").append(level).append(" [")
                    .append(String.join(", ", java.util.Collections.nCopies(9, alias))).append("]\n");
        }

        var e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> catchThrowableOfType(ConfigException.class, () -> Load.yaml(yaml.toString())));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).startsWith("jobq.yaml: line 7, column 16: *lol4");
        assertThat(e.problems()).singleElement().asString()
                .startsWith("line 7, column 16: *lol4 makes the file more than 100000 values long with its "
                        + "aliases expanded");
    }

    @Test
    void acceptsASectionSharedByManyQueuesWithinTheLimit() {
        var yaml = new StringBuilder("""
                provider: &shared
                  type: memory
                  maxHistorySize: 7
                  leaseDuration: 1m
                queues:
                """);
        for (int i = 0; i < 500; i++) {
            yaml.append("  q").append(i).append(": { <<: *shared, maxHistorySize: ").append(i + 1).append(" }\n");
        }

        JobQueueConfig config = Load.yaml(yaml.toString());

        assertThat(config.providers()).hasSize(501);
        assertThat(config.providers().get("q499").settings().string("leaseDuration")).isEqualTo("1m");
        assertThat(config.providers().get("q499").settings().string("maxHistorySize")).isEqualTo("500");
    }

    @Test
    void reportsTheProblemsOfAQueueWhoseNameStartsWithTheNameOfAQueueSetInCode() throws IOException {
        // "reports" is set in code, so its section's problems are not reported; "reports.eu" is the file's own
        Path file = Files.writeString(dir.resolve("jobq.yaml"), """
                queues:
                  reports: { type: memory, maxHistorySize: 0 }
                  reports.eu: { type: memory, maxHistorySize: 0 }
                  reports.us: ${REPORTS_US}
                """);

        var e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file, Map.of(), TestCatalogs.all(),
                new ConfigLoader.SetInCode(java.util.Set.of("reports"), false)));

        assertThat(e).isNotNull();
        assertThat(e.problems()).containsExactly(
                "queues.reports.us: environment variable REPORTS_US is not set; set it, or give a default with "
                        + "${REPORTS_US:-value}",
                "queues.reports.eu.maxHistorySize: must be ≥ 1, got 0");
    }

    @Test
    void aKeyOfThousandsOfListIndexesWithAnUnsetVariableIsAProblemNotAStackOverflow() {
        // the list index after a path, (\[\d+])+$, recursed once an index: a key 'x[0][0]…' of 3,000 of them (9 KB,
        // a YAML explicit key) whose value named an unset variable threw a StackOverflowError out of the load
        String key = "x" + "[0]".repeat(3_000);

        assertThat(Load.problems("worker:\n  ? \"" + key + "\"\n  : ${JOBQ_UNSET}\n")).containsExactly("worker." + key
                + ": environment variable JOBQ_UNSET is not set; set it, or give a default with ${JOBQ_UNSET:-value}");
    }

    @Test
    void refusesABinaryValueRatherThanPassingOnTheNameOfAByteArray() {
        // a password written as YAML's !!binary reached the scheduler as "[B@64729b1e"
        assertThat(Load.problems("""
                scheduler:
                  password: !!binary aGVsbG8=
                """)).containsExactly("line 2, column 13: a !!binary value is not read (jobq's values are text): "
                + "write the text itself, or for a secret ${VARIABLE} with the text in the environment");
    }

    @Test
    void saysThatAnAliasInsideTheSectionItStandsForWouldHoldItself() {
        // the anchor is right above the alias, so "stands for no section or list anchored &shared above it" misled
        assertThat(Load.problems("""
                queues:
                  reports: &shared
                    type: memory
                    copy: *shared
                """)).containsExactly("line 4, column 11: *shared is inside the section or list anchored &shared, which "
                + "would then hold itself without end; alias it from outside it");
    }

    @Test
    void namesAnAliasWithoutItsAnchorAndSaysSingleValuesCannotBeShared() {
        // Jackson's parser drops the anchor of a single value, so *history finds nothing to stand for.
        assertThat(Load.problems("""
                provider:
                  type: memory
                  maxHistorySize: &history 42
                queues:
                  reports: { type: memory, maxHistorySize: *history }
                """)).containsExactly("line 5, column 44: *history stands for no section or list anchored "
                + "&history above it; anchors of single values are not supported: write the value itself");
    }

    @Test
    void keepsAPlainValueAsWrittenWhereYamlWouldReadANumberOrABoolean() {
        JobQueueConfig config = Load.yaml("""
                scheduler:
                  enabled: yes
                  username: no
                  password: 0123
                worker:
                  concurrency: 007
                """);

        assertThat(config.scheduler().settings().string("password")).isEqualTo("0123"); // not octal 83
        assertThat(config.scheduler().settings().string("username")).isEqualTo("no"); // not "false"
        assertThat(config.scheduler().enabled()).isTrue();
        assertThat(config.worker().concurrency()).isEqualTo(7);
    }

    @Test
    @DisplayName("a bare negative number for a duration key is told, with the key, that it is negative and has no "
            + "unit, as QUEUE_SHUTDOWN_TIMEOUT=-5 is told it is negative: the file's was told it is not a duration")
    void tellsABareNegativeDurationItIsNegativeWithTheKey() {
        assertThat(Load.problems("""
                worker:
                  shutdownTimeout: -5
                  pollInterval: -30
                """)).containsExactly(
                "worker.pollInterval: '-30' is negative and has no unit; write 30ms, 30s or 30m",
                "worker.shutdownTimeout: '-5' is negative and has no unit; write 5ms, 5s, 5m or 5h");
    }

    @Test
    @DisplayName("a minus before an ISO-8601 duration and another inside it is refused with the key, where -P-1D was "
            + "read as a day")
    void refusesAMinusBeforeAndInsideIso8601WithTheKey() {
        assertThat(Load.problems("""
                worker:
                  shutdownTimeout: -P-1D
                  pollInterval: -PT-5S
                """)).containsExactly(
                "worker.pollInterval: '-PT-5S' has a minus before the P and another after it, which ISO-8601 reads as "
                        + "plus; write 5s",
                "worker.shutdownTimeout: '-P-1D' has a minus before the P and another after it, which ISO-8601 reads as "
                        + "plus; write 1d");
    }

    @Test
    void refusesAFileThatIsNotAMap() {
        assertThat(Load.problems("- provider\n- worker\n")).containsExactly(
                "the file must be a map of sections (provider, queues, worker, scheduler), got a list");
    }

    @Test
    @DisplayName("a file that is one URL (JOBQ_CONFIG naming a mounted secret by mistake) is refused with its password "
            + "masked, as every error shows a config value")
    void masksTheUrlOfAFileThatIsOneValue() {
        String masked = "the file must be a map of sections (provider, queues, worker, scheduler), got the value "
                + "'postgresql://jobq:****@db:5432/…' (a URL, not repeated past its host: a file of one value may be a "
                + "secret); check that this is the config file meant";

        assertThat(Load.problems("postgresql://jobq:s3cret@db:5432/jobs\n")).containsExactly(masked);
        // a password written raw with a '/' is masked before the URL is cut at its path: not cut inside it
        assertThat(Load.problems("postgresql://jobq:s3/cret@db:5432/jobs\n")).containsExactly(masked);
    }

    @Test
    @DisplayName("a file that is one URL is repeated up to its host escaped: an ESC or a bidirectional override in it "
            + "repainted the terminal or reordered the line")
    void repeatsTheUrlOfAFileThatIsOneValueEscaped() {
        assertThat(Load.problems("https://hooks\u202e.example\u2066/services/T0/B0/XXXXsecret\n")).containsExactly(
                "the file must be a map of sections (provider, queues, worker, scheduler), got the value "
                        + "'https://hooks\\u202e.example\\u2066/…' (a URL, not repeated past its host: a file of one "
                        + "value may be a secret); check that this is the config file meant");
    }

    /**
     * A mounted secret that is a URL often holds its secret in the path, which no mask finds: a webhook's token
     * (https://hooks.example/services/T0/B0/XXXXsecret). The refusal names the file as a URL and its host only.
     */
    @Test
    void doesNotRepeatThePathOfAFileThatIsOneUrl() {
        assertThat(Load.problems("https://hooks.example/services/T0/B0/XXXXsecret\n")).containsExactly(
                "the file must be a map of sections (provider, queues, worker, scheduler), got the value "
                        + "'https://hooks.example/…' (a URL, not repeated past its host: a file of one value may be a "
                        + "secret); check that this is the config file meant");
    }

    /** A mounted secret is most often the password alone (Docker's /run/secrets/db_password, a Kubernetes key). */
    @Test
    void doesNotRepeatAFileThatIsOneValueOtherThanAUrl() {
        assertThat(Load.problems("S3CRET-hunter2\n")).containsExactly(
                "the file must be a map of sections (provider, queues, worker, scheduler), got a single value (not "
                        + "repeated here: a file of one value may be a secret, such as a mounted password); check "
                        + "that this is the config file meant");
    }

    @Test
    @DisplayName("a .properties or environment file given for the config (key=value lines, one YAML value) is not "
            + "repeated, though a URL stands in it: its other lines hold passwords; it is told as key=value lines, with "
            + "what jobq reads instead")
    void doesNotRepeatAPropertiesFileWithAUrlAndSaysJobqReadsYaml() {
        String notRepeated = "the file must be a map of sections (provider, queues, worker, scheduler), got a single "
                + "value (not repeated here: a file of one value may be a secret, such as a mounted password); it reads "
                + "as key=value lines, as a .properties or environment file does: jobq reads YAML, each section a key "
                + "ending in ':' with its own keys indented under it (a line 'worker:', then '  concurrency: 5')";

        assertThat(Load.problems("""
                # jobq
                scheduler.username=jobq
                scheduler.password=hunter2
                scheduler.jdbcUrl = jdbc:postgresql://db:5432/jobs
                """)).containsExactly(notRepeated);
        assertThat(Load.problems("SQS_QUEUE_URL=https://sqs.us-east-1.amazonaws.com/1/jobs\n"
                + "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI\n")).containsExactly(notRepeated);
    }

    @Test
    void refusesASectionThatIsNotASection() {
        assertThat(Load.problems("worker: 5\nqueues: [reports]\n")).containsExactly(
                "queues: must be a section of keys, got '[reports]'; write its keys on the lines below queues:, indented",
                "worker: must be a section of keys, got '5'; write its keys on the lines below worker:, indented");
    }

    @Test
    @DisplayName("a section written as a list of '- key: value' lines, or keys nested under a key that wants one value, "
            + "is shown with the value of each key named like a secret masked, as that key's own value is")
    void masksTheSecretKeysOfKeysWrittenWhereASectionOrAValueIsWanted() {
        assertThat(Load.problems("""
                scheduler:
                  - type: jdbc
                  - password: hunter2
                """)).containsExactly("scheduler: must be a section of keys, got '[{type=jdbc}, {password=****}]'; "
                + "write its keys on the lines below scheduler:, indented");
        assertThat(Load.problems("""
                scheduler:
                  jdbcUrl:
                    url: jdbc:postgresql://db:5432/jobs
                    credentials: {username: jobq, password: hunter2}
                """)).containsExactly("scheduler.jdbcUrl: must be a single value, got {url=jdbc:postgresql://db:5432/jobs, "
                + "credentials=****}");
    }

    @Test
    @DisplayName("keys nested under a key that wants a number or a duration are shown with the value of each key named "
            + "like a secret masked, as under one that wants a single value")
    void masksTheSecretKeysOfKeysWrittenWhereANumberOrADurationIsWanted() {
        // worker.concurrency: {api-key: …} showed '{api-key=S3CRET, …}' where scheduler.jdbcUrl: {password: …} is masked
        assertThat(Load.problems("""
                provider:
                  type: memory
                  maxHistorySize: [{password: hunter2}]
                worker:
                  concurrency: {api-key: S3CRET, max-keys: 5}
                  shutdownTimeout: {password: hunter2, key-prefix: a}
                """)).containsExactlyInAnyOrder(
                "provider.maxHistorySize: must be a whole number, got '[{password=****}]'",
                "worker.concurrency: must be a whole number, got '{api-key=****, max-keys=5}'",
                "worker.shutdownTimeout: '{password=****, key-prefix=a}' is not a duration with a unit such as 500ms, "
                        + "30s, 5m, 1h, 2d, or ISO-8601 like PT30S");
    }

    @Test
    @DisplayName("an API key or a private key written nested (api: {key: …}, as Spring's api.key) where something else "
            + "is wanted is shown masked, as apiKey's and private-key's are")
    void masksAKeyWhoseSectionAndNameTogetherNameASecret() {
        // only a key's own name was looked at: key under api: is no secret's, and its value was shown
        assertThat(Load.problems("""
                worker:
                  concurrency: {api: {key: S3CRET, version: 2}}
                  mode: {private: {key: T0P}}
                  queues: {api: {key: PR1VATE}}
                """)).containsExactlyInAnyOrder(
                "worker.concurrency: must be a whole number, got '{api={key=****, version=2}}'",
                "worker.mode: must be a single value, got {private={key=****}}",
                "worker.queues: must be a list, got a section of keys (api: {key=****}); write [api, {key=****}], in "
                        + "square brackets, or each item on a line of its own after '- '");
    }

    @Test
    @DisplayName("a section written as key=value or key:value lines (one YAML value) is not repeated, though a URL "
            + "stands in it: its other lines hold passwords; it is told to write each key as 'key: value'")
    void doesNotRepeatASectionWrittenAsKeyValueLines() {
        String notRepeated = "scheduler: must be a section of keys, got a single value (not repeated here: text of "
                + "key=value, key:value or several words may hold a password); write its keys on the lines below "
                + "scheduler:, indented, each as 'key: value', with a blank after the ':'";

        assertThat(Load.problems("""
                scheduler:
                  jdbcUrl=jdbc:postgresql://db:5432/jobs
                  password=hunter2
                """)).containsExactly(notRepeated);
        assertThat(Load.problems("""
                scheduler:
                  jdbcUrl:jdbc:postgresql://db:5432/jobs
                  password:hunter2
                """)).containsExactly(notRepeated);
        assertThat(Load.problems("scheduler: password=hunter2\n")).containsExactly(notRepeated);
        // a wait with a blank in it is a duration, shown with its advice as before
        assertThat(Load.problems("worker:\n  backoff: 1m 30s\n")).containsExactly("worker.backoff: must be a section "
                + "of keys, got '1m 30s'; write the same wait after every attempt as backoff: {type: fixed, delay: "
                + "1m 30s}");
    }

    @Test
    @DisplayName("a JDBC URL written as the scheduler: section (scheduler: jdbc:h2:…;PASSWORD=…) is not repeated and "
            + "is told to go under scheduler: as its jdbcUrl, where it was told to write key: value lines")
    void tellsAJdbcUrlWrittenAsTheSchedulerSectionToBeItsJdbcUrl() {
        String told = "scheduler: must be a section of keys, got a JDBC URL (not repeated here: it may hold a "
                + "password); write it on the line below scheduler:, indented, as the scheduler's database: "
                + "'jdbcUrl: jdbc:…'";

        assertThat(Load.problems("scheduler: jdbc:h2:file:./data/x;PASSWORD=hunter2\n")).containsExactly(told);
        assertThat(Load.problems("scheduler: jdbc:postgresql://db:5432/jobs?password=hunter2\n"))
                .containsExactly(told);
        assertThat(Load.problems("scheduler: ${DATABASE_URL}\n",
                Map.of("DATABASE_URL", "JDBC:postgresql://jobq:hunter2@db/jobs\n"))).containsExactly(told);
    }

    @Test
    @DisplayName("a key=value line with a ': ' after it, which YAML reads as a key (a password holding ': ' in an "
            + "environment file), is not repeated as an unknown key: the key holds the password")
    void doesNotRepeatAnUnknownKeyWrittenKeyEqualsValue() {
        assertThat(Load.problems("DB_PASSWORD=hunter2: x\n")).containsExactly("a key written key=value (not repeated "
                + "here: it may hold a password) is unknown, read as a key for the ':' after it; write each key as "
                + "'key: value', with a blank after the ':', on its own line (known keys here: provider, queues, "
                + "worker, scheduler)");
        assertThat(Load.problems("""
                scheduler:
                  jdbcUrl: jdbc:postgresql://db:5432/jobs
                  username=jobq password=hunter2: x
                """)).singleElement().asString()
                .startsWith("scheduler: a key written key=value (not repeated here: it may hold a password) is unknown")
                .doesNotContain("hunter2");
    }

    @Test
    @DisplayName("a URL under a key that wants something else is shown with its password masked, as every error shows "
            + "a config value (configuration.md, \"Secrets in errors\")")
    void masksTheUrlOfAKeyThatWantsSomethingElse() {
        assertThat(Load.problems("""
                provider: ${DATABASE_URL}
                worker:
                  concurrency: ${DATABASE_URL}
                  mode: [postgresql://jobq:s3cret@db:5432/jobs]
                """, Map.of("DATABASE_URL", "postgresql://jobq:s3cret@db:5432/jobs"))).containsExactly(
                "provider: must be a section of keys, got 'postgresql://jobq:****@db:5432/jobs'; write its keys on the "
                        + "lines below provider:, indented",
                "worker.mode: must be a single value, got [postgresql://jobq:****@db:5432/jobs]",
                "worker.concurrency: must be a whole number, got 'postgresql://jobq:****@db:5432/jobs'");
    }

    @Test
    void readsAnEmptyFileAsTheDefaults() {
        JobQueueConfig config = Load.yaml("# nothing configured yet\n");

        assertThat(config.providers()).containsOnlyKeys("default");
        assertThat(config.providers().get("default").type()).isEqualTo("memory");
        assertThat(config.worker()).usingRecursiveComparison().ignoringFields("backoff")
                .isEqualTo(WorkerSettings.defaults());
        assertThat(config.scheduler()).isNull();
    }

    @Test
    void givesTheDefaultsWithoutAFile() {
        JobQueueConfig config = ConfigLoader.defaults(TestCatalogs.all());

        assertThat(config.providers().get("default").type()).isEqualTo("memory");
        assertThat(config.worker().concurrency()).isEqualTo(WorkerSettings.DEFAULT_CONCURRENCY);
        assertThat(config.worker().pollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.scheduler()).isNull();
    }

    @Test
    void refusesTheDefaultsWhenTheMemoryProviderIsMissing() {
        var e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.defaults(TestCatalogs.empty()));

        assertThat(e.problems()).containsExactly("provider: not configured, so the \"default\" queue would be of "
                + "type memory, but: unknown provider type 'memory' (none is on the classpath); add "
                + "dev.jobq:provider-memory to the classpath (or its jar to the worker's --handlers directory)");
    }

    /** A value from a variable may hold a newline (a file's contents): the error keeps one problem per line. */
    @Test
    void aValueWithANewlineStaysOnItsProblemsLine() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(
                "worker:\n  concurrency: ${C}\n  shutdownTimeout: soon\n", "jobq.yaml", Map.of("C", "4\nforged: line"),
                TestCatalogs.all()));

        assertThat(e.problems()).hasSize(2).noneMatch(problem -> problem.contains("\n") || problem.contains("\r"));
        assertThat(e.problems().get(0)).isEqualTo("worker.concurrency: must be a whole number, got '4\\nforged: line'");
        assertThat(e.getMessage().lines()).hasSize(3);
    }
}
