package dev.jobq.internal.config;
import dev.jobq.internal.discovery.ProviderCatalog;
import java.nio.file.Path;
import java.util.Map;
public final class ConfigLoader {
    public static JobQueueConfig load(Path file, Map<String, String> env, ProviderCatalog catalog) { throw new UnsupportedOperationException(); }
}
