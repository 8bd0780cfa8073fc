package dev.jobq.internal.config;

import java.util.Collection;
import org.jspecify.annotations.Nullable;

/**
 * Which section a problem ("key.path: message") is about. A map key may hold a dot, so a path that
 * starts with a section's path may belong to a longer sibling: with queues "reports" and "reports.eu",
 * {@code queues.reports.eu.maxHistorySize} is the second's, not the first's.
 */
final class ProblemOwner {

    private ProblemOwner() {
    }

    /** The longest of {@code sections} that {@code problem} is about or inside, or null when none. */
    static @Nullable String of(String problem, Collection<String> sections) {
        String owner = null;
        for (String section : sections) {
            if (within(problem, section) && (owner == null || section.length() > owner.length())) {
                owner = section;
            }
        }
        return owner;
    }

    private static boolean within(String problem, String section) {
        return problem.startsWith(section + ": ") || problem.startsWith(section + ".")
                || problem.startsWith(section + "[");
    }
}
