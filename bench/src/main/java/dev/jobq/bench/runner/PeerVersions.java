package dev.jobq.bench.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The peers' versions, as bench/pom.xml pins them (the build writes them into {@code peer-versions.properties}). */
public final class PeerVersions {

    private static final Properties VERSIONS = load();

    private PeerVersions() {
    }

    /** "2.5.2" for {@code of("quartz")}; the names are those of peer-versions.properties. */
    public static String of(String peer) {
        String version = VERSIONS.getProperty(peer);
        if (version == null || version.startsWith("${")) {
            throw new IllegalStateException("no version of " + peer + " in peer-versions.properties; build the "
                    + "bench jar with Maven, which fills them in");
        }
        return version;
    }

    private static Properties load() {
        var properties = new Properties();
        try (InputStream in = PeerVersions.class.getResourceAsStream("/peer-versions.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }
}
