package dev.jobq.internal.config;

import dev.jobq.JobOptions;
import dev.jobq.internal.discovery.ProviderCatalog;
import dev.jobq.spi.QueueProviderFactory;
import dev.jobq.spi.Settings;
import dev.jobq.spi.UntrustedText;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code provider:} (the "default" queue, in memory when the section is absent) and each entry of
 * {@code queues:}. Each section's own keys are checked by its provider factory; keys of a section
 * whose type is unknown are not reported, since nobody can say which are right.
 */
final class ProviderSectionReader {

    static final String DEFAULT_TYPE = "memory";
    /** How YAML writes a null key: the parser gives its text. */
    private static final Set<String> YAML_NULL = Set.of("~", "null", "Null", "NULL");

    private ProviderSectionReader() {
    }

    /** Every configured queue, "default" first, then {@code queues:} in file order. */
    static Map<String, ProviderSection> read(Settings root, ProviderCatalog catalog) {
        Map<String, ProviderSection> sections = new LinkedHashMap<>();
        boolean written = root.has("provider");
        int problemsBeforeProvider = root.problems().size();
        Settings provider = root.section("provider");
        if (root.problems().size() > problemsBeforeProvider) {
            // not a section; reported already, "provider.type: is required" would only repeat that
            sections.put(JobOptions.DEFAULT_QUEUE, new ProviderSection(JobOptions.DEFAULT_QUEUE, "", provider));
        } else {
            sections.put(JobOptions.DEFAULT_QUEUE, written
                    ? configured(JobOptions.DEFAULT_QUEUE, provider, catalog)
                    : implicitDefault(root, provider, catalog));
        }
        Settings queues = root.section("queues");
        for (String name : queues.keys()) {
            int problemsBefore = queues.problems().size();
            Settings queue = queues.section(name);
            if (queues.problems().size() > problemsBefore) {
                continue; // not a section; reported already, its keys would only repeat that
            }
            if (name.equals(JobOptions.DEFAULT_QUEUE)) {
                queues.problem(name, "conflicts with provider:, which configures the \"default\" queue; rename "
                        + "this queue, or move its settings under provider:");
            } else if (name.isBlank()) {
                // named by the section: "queues.: …" gave nothing to find it by in the file
                // quoted, escaped and cut as a blank value is at enqueue: 100 spaces were repeated whole
                root.problem("queues", "has a queue whose name is blank (" + UntrustedText.singleQuote(name, 60)
                        + "); give the queue a name");
            } else if (YAML_NULL.contains(name)) {
                // YAML reads this key as null, not as a name; jobs would go to a queue named "~" or "null"
                queues.problem(name, "is YAML's null, not a queue's name; write the queue's name itself");
            } else if (name.contains("${")) {
                // keys are not substituted: the queue would take the reference's text as its name
                queues.problem(name, "a queue's name is a key, and keys are read as written: ${…} is replaced in "
                        + "values only, so this queue would be named '" + name + "'; write its name itself");
            } else if (name.length() > JobOptions.MAX_QUEUE_NAME) {
                queues.problem(name, "a queue name may have at most " + JobOptions.MAX_QUEUE_NAME + " characters (what "
                        + "the scheduler holds), got " + name.length() + "; choose a shorter name");
            } else if (Limits.hasControlCharacter(name)) {
                // the key path repeats the name, escaped with the rest of the problem
                queues.problem(name, "a queue name may not have control characters (shown escaped); "
                        + Limits.QUEUE_NAME_CONTROL_FIX);
            } else {
                sections.put(name, configured(name, queue, catalog));
            }
        }
        return sections;
    }

    private static ProviderSection implicitDefault(Settings root, Settings empty, ProviderCatalog catalog) {
        Optional<QueueProviderFactory> factory = catalog.provider(DEFAULT_TYPE);
        if (factory.isEmpty()) {
            root.problem("provider", "not configured, so the \"default\" queue would be of type " + DEFAULT_TYPE
                    + ", but: " + catalog.unknownProvider(DEFAULT_TYPE));
        } else {
            empty.markKnown("type");
            factory.get().validate(empty);
        }
        return ProviderSection.implicitDefault(DEFAULT_TYPE, empty);
    }

    private static ProviderSection configured(String queueName, Settings section, ProviderCatalog catalog) {
        String available = catalog.providerTypes().isEmpty()
                ? "none is on the classpath" : "available: " + String.join(", ", catalog.providerTypes());
        String hint = "name the provider, e.g. type: " + DEFAULT_TYPE + " (" + available + ")";
        String written = section.requireString("type", hint);
        // a value read from a file (a mounted secret, an env file) into a variable ends in its newline
        String type = written.strip();
        if (type.isEmpty() && !written.isEmpty()) {
            section.problem("type", "is required; " + hint);
        }
        Optional<QueueProviderFactory> factory = type.isEmpty() ? Optional.empty() : catalog.provider(type);
        if (factory.isPresent()) {
            factory.get().validate(section);
        } else {
            if (!type.isEmpty()) {
                section.problem("type", catalog.unknownProvider(type));
            }
            section.keys().forEach(section::markKnown);
        }
        return new ProviderSection(queueName, type, section);
    }
}
