package dev.jobq.examples;

/**
 * A report to generate section by section: the payload of {@link ReportHandler}.
 *
 * @param name          the report's name
 * @param sections      how many sections, 1 to {@value #MAX_SECTIONS}
 * @param sectionMillis how long each section takes, in milliseconds; 0 for no wait. A longer value
 *                      makes a job that is still running when a worker shuts down or is killed.
 */
public record ReportRequest(String name, int sections, long sectionMillis) {

    public static final int MAX_SECTIONS = 100;

    public ReportRequest {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("ReportRequest.name must not be blank, got \"" + name + "\"");
        }
        if (sections < 1 || sections > MAX_SECTIONS) {
            throw new IllegalArgumentException("ReportRequest.sections must be between 1 and " + MAX_SECTIONS
                    + ", got " + sections + " (report " + name + ")");
        }
        if (sectionMillis < 0) {
            throw new IllegalArgumentException("ReportRequest.sectionMillis must be ≥ 0, got " + sectionMillis
                    + " (report " + name + ")");
        }
    }

    /** A report whose sections take no time. */
    public static ReportRequest of(String name, int sections) {
        return new ReportRequest(name, sections, 0);
    }
}
