package dev.jobq.examples.docs;

import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Compiles Java sources taken from a page against the test class path (the current API), as a user
 * pasting them into their code would, and loads the result. A snippet that no longer compiles fails
 * with javac's own message and the source it was given.
 */
final class SnippetCompiler {

    private SnippetCompiler() {
    }

    /** Compiles {@code sources} (file path under the source root → text) into {@code dir}, or fails saying why. */
    static ClassLoader compile(Path dir, Map<String, String> sources) {
        try {
            Path src = Files.createDirectories(dir.resolve("src"));
            Path out = Files.createDirectories(dir.resolve("classes"));
            List<String> args = new ArrayList<>(List.of("-classpath", System.getProperty("java.class.path"),
                    "-d", out.toString(), "-proc:none", "-Xlint:none", "-nowarn"));
            for (var e : sources.entrySet()) {
                Path file = src.resolve(e.getKey());
                Files.createDirectories(file.getParent());
                Files.writeString(file, e.getValue());
                args.add(file.toString());
            }
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            var errors = new ByteArrayOutputStream();
            int status = javac.run(null, errors, errors, args.toArray(String[]::new));
            if (status != 0) {
                throw new AssertionError("the snippet does not compile against the current API:\n" + errors.toString(StandardCharsets.UTF_8)
                        + "\n--- sources given to javac ---\n" + String.join("\n---\n", sources.values()));
            }
            return new URLClassLoader(new URL[] {out.toUri().toURL()}, SnippetCompiler.class.getClassLoader());
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
