package dev.jobq.bench.runner;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of a library on the class path, as its jar's Maven metadata names it (kept in the bench jar). */
public final class PeerVersions {

    private PeerVersions() {
    }

    /** "2.5.2" for {@code of("org.quartz-scheduler", "quartz")}; "(version unknown)" without the metadata. */
    public static String of(String groupId, String artifactId) {
        String resource = "/META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
        try (InputStream in = PeerVersions.class.getResourceAsStream(resource)) {
            if (in != null) {
                var properties = new Properties();
                properties.load(in);
                String version = properties.getProperty("version");
                if (version != null) {
                    return version;
                }
            }
        } catch (IOException e) {
            // reported as unknown below
        }
        return "(version unknown)";
    }
}
