package dev.jobq.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link DocPage#javaSources(Path)} walks: the tests that check docs name classes by the sources it finds. */
class DocPageTest {

    @TempDir
    Path dir;

    private static Path write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, "class X {}\n");
    }

    /**
     * 4b83844a skipped every directory named target, the root too: a checkout in a directory named target (a CI
     * workspace) found no source, and DocsTestTableTest said every class its table names was missing; a Java package
     * named target was skipped too.
     */
    @Test
    @DisplayName("the sources of a checkout in a directory named target, and of a package named target, are found; a "
            + "module's target and .git are not walked")
    void aCheckoutOrAPackageNamedTargetIsWalkedAndAModulesTargetIsNot() throws IOException {
        Path root = dir.resolve("target");
        write(root.resolve("pom.xml"));
        write(root.resolve("core/pom.xml"));
        Path test = write(root.resolve("core/src/test/java/dev/jobq/SomeTest.java"));
        Path inPackage = write(root.resolve("core/src/main/java/dev/jobq/target/Aim.java"));
        write(root.resolve("core/target/classes/src/main/java/Built.java"));
        write(root.resolve(".git/src/main/java/Kept.java"));

        assertThat(DocPage.javaSources(root)).containsExactlyInAnyOrder(test, inPackage);
    }

    /**
     * 1c7a79ed matched src/main/java/ in the path relative to the root without the slash before it, where the whole
     * path had been matched with it: a directory whose name only ends in src (mysrc/main/java) was taken as sources.
     */
    @Test
    @DisplayName("only a directory named src, the root's own too, holds sources: not one whose name ends in src")
    void onlyADirectoryNamedSrcHoldsSources() throws IOException {
        Path top = write(dir.resolve("src/main/java/dev/jobq/Top.java"));
        write(dir.resolve("core/mysrc/main/java/dev/jobq/Other.java"));
        write(dir.resolve("core/testsrc/test/java/dev/jobq/OtherTest.java"));

        assertThat(DocPage.javaSources(dir)).containsExactly(top);
    }
}
