package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The project's pages ({@code docs/*.md}), found above the module the tests run in. */
final class ProjectDocs {

    private ProjectDocs() {
    }

    /** The page at {@code path} from the project's root, as written. */
    static String read(String path) throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.isRegularFile(dir.resolve(path))) {
            dir = dir.getParent();
            assertThat(dir).as("%s above the module", path).isNotNull();
        }
        return Files.readString(dir.resolve(path));
    }
}
