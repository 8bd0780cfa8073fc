package dev.jobq.cli.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A page of the docs (README.md, docs/*.md) as the repository holds it, for tests that compare
 * what {@code jobq} prints with what the page shows. (The examples module's DocPage does the same
 * for the pages' config and Java; this module cannot depend on that module's tests.)
 */
record Page(String name, String text) {

    static Page of(String name) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs")))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no README.md with a docs/ beside it above " + Path.of("").toAbsolutePath());
        }
        try {
            return new Page(name, Files.readString(dir.resolve(name)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fenced blocks of {@code language} ("" for plain ones), in page order. */
    List<String> blocks(String language) {
        List<String> blocks = new ArrayList<>();
        StringBuilder body = null;
        String current = null;
        for (String line : text.split("\n", -1)) {
            String trimmed = line.strip();
            if (body == null && trimmed.startsWith("```")) {
                current = trimmed.substring(3).strip();
                body = new StringBuilder();
            } else if (body != null && trimmed.equals("```")) {
                if (current.equals(language)) {
                    blocks.add(body.toString());
                }
                body = null;
            } else if (body != null) {
                body.append(line).append('\n');
            }
        }
        return blocks;
    }

    /** The one block of {@code language} containing {@code marker}. */
    String block(String language, String marker) {
        List<String> found = blocks(language).stream().filter(b -> b.contains(marker)).toList();
        if (found.size() != 1) {
            throw new AssertionError(name + " has " + found.size() + " " + language + " blocks with '" + marker + "'");
        }
        return found.get(0);
    }

    /** The text between the first {@code `} after {@code before} and the next {@code `}: an inline code span the page shows. */
    String codeAfter(String before) {
        int at = text.indexOf(before);
        if (at < 0) {
            throw new AssertionError(name + " no longer says '" + before + "'");
        }
        int open = text.indexOf('`', at + before.length() - 1);
        int close = text.indexOf('`', open + 1);
        return text.substring(open + 1, close).replaceAll("\\s*\n\\s*", " ");
    }
}
