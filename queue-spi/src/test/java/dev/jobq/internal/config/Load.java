package dev.jobq.internal.config;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.jobq.ConfigException;
import dev.jobq.internal.discovery.ProviderCatalog;
import java.util.List;
import java.util.Map;

/** Short calls for the config tests: parse with the full fake catalog, or collect the problems. */
final class Load {

    private Load() {
    }

    static JobQueueConfig yaml(String yaml) {
        return yaml(yaml, Map.of());
    }

    static JobQueueConfig yaml(String yaml, Map<String, String> env) {
        return ConfigLoader.parse(yaml, "jobq.yaml", env, TestCatalogs.all());
    }

    static List<String> problems(String yaml) {
        return problems(yaml, Map.of(), TestCatalogs.all());
    }

    static List<String> problems(String yaml, Map<String, String> env) {
        return problems(yaml, env, TestCatalogs.all());
    }

    static List<String> problems(String yaml, Map<String, String> env, ProviderCatalog catalog) {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parse(yaml, "jobq.yaml", env, catalog));
        if (e == null) {
            throw new AssertionError("expected problems, but the config loaded:\n" + yaml);
        }
        return e.problems();
    }
}
