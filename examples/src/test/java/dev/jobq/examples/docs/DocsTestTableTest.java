package dev.jobq.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The "DESIGN.md → tests" table of docs/testing.md names only test classes that exist, one row per section §2–§8. */
class DocsTestTableTest {

    @Test
    void everyClassTheTableNamesExists() {
        String text = DocPage.of("docs/testing.md").text();
        String table = text.substring(text.indexOf("\n## DESIGN.md → tests\n"));
        Set<String> named = new LinkedHashSet<>();
        Set<String> sections = new LinkedHashSet<>();
        for (String row : table.split("\n")) {
            Matcher section = Pattern.compile("^\\| (§\\d) ").matcher(row);
            if (!section.find()) {
                continue;
            }
            sections.add(section.group(1));
            Matcher name = Pattern.compile("`([A-Z][A-Za-z0-9]*(?:Test|IT|Contract))`").matcher(row);
            while (name.find()) {
                named.add(name.group(1));
            }
        }
        Set<String> existing = DocPage.javaSources().stream()
                .map(p -> p.getFileName().toString())
                .map(n -> n.substring(0, n.length() - ".java".length()))
                .collect(Collectors.toSet());

        assertThat(sections).containsExactly("§2", "§3", "§4", "§5", "§6", "§7", "§8");
        assertThat(named).hasSizeGreaterThan(30);
        assertThat(named).allSatisfy(n -> assertThat(existing).as("a class named %s", n).contains(n));
    }
}
