package dev.jobq.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("an argument Java 17 could not read in the process's locale is refused before the relaunch, which "
            + "would pass its U+FFFD on as '?', a letter the worker's java cannot tell from one typed")
    void anArgumentTheLocaleCouldNotReadIsRefusedBeforeTheRelaunch() {
        // LC_ALL=C, java 17 -jar jobq.jar enqueue 'zoë:greet': the child read zo??:greet, enqueued it, and exited 0
        String[] args = {"enqueue", "zo\ufffd\ufffd:greet"};

        assertThat(Launcher.unreadArgument("jobq", args, "ANSI_X3.4-1968", Map.of("LC_ALL", "C"))).isEqualTo(
                "jobq: argument 2 of the command line, 'zo\\ufffd\\ufffd:greet', lost characters: Java read the command "
                        + "line in US-ASCII, the encoding of this process's locale (LC_ALL=C), and put U+FFFD "
                        + "(\\ufffd) in place of each byte it could not read; nothing was done. Run jobq with a UTF-8 "
                        + "locale, e.g. LC_ALL=C.UTF-8 java -jar jobq.jar ... (systemd: Environment=LC_ALL=C.UTF-8; "
                        + "cron: a line LC_ALL=C.UTF-8 in the crontab)");
        assertThat(Launcher.unreadArgument("jobq", args, "UTF-8", Map.of())).as("read in UTF-8: the user's own").isNull();
        assertThat(Launcher.unreadArgument("jobq", new String[] {"enqueue", "zoe:greet"}, "ANSI_X3.4-1968",
                Map.of("LC_ALL", "C"))).isNull();
    }

    @Test
    @DisplayName("the argument Java 17 could not read is named in the worker's words: the encoding by its name, not "
            + "the locale's alias, and a control character in it escaped, not written to the terminal")
    void anUnreadArgumentIsNamedAsTheWorkerNamesIt() {
        // LC_ALL=C java17 -jar jobq.jar enqueue $'zo\u00eb\e[31mred': the launcher said "in ANSI_X3.4-1968" and wrote
        // the ESC raw, which turned the terminal red; the worker's java says US-ASCII and \u001b
        String message = Launcher.unreadArgument("jobq", new String[] {"enqueue", "zo\ufffd\ufffd\u001b[31m\u202ered\n"},
                "ANSI_X3.4-1968", Map.of("LC_ALL", "C"));

        assertThat(message).startsWith("jobq: argument 2 of the command line, 'zo\\ufffd\\ufffd\\u001b[31m\\u202ered"
                + "\\n', lost characters: Java read the command line in US-ASCII, the encoding of this process's locale "
                + "(LC_ALL=C)");
        // a line separator, which a log viewer shows as a line break, and a bidirectional mark, as the worker's java
        // writes them
        assertThat(Launcher.unreadArgument("jobq", new String[] {"zo\ufffd\u2028x\u2029\u200f\u061c"}, "ANSI_X3.4-1968",
                Map.of())).startsWith("jobq: argument 1 of the command line, 'zo\\ufffd\\u2028x\\u2029\\u200f\\u061c', "
                + "lost characters: ");
        assertThat(Launcher.unreadArgument("jobq", new String[] {"zo\ufffd"}, "x-no-such-encoding", Map.of()))
                .as("an encoding this java does not know: named as it is").contains(" in x-no-such-encoding, ");
    }

    @Test
    @DisplayName("reads the feature release of old and new specification versions")
    void featureOfSpecificationVersions() {
        assertThat(Launcher.feature("1.8")).isEqualTo(8);
        assertThat(Launcher.feature("17")).isEqualTo(17);
        assertThat(Launcher.feature("25")).isEqualTo(25);
        assertThat(Launcher.feature("21.0.3")).isEqualTo(21);
        assertThat(Launcher.feature("banana")).isEqualTo(-1);
    }

    @Test
    @DisplayName("reads a JDK's release from its release file, and -1 where there is no JDK")
    void releaseOfAJdkDirectory() throws IOException {
        Path jdk = fakeJdk("JAVA_VERSION=\"25.0.3\"");
        assertThat(Launcher.releaseFeature(jdk)).isEqualTo(25);
        assertThat(Launcher.releaseFeature(fakeJdk("IMPLEMENTOR=\"someone\""))).isEqualTo(-1);
        assertThat(Launcher.releaseFeature(dir.resolve("missing"))).isEqualTo(-1);
        // The JDK running this test has a release file of its own.
        assertThat(Launcher.releaseFeature(Path.of(System.getProperty("java.home")))).isEqualTo(Runtime.version().feature());
    }

    @Test
    @DisplayName("the message for a java too old names it, what JAVA_HOME is, and the fix")
    void tooOldSaysWhatToDo() {
        assertThat(Launcher.tooOld("jobq", 17, "/usr/lib/jvm/java-17", null, -1)).isEqualTo("jobq needs Java 21 or newer; "
                + "this java is 17 (/usr/lib/jvm/java-17), and JAVA_HOME is not set. Set JAVA_HOME to a JDK 21+ or put "
                + "its bin first on PATH, and run again.");
        assertThat(Launcher.tooOld("jobq", 17, "/usr/lib/jvm/java-17", "/opt/jdk11", 11))
                .contains("JAVA_HOME (/opt/jdk11) is Java 11.");
        String notAJdk = dir.toString();
        assertThat(Launcher.tooOld("jobq", 17, "/usr/lib/jvm/java-17", notAJdk, -1))
                .contains("JAVA_HOME (" + notAJdk + ") is not a JDK this launcher can read the version of.");
    }

    @Test
    @DisplayName("JAVA_HOME naming a directory that does not exist (a typo, a JDK since removed) says so, not that it "
            + "is a JDK whose version cannot be read")
    void aJavaHomeThatDoesNotExistIsNamedAsThat() {
        String typo = dir.resolve("temurin-21-jdk").toString();

        assertThat(Launcher.tooOld("jobq", 17, "/usr/lib/jvm/java-17", typo, -1)).isEqualTo("jobq needs Java 21 or newer; "
                + "this java is 17 (/usr/lib/jvm/java-17), and JAVA_HOME (" + typo + ") does not exist. Set JAVA_HOME "
                + "to a JDK 21+ or put its bin first on PATH, and run again.");
    }

    @Test
    @DisplayName("JAVA_HOME set to a JDK's bin directory is named as that, with the JDK's home to set it to, not as "
            + "no JDK")
    void javaHomeSetToABinDirectoryIsNamedWithTheHomeToSet() throws IOException {
        Path jdk = fakeJdk("JAVA_VERSION=\"25.0.3\"");
        String bin = jdk.resolve("bin").toString();

        assertThat(Launcher.tooOld("jobq", 17, "/usr/lib/jvm/java-17", bin, Launcher.releaseFeature(Path.of(bin))))
                .isEqualTo("jobq needs Java 21 or newer; this java is 17 (/usr/lib/jvm/java-17), and JAVA_HOME (" + bin
                        + ") is the bin directory of Java 25, not its home. Set JAVA_HOME to " + jdk + " and run again.");
    }

    @Test
    @DisplayName("JAVA_HOME set to nothing is named as empty, not as 'JAVA_HOME ()', and is not read as the working "
            + "directory")
    void anEmptyJavaHomeIsNamedAsEmpty() throws Exception {
        assertThat(Launcher.tooOld("jobq", 17, "/usr/lib/jvm/java-17", "", -1)).isEqualTo("jobq needs Java 21 or newer; "
                + "this java is 17 (/usr/lib/jvm/java-17), and JAVA_HOME is set but empty. Set JAVA_HOME to a JDK 21+ or "
                + "put its bin first on PATH, and run again.");
        // the launcher runs in dir: were "" read as a path, dir's release file and bin/java would be taken for a JDK 25
        Files.writeString(dir.resolve("release"), "JAVA_VERSION=\"25.0.3\"\n");
        Path java = Files.createDirectories(dir.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

        Run run = launch(List.of(), List.of(), Map.of("JAVA_HOME", ""));

        assertThat(run.status).as("exit status; stderr: %s", run.err).isEqualTo(Launcher.NO_USABLE_JAVA);
        assertThat(run.err).contains("and JAVA_HOME is set but empty.");
    }

    @Test
    @DisplayName("the messages for a java too old name the program the jar runs (local-sqs, jobq-bench), not jobq for all")
    void theJavaVersionMessagesNameTheProgramRun() throws Exception {
        assertThat(Launcher.tooOld("local-sqs", 17, "/usr/lib/jvm/java-17", null, -1)).startsWith("local-sqs needs Java 21 "
                + "or newer; this java is 17 (/usr/lib/jvm/java-17), and JAVA_HOME is not set.");

        Run run = launch(List.of(), List.of(), Map.of(), "local-sqs");

        assertThat(run.status).as("exit status; stderr: %s", run.err).isZero();
        assertThat(run.err).startsWith("local-sqs: this java is ").contains("; local-sqs needs 21 or newer: running "
                + "with JAVA_HOME's, Java " + Runtime.version().feature()).doesNotContain("jobq");
    }

    @Test
    @DisplayName("on an older java, the JVM options JAVA_HOME's java refuses are left out, each named with the fix; the "
            + "others are passed on")
    void optionsTheNewerJavaRefusesAreLeftOutAndNamed() throws Exception {
        // -XX:+UseBiasedLocking: Java 17 takes it (deprecated), Java 21 and newer refuse it ('Unrecognized VM option').
        Run run = launch(List.of("-XX:+UseBiasedLocking", "-Dkept=yes", "-Xmx64m"), List.of("a", "b"));

        assertThat(run.status).as("exit status; stderr: %s", run.err).isZero();
        assertThat(run.out).contains("-Dkept=yes", "-Xmx64m", "args [a, b]").doesNotContain("UseBiasedLocking");
        assertThat(run.err).contains("-XX:+UseBiasedLocking", "left out", "remove it");
    }

    @Test
    @DisplayName("on an older java, the check of the JVM options touches no heap: -XX:+AlwaysPreTouch is turned off in "
            + "the probe only, and the child gets it")
    void theOptionCheckDoesNotPreTouchAHeap() throws Exception {
        // With -Xms8g -XX:+AlwaysPreTouch, each `java <options> -version` wrote to all 8 GB beside the launcher's own
        // heap, for a moment: on a machine sized for one such heap, swapping or the OOM killer. JAVA_HOME's java is a
        // script that writes down each probe's arguments and runs the real java.
        Path probes = dir.resolve("probes.txt");
        Path home = Files.createDirectories(dir.resolve("jdk"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + Runtime.version().feature() + "\"\n");
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        String realJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do [ \"$a\" = -version ] && echo \"$*\" >> '" + probes
                + "'; done\nexec '" + realJava + "' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

        Run run = launch(List.of("-Xms16m", "-XX:+AlwaysPreTouch", "-Dkept=yes"), List.of(),
                Map.of("JAVA_HOME", home.toString()));

        assertThat(run.status).as("exit status; stderr: %s", run.err).isZero();
        assertThat(Files.readAllLines(probes)).as("the probes' arguments").isNotEmpty().allSatisfy(probe ->
                assertThat(probe).contains("-XX:+AlwaysPreTouch -Dkept=yes -XX:-AlwaysPreTouch ").endsWith(" -version"));
        assertThat(run.out).contains("-Xms16m, -XX:+AlwaysPreTouch, -Dkept=yes").doesNotContain("-XX:-AlwaysPreTouch");
    }

    @Test
    @DisplayName("on an older java, the check of the JVM options leaves no file behind and changes none of the user's: "
            + "the files its options name are the probe's own, in a directory of its own")
    void theOptionCheckLeavesNoFileBehindAndKeepsTheUsersFiles() throws Exception {
        // JAVA_HOME's `java <options> -version` acted on them: -Xlog's file=gc-%p.log left a log of the probe's pid,
        // and with file=gc.log it rotated the user's log once more, so that with filecount=2 the child's rotation
        // wrote over the previous run's log, kept until then in gc.log.0.
        Path byPid = Files.createDirectories(dir.resolve("by-pid"));
        Path rotated = Files.createDirectories(dir.resolve("rotated"));
        Files.writeString(rotated.resolve("gc.log"), "the previous run's log\n");

        Run run = launch(List.of("-Xlog:gc:file=" + byPid.resolve("gc-%p.log"),
                "-Xlog:gc:file=" + rotated.resolve("gc.log") + "::filecount=2"), List.of());

        assertThat(run.status).as("exit status; stderr: %s", run.err).isZero();
        String child = run.out.substring(run.out.indexOf("pid ") + "pid ".length()).lines().findFirst().orElseThrow();
        try (Stream<Path> files = Files.list(byPid)) {
            assertThat(files.map(file -> file.getFileName().toString()))
                    .as("the logs, the launcher's pid %d, the child's %s", run.pid, child)
                    .containsExactlyInAnyOrder("gc-" + run.pid + ".log", "gc-" + child + ".log");
        }
        try (Stream<Path> files = Files.list(rotated)) {
            assertThat(files.map(file -> read(file))).as("the rotated logs").contains("the previous run's log\n");
        }
    }

    @Test
    @DisplayName("on an older java, the options of a -XX:Flags file reach the child from the file, not as words of the "
            + "command line, and its check writes none of the files they name")
    void theOptionsOfAFlagsFileAreTheChildsAndTheCheckWritesNoneOfItsFiles() throws Exception {
        // The older JVM lists a flags file's settings among its input arguments as they are written there (+LogVMOutput,
        // LogFile=vm.log): the launcher passed them on as words the newer java takes for a main class, so each was
        // 'refused' and named with a fix for an option not on the command line, and the probe, given -XX:Flags itself,
        // wrote the VM log the file names (here one of its own pid, left behind).
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Path flags = dir.resolve("jvm.flags");
        Files.writeString(flags, "+UnlockDiagnosticVMOptions\n+LogVMOutput\nLogFile=" + logs.resolve("vm-%p.log") + "\n");

        Run run = launch(List.of("-XX:Flags=" + flags, "-Dkept=yes"), List.of());

        assertThat(run.status).as("exit status; stderr: %s", run.err).isZero();
        assertThat(run.err).doesNotContain("refuses");
        assertThat(run.out).contains("-XX:Flags=" + flags, "-Dkept=yes").doesNotContain("-XX:+LogVMOutput");
        String child = run.out.substring(run.out.indexOf("pid ") + "pid ".length()).lines().findFirst().orElseThrow();
        try (Stream<Path> files = Files.list(logs)) {
            assertThat(files.map(file -> file.getFileName().toString()))
                    .as("the VM logs, the launcher's pid %d, the child's %s", run.pid, child)
                    .containsExactlyInAnyOrder("vm-pid" + run.pid + ".log", "vm-pid" + child + ".log");
        }
    }

    @Test
    @DisplayName("on an older java, a setting that turns a flag off in a -XX:Flags file (-UseCompressedOops, no -XX:) is "
            + "the file's, checked as the option it is: not refused and named with a fix for the java command line")
    void aFlagTurnedOffInAFlagsFileIsTheFilesSetting() throws Exception {
        // The older JVM lists the file's settings as written there; a '-Name' one looks like an option of the command line:
        // the probe got '-UseCompressedOops' as a word ('Unrecognized option'), and the launcher said on every start that
        // JAVA_HOME's java refused it, to be removed from a command line it is not on.
        Path flags = Files.writeString(dir.resolve("jvm.flags"), "# the worker's flags\n+UseSerialGC\n-UseCompressedOops\n");

        Run run = launch(List.of("-XX:Flags=" + flags, "-Dkept=yes"), List.of());

        assertThat(run.status).as("exit status; stderr: %s", run.err).isZero();
        assertThat(run.err).doesNotContain("refuses");
        assertThat(run.out).contains("-XX:Flags=" + flags, "-Dkept=yes");
        assertThat(run.out.split("-UseCompressedOops", -1)).as("-UseCompressedOops in %s", run.out).hasSize(2);
    }

    @Test
    @DisplayName("on an older java, a setting of a -XX:Flags file that JAVA_HOME's java refuses is named with the fix and "
            + "the launcher exits 2, starting no JVM that reads the file only to fail")
    void aSettingOfAFlagsFileTheNewerJavaRefusesIsAConfigurationToFix() throws Exception {
        // The launcher named it ('remove it from that file') and then ran the worker's JVM with the file all the same: that
        // JVM ended at once with its own 'Unrecognized VM option' and exit 1, which systemd restarts, again and again.
        Path flags = Files.writeString(dir.resolve("jvm.flags"), "+UseBiasedLocking\n");
        Path temp = Files.createDirectories(dir.resolve("temp"));

        Run run = launch(List.of("-XX:Flags=" + flags, "-Djava.io.tmpdir=" + temp), List.of());

        assertThat(run.status).as("exit status; stderr: %s", run.err).isEqualTo(Launcher.NO_USABLE_JAVA);
        assertThat(run.err).contains("refuses the setting +UseBiasedLocking of the -XX:Flags file", "remove it from that file")
                .doesNotContain("Unrecognized VM option");
        assertThat(run.out).as("the worker did not start").doesNotContain("options [");
        try (Stream<Path> files = Files.list(temp)) {
            assertThat(files).as("the launcher's temp directory").isEmpty();
        }
    }

    @Test
    @DisplayName("on an older java, a probe that cannot get the memory its options ask for does not take them for refused: "
            + "they are passed on, and the probe leaves no error report behind")
    void aProbeShortOfMemoryDoesNotLeaveTheOptionOut() throws Exception {
        // Under strict overcommit (vm.overcommit_memory=2) `java -Xms1g -version` may find no 1 GB to commit at the
        // moment of the check; the launcher took that for a refusal, said 'refuses the JVM option -Xms1g' and ran the
        // worker with the default heap, and the probe's JVM left hs_err_pid<pid>.log in the working directory. JAVA_HOME's
        // java is a script that runs the probes given -Xms1g with ulimit -d (which counts committed memory, as strict
        // overcommit does) below 1 GB, and the child without it.
        Path home = Files.createDirectories(dir.resolve("jdk"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + Runtime.version().feature() + "\"\n");
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        String realJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(java, "#!/bin/sh\nprobe=no; heap=no\nfor a in \"$@\"; do [ \"$a\" = -version ] && probe=yes; "
                + "[ \"$a\" = -Xms1g ] && heap=yes; done\n[ $probe$heap = yesyes ] && ulimit -d 524288\n"
                + "exec '" + realJava + "' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

        Run run = launch(List.of("-Xms1g", "-Dkept=yes"), List.of(), Map.of("JAVA_HOME", home.toString()));

        assertThat(run.status).as("exit status; stderr: %s", run.err).isZero();
        assertThat(run.out).contains("-Xms1g, -Dkept=yes");
        assertThat(run.err).doesNotContain("refuses").contains("could not get the memory to check the JVM option -Xms1g: "
                + "passed on as given");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(file -> file.getFileName().toString())).as("the working directory")
                    .noneMatch(name -> name.startsWith("hs_err"));
        }
    }

    @Test
    @DisplayName("on an older java, a flight recording asked for with -XX:StartFlightRecording is the worker's: the "
            + "launcher's JVM, given the same option, does not write its own over it as it exits")
    void aFlightRecordingIsTheWorkersNotTheLaunchers() throws Exception {
        // The launcher's JVM exits after the child: its recording of the launcher, dumped at exit to the same filename,
        // wrote over the worker's (here a file of two chunks that `jfr` could not read).
        Path recording = dir.resolve("worker.jfr");

        Run run = launch(List.of("-XX:StartFlightRecording=filename=" + recording), List.of());

        assertThat(run.status).as("exit status; stderr: %s", run.err).isZero();
        List<String> jvms = new ArrayList<>();
        for (var event : jdk.jfr.consumer.RecordingFile.readAllEvents(recording)) {
            if (event.getEventType().getName().equals("jdk.JVMInformation")) {
                jvms.add(event.getString("jvmArguments"));
            }
        }
        assertThat(jvms).as("the JVMs recorded").isNotEmpty().allSatisfy(arguments ->
                assertThat(arguments).contains("-Djobq.launcher.relaunched=true"));
    }

    @Test
    @DisplayName("the probe's options name its own files for those a JVM writes even to print its version, and run no "
            + "command of the user's; the others are as given")
    void theProbesOptionsNameFilesOfItsOwn() {
        Path scratch = dir.resolve("scratch");
        List<String> options = List.of("-Xlog:gc*:file=\"/var/log/a:b.log\":uptime:filecount=2", "-Xlog:gc:stderr",
                "-Xlog:safepoint", "-Xlog:gc:gc.log", "-Xloggc:old.log",
                "-XX:StartFlightRecording=settings=profile,filename=/srv/x.jfr", "-XX:StartFlightRecording:dumponexit=true",
                "-XX:StartFlightRecording", "-XX:FlightRecorderOptions=repository=/srv/jfr,stackdepth=128",
                "-XX:FlightRecorderOptions=stackdepth=96", "-XX:ArchiveClassesAtExit=app.jsa",
                "-XX:DumpLoadedClassList=classes.lst", "-XX:SharedArchiveFile=app.jsa", "-XX:OnError=page-someone %p",
                "-XX:OnOutOfMemoryError=kill -9 %p", "-XX:+HeapDumpOnOutOfMemoryError", "-Xms64m", "-Dx=y");

        assertThat(Launcher.forTheProbe(options, scratch)).containsExactly(
                "-Xlog:gc*:file=" + scratch.resolve("option-0") + ":uptime:filecount=2", "-Xlog:gc:stderr",
                "-Xlog:safepoint", "-Xlog:gc:file=" + scratch.resolve("option-3"), "-Xloggc:" + scratch.resolve("option-4"),
                "-XX:StartFlightRecording=settings=profile,filename=" + scratch.resolve("option-5"),
                "-XX:StartFlightRecording=dumponexit=true,filename=" + scratch.resolve("option-6"),
                "-XX:StartFlightRecording=filename=" + scratch.resolve("option-7"),
                "-XX:FlightRecorderOptions=stackdepth=128,repository=" + scratch.resolve("option-8"),
                "-XX:FlightRecorderOptions=stackdepth=96", "-XX:ArchiveClassesAtExit=" + scratch.resolve("option-10"),
                "-XX:DumpLoadedClassList=" + scratch.resolve("option-11"), "-XX:SharedArchiveFile=app.jsa",
                "-XX:+HeapDumpOnOutOfMemoryError", "-Xms64m", "-Dx=y");
        assertThat(Launcher.forTheProbe(List.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=app.jsa"), scratch))
                .containsExactly("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + scratch.resolve("option-1"));
        assertThat(Launcher.forTheProbe(List.of("-Xlog:gc:file=gc.log", "-Xlog:gc", "-XX:ArchiveClassesAtExit=app.jsa",
                "-Xmx1g"), null)).as("with no directory of its own").containsExactly("-Xlog:gc", "-Xmx1g");
    }

    @Test
    @DisplayName("on an older java, the JVM options the environment gave (JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS) reach "
            + "the child once, from the environment it shares")
    void optionsFromTheEnvironmentAreNotPassedTwice() throws Exception {
        // The same with an agent (-javaagent in JAVA_TOOL_OPTIONS, as an APM agent is often given) loaded it twice.
        Run run = launch(List.of("-Dcommand=yes"), List.of(),
                Map.of("JAVA_TOOL_OPTIONS", "-Dtool=yes", "JDK_JAVA_OPTIONS", "-Djdk=yes -Dspaced=\"a b\""));

        assertThat(run.status).as("exit status; stderr: %s", run.err).isZero();
        assertThat(run.out).contains("options [-Dtool=yes, -Djdk=yes, -Dspaced=a b, -Dcommand=yes, ");
        assertThat(run.out.split("-Dtool=yes", -1)).as("-Dtool=yes in %s", run.out).hasSize(2);
        assertThat(run.out.split("-Djdk=yes", -1)).as("-Djdk=yes in %s", run.out).hasSize(2);
        assertThat(run.out.split("-Dspaced=a b", -1)).as("-Dspaced=a b in %s", run.out).hasSize(2);
    }

    @Test
    @DisplayName("on an older java, the JVM options of a file the environment names (JDK_JAVA_OPTIONS=@argfile, "
            + "JAVA_TOOL_OPTIONS=-XX:VMOptionsFile=FILE) reach the child once, from the environment it shares")
    void optionsFromAFileTheEnvironmentNamesAreNotPassedTwice() throws Exception {
        // The older JVM lists the options such a file holds, not the file: they were not taken for the environment's,
        // and were passed on the command line as well, so that an agent given so (an APM agent's -javaagent in an
        // argument file) was loaded twice.
        Path argfile = Files.writeString(dir.resolve("jvm.args"), "# the worker's options\n-Dargfile=yes \"-Dspaced=a b\" # not -Dcommand=yes\n");
        Path vmOptions = Files.writeString(dir.resolve("vm.options"), "-Dvmoptions=yes\n");

        Run run = launch(List.of("-Dcommand=yes"), List.of(), Map.of("JDK_JAVA_OPTIONS", "@" + argfile,
                "JAVA_TOOL_OPTIONS", "-XX:VMOptionsFile=" + vmOptions));

        assertThat(run.status).as("exit status; stderr: %s", run.err).isZero();
        assertThat(run.out).contains("-Dargfile=yes", "-Dvmoptions=yes", "-Dcommand=yes");
        for (String option : List.of("-Dargfile=yes", "-Dspaced=a b", "-Dvmoptions=yes", "-Dcommand=yes")) {
            assertThat(run.out.split(option, -1)).as("%s in %s", option, run.out).hasSize(2);
        }
    }

    @Test
    @DisplayName("on an older java, the JVM options of an argument file JDK_JAVA_OPTIONS names reach the child once also "
            + "where the file escapes a character or continues a line within quotes, as the java launcher reads it")
    void optionsOfAnArgumentFileWithEscapesAreNotPassedTwice() throws Exception {
        // The java launcher reads '\\' within quotes as one backslash and a backslash that ends a line within quotes as
        // joining the next (its documented way to split a long option): the launcher read the file's words as written,
        // matched none of them, and passed each such option on the command line as well.
        Path argfile = Files.writeString(dir.resolve("jvm.args"), "\"-Descaped=a\\\\b\"\n"
                + "\"-Dcontinued=one,\\\n    two\"\n-Dplain=yes\n");

        Run run = launch(List.of("-Dcommand=yes"), List.of(), Map.of("JDK_JAVA_OPTIONS", "@" + argfile));

        assertThat(run.status).as("exit status; stderr: %s", run.err).isZero();
        assertThat(run.out).contains("-Descaped=a\\b", "-Dcontinued=one,two", "-Dplain=yes", "-Dcommand=yes");
        for (String option : List.of("-Descaped=a\\b", "-Dcontinued=one,two", "-Dplain=yes", "-Dcommand=yes")) {
            assertThat(run.out.split(java.util.regex.Pattern.quote(option), -1)).as("%s in %s", option, run.out).hasSize(2);
        }
    }

    @Test
    @DisplayName("on an older java, the JVM options of a -XX:VMOptionsFile named in an argument file JDK_JAVA_OPTIONS "
            + "names reach the child once")
    void optionsOfAVmOptionsFileAnArgumentFileNamesAreNotPassedTwice() throws Exception {
        // The older JVM lists the options of the -XX:VMOptionsFile, not the option: the launcher, reading the argument
        // file, matched '-XX:VMOptionsFile=vm.options' against nothing and passed the file's options on as well.
        Path vmOptions = Files.writeString(dir.resolve("vm.options"), "-Dvmoptions=yes\n");
        Path argfile = Files.writeString(dir.resolve("jvm.args"), "-XX:VMOptionsFile=" + vmOptions + " -Dargfile=yes\n");

        Run run = launch(List.of("-Dcommand=yes"), List.of(), Map.of("JDK_JAVA_OPTIONS", "@" + argfile));

        assertThat(run.status).as("exit status; stderr: %s", run.err).isZero();
        for (String option : List.of("-Dvmoptions=yes", "-Dargfile=yes", "-Dcommand=yes")) {
            assertThat(run.out.split(option, -1)).as("%s in %s", option, run.out).hasSize(2);
        }
    }

    @Test
    @DisplayName("on an older java whose temp directory takes no file, the launcher still gives the child a count of "
            + "the stops it passes on, in another directory, and deletes it")
    void theCountOfStopsPassedOnFindsADirectoryWhereTheTempDirectoryTakesNoFile() throws Exception {
        // Without the count the worker tells the launcher's copy of a stop sent to both JVMs from a second stop only
        // by a 2 s window (OsSignals): a copy later than that, on a busy machine, halted it undrained (143).
        Path noTemp = dir.resolve("missing");
        Run run = launch(List.of("-Djava.io.tmpdir=" + noTemp), List.of());

        assertThat(run.status).as("exit status; stderr: %s", run.err).isZero();
        assertThat(run.out).contains(" exists: true");
        String stops = run.out.substring(run.out.indexOf("stops file ") + "stops file ".length(), run.out.indexOf(" exists"));
        assertThat(Path.of(stops)).as("the count, once the launcher has exited").doesNotExist();
    }

    @Test
    @DisplayName("on an older java, a stop that reaches the launcher as soon as it has started the child stops the child "
            + "too: the launcher does not exit leaving it running")
    void aStopRightAfterTheChildStartedStopsTheChild() throws Exception {
        // JAVA_HOME's java is a script that, as the child, sends the launcher TERM at once and then runs the real java:
        // a stop (systemd, docker stop, kill) that comes just after the child started.
        Path childPid = dir.resolve("child.pid");
        Path home = Files.createDirectories(dir.resolve("jdk"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + Runtime.version().feature() + "\"\n");
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        String realJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do [ \"$a\" = -version ] && exec '" + realJava + "' \"$@\"; done\n"
                + "echo $$ > '" + childPid + "'\nkill -TERM $PPID\nexec '" + realJava + "' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            Run run = launch(List.of(), List.of("wait"), Map.of("JAVA_HOME", home.toString()));

            assertThat(childPid).as("the child started; launcher's stderr: %s", run.err).exists();
            long pid = Long.parseLong(Files.readString(childPid).trim());
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("the child (pid %d) still runs after the launcher exited %d; stderr: %s", pid, run.status, run.err)
                    .isFalse();
        } finally {
            if (Files.exists(childPid)) {
                ProcessHandle.of(Long.parseLong(Files.readString(childPid).trim())).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    @DisplayName("on an older java, a stop that reaches the launcher while it checks the JVM options ends it with 0, as one "
            + "before the child starts does after the check, starts no child and leaves nothing in the temp directory")
    void aStopWhileTheOptionsAreCheckedEndsTheLauncherWithZero() throws Exception {
        // The launcher caught TERM only once the check was done: a stop during it (one probe, or one per option where
        // one is refused, some seconds with a flight recording) ended it with the JVM's 143, which systemd counts as a
        // failed unit, and left the check's directory behind. JAVA_HOME's java is a script that, as a probe, sends the
        // launcher TERM and then runs the real java 2 s later, as a slow check does: the launcher handles a TERM on a
        // thread it starts for it, which a loaded machine runs late, and with the probe's own length alone (the real
        // java's start) a handler 1 s late found the check done and the child started.
        Path home = Files.createDirectories(dir.resolve("jdk"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + Runtime.version().feature() + "\"\n");
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        String realJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do [ \"$a\" = -version ] && kill -TERM $PPID && sleep 2; done\n"
                + "exec '" + realJava + "' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path temp = Files.createDirectories(dir.resolve("temp"));

        Run run = launch(List.of("-Djava.io.tmpdir=" + temp), List.of(), Map.of("JAVA_HOME", home.toString()));

        assertThat(run.status).as("exit status; stderr: %s", run.err).isZero();
        assertThat(run.out).as("no child started").doesNotContain("options [");
        try (Stream<Path> files = Files.list(temp)) {
            assertThat(files).as("the launcher's temp directory").isEmpty();
        }
    }

    @Test
    @DisplayName("on an older java, a hang-up (SIGHUP) that ends the launcher while it checks the JVM options leaves "
            + "nothing in the temp directory and starts no child")
    void aHangUpWhileTheOptionsAreCheckedLeavesNothingBehind() throws Exception {
        // The JVM's own SIGHUP handler runs the shutdown hooks and halts: the check's directory, deleted in a finally of
        // the thread the halt ends, stayed in the temp directory (with the files of a probe still running). JAVA_HOME's
        // java is a script that, as a probe, sends the launcher HUP and then runs the real java with a log file.
        Path home = Files.createDirectories(dir.resolve("jdk"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + Runtime.version().feature() + "\"\n");
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        String realJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do [ \"$a\" = -version ] && kill -HUP $PPID; done\n"
                + "exec '" + realJava + "' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path temp = Files.createDirectories(dir.resolve("temp"));

        Run run = launch(List.of("-Djava.io.tmpdir=" + temp, "-Xlog:gc:file=" + dir.resolve("gc.log")), List.of(),
                Map.of("JAVA_HOME", home.toString()));

        assertThat(run.out).as("no child started; stderr: %s", run.err).doesNotContain("options [");
        try (Stream<Path> files = Files.list(temp)) {
            assertThat(files).as("the launcher's temp directory").isEmpty();
        }
    }

    @Test
    @DisplayName("on an older java run with -Xrs, the launcher says at start that a stop cannot reach the JVM it starts, "
            + "and the fix")
    void underXrsTheLauncherSaysItCannotPassAStopOn() throws Exception {
        // -Xrs keeps the JVM from catching TERM and INT: one sent to the launcher ended it at once, no handler and no
        // shutdown hook run, and the child it started kept running, unstopped, without a word said.
        Run run = launch(List.of("-Xrs"), List.of());

        assertThat(run.status).as("exit status; stderr: %s", run.err).isZero();
        assertThat(run.out).as("the child runs, with -Xrs as given").contains("-Xrs");
        assertThat(run.err).contains("jobq: this java cannot catch SIGTERM or SIGINT (-Xrs): a stop sent to it ends it at "
                + "once, without passing the stop on, and the JVM it starts keeps running; leave -Xrs out of the java "
                + "command line");

        Run without = launch(List.of(), List.of());
        assertThat(without.err).as("without -Xrs").doesNotContain("cannot catch");
    }

    @Test
    @DisplayName("on an older java, a debugger agent listening on a port is refused with the fix: the launcher's own JVM "
            + "holds the port, and the worker's could not listen on it")
    void aDebuggerListeningOnAPortIsRefusedWithTheFix() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String jdwp = "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:" + port;
        Run run = launch(List.of(jdwp), List.of());

        assertThat(run.status).as("exit status; stderr: %s", run.err).isEqualTo(Launcher.NO_USABLE_JAVA);
        assertThat(run.err).contains(jdwp, "listens in this java", "bin/java " + jdwp)
                .doesNotContain("bind failed");
        assertThat(run.out).as("the worker did not start").doesNotContain("options [");
    }

    @Test
    @DisplayName("on an older java, -XX:ArchiveClassesAtExit is refused with the fix: the launcher's own JVM would write "
            + "its archive over the worker's, one the newer java cannot use")
    void anArchiveWrittenAtExitIsRefusedWithTheFix() throws Exception {
        // The launcher's JVM exits after the child and dumped its own archive (a Java 17 one, of the launcher's classes)
        // to the same file: the next run's -XX:SharedArchiveFile=app.jsa got 'Cannot handle shared archive file version
        // 0xb. Must be at least 0xd.' from the worker's java, and ran without it.
        Path archive = dir.resolve("app.jsa");
        String option = "-XX:ArchiveClassesAtExit=" + archive;

        Run run = launch(List.of(option), List.of());

        assertThat(run.status).as("exit status; stderr: %s", run.err).isEqualTo(Launcher.NO_USABLE_JAVA);
        assertThat(run.err).contains(option, "writes a CDS archive of its own there", "bin/java " + option + " -jar ");
        assertThat(run.out).as("the worker did not start").doesNotContain("options [");
    }

    @Test
    @DisplayName("on an older java, -XX:DumpLoadedClassList is refused with the fix: the launcher's own JVM writes its "
            + "classes into the worker's list as it runs")
    void aClassListBothJvmsWriteIsRefusedWithTheFix() throws Exception {
        // The launcher's JVM kept writing its list at its own offset into the file the child had truncated: lines of
        // the two ran into each other ('@cp java/lang/invoke/StringConcatFactoryjava/util/IdentityHashMap$Identity…'),
        // and -Xshare:dump with that list said 'An error has occurred while processing class list file'.
        String option = "-XX:DumpLoadedClassList=" + dir.resolve("classes.lst");

        Run run = launch(List.of(option), List.of());

        assertThat(run.status).as("exit status; stderr: %s", run.err).isEqualTo(Launcher.NO_USABLE_JAVA);
        assertThat(run.err).contains(option, "bin/java " + option + " -jar ");
        assertThat(run.out).as("the worker did not start").doesNotContain("options [");
    }

    @Test
    @DisplayName("on an older java, a class list both JVMs would write is refused with the fix also where a -XX:Flags "
            + "file sets it")
    void aClassListAFlagsFileSetsIsRefusedWithTheFix() throws Exception {
        // The older JVM lists the file's setting as written there (DumpLoadedClassList=classes.lst, no -XX:): the check
        // for -XX:DumpLoadedClassList did not see it, and the two JVMs wrote their lines into the one list.
        Path flags = Files.writeString(dir.resolve("jvm.flags"), "DumpLoadedClassList=" + dir.resolve("classes.lst") + "\n");

        Run run = launch(List.of("-XX:Flags=" + flags), List.of());

        assertThat(run.status).as("exit status; stderr: %s", run.err).isEqualTo(Launcher.NO_USABLE_JAVA);
        assertThat(run.err).contains("DumpLoadedClassList=" + dir.resolve("classes.lst"), "-XX:Flags=" + flags,
                "bin/java -XX:Flags=" + flags + " -jar ");
        assertThat(run.out).as("the worker did not start").doesNotContain("options [");
    }

    @Test
    @DisplayName("on an older java given two -XX:Flags files, a class list the one it reads sets is refused naming that "
            + "file, the last, and the command to run with it")
    void aClassListSetInTheLastOfTwoFlagsFilesNamesThatFile() throws Exception {
        // The JVM reads the file of the last -XX:Flags (one in JAVA_TOOL_OPTIONS for every JVM, one on the command line):
        // the message named the first, which does not set the list, and the command to run it gave did not set it either.
        Path everyJvms = Files.writeString(dir.resolve("every.flags"), "+UseSerialGC\n");
        Path workers = Files.writeString(dir.resolve("worker.flags"), "DumpLoadedClassList=" + dir.resolve("classes.lst") + "\n");

        Run run = launch(List.of("-XX:Flags=" + everyJvms, "-XX:Flags=" + workers), List.of());

        assertThat(run.status).as("exit status; stderr: %s", run.err).isEqualTo(Launcher.NO_USABLE_JAVA);
        assertThat(run.err).contains("(in -XX:Flags=" + workers + ")", "bin/java -XX:Flags=" + workers + " -jar ")
                .doesNotContain("every.flags");
    }

    /** What a run of a launcher jar printed, and its status. */
    private record Run(int status, String out, String err, long pid) {
    }

    /**
     * Runs a jar of the launcher whose {@code Jobq-Main-Class} prints its JVM options and arguments, with a java older
     * than {@link Launcher#REQUIRED} and this JVM's JDK as {@code JAVA_HOME}.
     */
    private Run launch(List<String> options, List<String> args) throws Exception {
        return launch(options, args, Map.of());
    }

    private Run launch(List<String> options, List<String> args, Map<String, String> environment) throws Exception {
        return launch(options, args, environment, null);
    }

    /** With {@code program} as the jar's {@code Jobq-Program}; none when null. */
    private Run launch(List<String> options, List<String> args, Map<String, String> environment, String program)
            throws Exception {
        Path jar = launcherJar(program);
        List<String> command = new ArrayList<>();
        command.add(olderJava().toString());
        command.addAll(options);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(args);
        var builder = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        try {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the launcher exited within 60 s").isTrue();
        } finally {
            process.destroyForcibly();
        }
        return new Run(process.exitValue(), Files.readString(dir.resolve("out.txt")), Files.readString(dir.resolve("err.txt")),
                process.pid());
    }

    /** A JDK older than {@link Launcher#REQUIRED} beside the one running this test, as the machine's default java is. */
    private static Path olderJava() throws IOException {
        Path jvms = Path.of(System.getProperty("java.home")).getParent();
        try (Stream<Path> homes = Files.list(jvms)) {
            Optional<Path> old = homes.filter(home -> Launcher.releaseFeature(home) > 0
                    && Launcher.releaseFeature(home) < Launcher.REQUIRED).map(home -> home.resolve("bin/java")).findFirst();
            assertThat(old).as("a JDK older than 21 in " + jvms).isPresent();
            return old.get();
        }
    }

    /** The launcher's classes and {@link PrintsItsOptions}, the launcher's main class and that its Jobq-Main-Class. */
    private Path launcherJar(String program) throws Exception {
        Path classes = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path testClasses = Path.of(PrintsItsOptions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        var manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Launcher.class.getName());
        manifest.getMainAttributes().put(new Attributes.Name(Launcher.MAIN_ATTRIBUTE), PrintsItsOptions.class.getName());
        if (program != null) {
            manifest.getMainAttributes().put(new Attributes.Name(Launcher.PROGRAM_ATTRIBUTE), program);
        }
        Path jar = dir.resolve("launcher-test.jar");
        try (var out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            add(out, classes, "Launcher");
            add(out, testClasses, "LauncherTest$PrintsItsOptions");
        }
        return jar;
    }

    private static void add(JarOutputStream jar, Path classes, String prefix) throws IOException {
        Path packageDir = classes.resolve("dev/jobq/launcher");
        try (Stream<Path> files = Files.list(packageDir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith(prefix + ".")
                    || f.getFileName().toString().startsWith(prefix + "$")).toList()) {
                jar.putNextEntry(new JarEntry("dev/jobq/launcher/" + file.getFileName()));
                jar.write(Files.readAllBytes(file));
                jar.closeEntry();
            }
        }
    }

    /** The Jobq-Main-Class of {@link #launcherJar(String)}: prints the JVM options and the arguments it was started with. */
    public static final class PrintsItsOptions {
        public static void main(String[] args) {
            System.out.println("options " + ManagementFactory.getRuntimeMXBean().getInputArguments());
            System.out.println("args " + List.of(args));
            System.out.println("pid " + ProcessHandle.current().pid());
            String stops = System.getProperty("jobq.launcher.stopsPassedOn");
            System.out.println("stops file " + stops + " exists: " + (stops != null && Files.isRegularFile(Path.of(stops))));
            if (List.of(args).contains("wait")) {
                // the child of aStopRightAfterTheChildStartedStopsTheChild: runs until it is stopped (or 60 s)
                try {
                    new CountDownLatch(1).await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path fakeJdk(String releaseLine) throws IOException {
        Path home = Files.createTempDirectory(dir, "jdk");
        Files.writeString(home.resolve("release"), releaseLine + "\n");
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }
}
