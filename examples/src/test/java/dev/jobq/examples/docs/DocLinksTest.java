package dev.jobq.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of README.md and docs/*.md leads somewhere: its file exists, and its
 * {@code #anchor} is a heading of that page, as GitHub makes anchors from headings.
 */
class DocLinksTest {

    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)\\)");

    /** The page's text without its fenced blocks and inline code, where brackets are not links. */
    static String prose(DocPage page) {
        var out = new StringBuilder();
        boolean fenced = false;
        for (String line : page.text().split("\n", -1)) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (!fenced) {
                out.append(line.replaceAll("`[^`]*`", "``")).append('\n');
            }
        }
        return out.toString();
    }

    /** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
    static Set<String> anchors(DocPage page) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String line : page.text().split("\n", -1)) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
            } else if (!fenced && line.matches("#{1,6} .*")) {
                String slug = line.replaceFirst("^#+ ", "").strip().toLowerCase(Locale.ROOT)
                        .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
                int n = seen.merge(slug, 1, Integer::sum);
                anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
            }
        }
        return anchors;
    }

    @Test
    void everyRelativeLinkAndAnchorResolves() {
        Path root = DocPage.root();
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (DocPage page : DocPage.all()) {
            Matcher link = LINK.matcher(prose(page));
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("^[a-z]+:.*")) {
                    continue;
                }
                checked++;
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                Path pageDir = root.resolve(page.name()).getParent();
                Path resolved = file.isEmpty() ? root.resolve(page.name()) : pageDir.resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(page.name() + ": " + target + " (no file " + root.relativize(resolved) + ")");
                    continue;
                }
                if (anchor != null) {
                    Set<String> there = anchors(DocPage.of(root.relativize(resolved).toString()));
                    if (!there.contains(anchor)) {
                        broken.add(page.name() + ": " + target + " (no heading with that anchor; there are " + there + ")");
                    }
                }
            }
        }
        assertThat(checked).as("relative links found").isGreaterThan(30);
        assertThat(broken).isEmpty();
    }

    @Test
    void anchorsAreMadeAsGitHubMakesThem() {
        DocPage page = new DocPage("x.md", "# `provider:` (the default queue)\n## Limits, and how jobq handles each\n"
                + "## Running locally: local-sqs, ElasticMQ or LocalStack\n## Values\n## Values\n");
        assertThat(anchors(page)).containsExactly("provider-the-default-queue", "limits-and-how-jobq-handles-each",
                "running-locally-local-sqs-elasticmq-or-localstack", "values", "values-1");
    }
}
