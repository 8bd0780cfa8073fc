package dev.jobq.cli.process;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds a jar for a {@code --handlers} directory: from compiled test classes (with their nested
 * classes), or from Java source compiled here, plus {@code META-INF/services} files. What it adds
 * lives only in the jar unless the test class path has it too.
 */
public final class JarBuilder {

    private final Map<String, byte[]> entries = new LinkedHashMap<>();
    private final Map<String, List<String>> services = new LinkedHashMap<>();

    /** Adds the class file of {@code type} and of every class nested in it, from where the test loaded them. */
    public JarBuilder addClass(Class<?> type) {
        Path file = classFile(type);
        String prefix = type.getName().replace('.', '/');
        String simple = file.getFileName().toString().replace(".class", "");
        try (Stream<Path> siblings = Files.list(file.getParent())) {
            for (Path sibling : siblings.toList()) {
                String name = sibling.getFileName().toString();
                if (name.equals(simple + ".class") || name.startsWith(simple + "$")) {
                    entries.put(prefix.substring(0, prefix.lastIndexOf('/') + 1) + name, Files.readAllBytes(sibling));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /**
     * Compiles Java sources (class name → source) against the test class path into this jar.
     *
     * @throws IllegalStateException with the compiler's messages when they do not compile
     */
    public JarBuilder compile(Path workDir, Map<String, String> sources) {
        try {
            Path src = Files.createDirectories(workDir.resolve("src"));
            Path out = Files.createDirectories(workDir.resolve("classes"));
            List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-classpath",
                    System.getProperty("java.class.path"), "-proc:none"));
            for (var source : sources.entrySet()) {
                Path file = src.resolve(source.getKey().replace('.', '/') + ".java");
                Files.createDirectories(file.getParent());
                Files.writeString(file, source.getValue());
                args.add(file.toString());
            }
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            var messages = new java.io.ByteArrayOutputStream();
            int status = javac.run(null, messages, messages, args.toArray(String[]::new));
            if (status != 0) {
                throw new IllegalStateException("compiling the test handler sources failed:\n" + messages);
            }
            try (Stream<Path> files = Files.walk(out)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    entries.put(out.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Adds a file as it is, such as a {@code module-info.class} compiled elsewhere. */
    public JarBuilder entry(String name, byte[] bytes) {
        entries.put(name, bytes.clone());
        return this;
    }

    /** Names {@code implementations} in {@code META-INF/services/<service>}. */
    public JarBuilder service(Class<?> service, String... implementations) {
        return service(service.getName(), implementations);
    }

    /** As {@link #service(Class, String...)} by the service's name. */
    public JarBuilder service(String service, String... implementations) {
        services.computeIfAbsent(service, s -> new ArrayList<>()).addAll(List.of(implementations));
        return this;
    }

    /** Writes the jar. */
    public Path writeTo(Path jar) {
        var manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try {
            Files.createDirectories(jar.getParent());
            try (OutputStream file = Files.newOutputStream(jar); var out = new JarOutputStream(file, manifest)) {
                for (var entry : entries.entrySet()) {
                    out.putNextEntry(new JarEntry(entry.getKey()));
                    out.write(entry.getValue());
                    out.closeEntry();
                }
                for (var service : services.entrySet()) {
                    out.putNextEntry(new JarEntry("META-INF/services/" + service.getKey()));
                    out.write((String.join("\n", service.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
                    out.closeEntry();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + jar + " failed", e);
        }
        return jar;
    }

    private static Path classFile(Class<?> type) {
        String resource = type.getSimpleName() + ".class";
        var url = type.getResource(resource);
        if (url == null || !"file".equals(url.getProtocol())) {
            throw new IllegalStateException(type.getName() + " is not a class file in a directory: " + url);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(url.toString(), e);
        }
    }
}
