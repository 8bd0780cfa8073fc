package dev.jobq.examples.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A page of the docs (README.md or docs/*.md) as the repository holds it, so that a test reads the
 * very text a user copies: its fenced code blocks, each with its language and the heading above it.
 */
record DocPage(String name, String text) {

    /** The pages whose every example the tests in this package check. */
    static final List<String> CHECKED = List.of("README.md", "docs/configuration.md", "docs/operations.md",
            "docs/scheduler.md", "docs/sqs.md", "docs/testing.md", "docs/coming-from.md");

    /** A fenced block: its language (empty when none), its text, the heading it is under, its first line's number. */
    record Block(DocPage page, String language, String text, String heading, int line) {
        @Override
        public String toString() {
            return page.name() + ":" + line + " (" + (language.isEmpty() ? "plain" : language) + ", under '" + heading + "')";
        }
    }

    /**
     * The Java sources under the repository's {@code src/main/java} and {@code src/test/java} directories, not looking
     * into {@code .git} or {@code target}: a walk of the whole tree failed when git removed a file of its own
     * ({@code .git/AUTO_MERGE}) during a commit in the same checkout.
     */
    static List<Path> javaSources() {
        return javaSources(root());
    }

    /**
     * The Java sources under {@code root}'s {@code src/main/java} and {@code src/test/java} directories, not looking
     * into {@code .git} or a module's {@code target} (one beside a {@code pom.xml}) below it. Skipping any directory
     * named so found no source at all in a checkout itself in a directory named {@code target} (a CI workspace), and
     * none of a Java package named {@code target}.
     */
    static List<Path> javaSources(Path root) {
        List<Path> sources = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                    if (dir.equals(root)) {
                        return FileVisitResult.CONTINUE;
                    }
                    String name = String.valueOf(dir.getFileName());
                    boolean buildOutput = name.equals("target") && Files.isRegularFile(dir.resolveSibling("pom.xml"));
                    return name.equals(".git") || buildOutput ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    // from the root, with a slash before it, as the whole path was matched: not mysrc/main/java
                    String path = "/" + root.relativize(file);
                    if (path.endsWith(".java")
                            && (path.contains("/src/test/java/") || path.contains("/src/main/java/"))) {
                        sources.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sources;
    }

    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs")))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no README.md with a docs/ beside it above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    static DocPage of(String name) {
        try {
            return new DocPage(name, Files.readString(root().resolve(name)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<DocPage> all() {
        List<DocPage> pages = new ArrayList<>();
        pages.add(of("README.md"));
        try (var files = Files.list(root().resolve("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted()
                    .forEach(p -> pages.add(of("docs/" + p.getFileName())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pages;
    }

    List<Block> blocks() {
        List<Block> blocks = new ArrayList<>();
        String heading = "";
        String language = null;
        StringBuilder body = null;
        int start = 0;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String trimmed = line.strip();
            if (body == null && trimmed.startsWith("```")) {
                language = trimmed.substring(3).strip();
                body = new StringBuilder();
                start = i + 2;
            } else if (body != null && trimmed.equals("```")) {
                blocks.add(new Block(this, language, body.toString(), heading, start));
                body = null;
            } else if (body != null) {
                body.append(line).append('\n');
            } else if (line.startsWith("#")) {
                heading = line.replaceFirst("^#+\\s*", "");
            }
        }
        return blocks;
    }

    List<Block> blocks(String language) {
        return blocks().stream().filter(b -> b.language().equals(language)).toList();
    }

    /** The one block of {@code language} whose text satisfies {@code which}; fails when there is not exactly one. */
    Block block(String language, Predicate<String> which) {
        List<Block> found = blocks(language).stream().filter(b -> which.test(b.text())).toList();
        if (found.size() != 1) {
            throw new AssertionError(name + " has " + found.size() + " " + language + " blocks of that kind, not 1: " + found);
        }
        return found.get(0);
    }

    /** The block right after {@code block} on this page. */
    Block after(Block block) {
        List<Block> all = blocks();
        for (int i = 0; i < all.size() - 1; i++) {
            if (all.get(i).line() == block.line()) {
                return all.get(i + 1);
            }
        }
        throw new AssertionError("no block after " + block);
    }
}
