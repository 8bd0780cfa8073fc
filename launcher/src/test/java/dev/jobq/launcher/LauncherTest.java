package dev.jobq.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherTest {

    @TempDir
    Path dir;

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
        assertThat(Launcher.tooOld(17, "/usr/lib/jvm/java-17", null, -1)).isEqualTo("jobq needs Java 21 or newer; "
                + "this java is 17 (/usr/lib/jvm/java-17), and JAVA_HOME is not set. Set JAVA_HOME to a JDK 21+ or put "
                + "its bin first on PATH, and run again.");
        assertThat(Launcher.tooOld(17, "/usr/lib/jvm/java-17", "/opt/jdk11", 11))
                .contains("JAVA_HOME (/opt/jdk11) is Java 11.");
        assertThat(Launcher.tooOld(17, "/usr/lib/jvm/java-17", "/tmp/nothing", -1))
                .contains("JAVA_HOME (/tmp/nothing) is not a JDK this launcher can read the version of.");
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
