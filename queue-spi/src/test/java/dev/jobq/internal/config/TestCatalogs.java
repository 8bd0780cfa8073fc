package dev.jobq.internal.config;

import dev.jobq.internal.discovery.ProviderCatalog;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Enumeration;
import java.util.Objects;

/**
 * Catalogs whose factories come only from {@code src/test/resources/config-catalogs/NAME/META-INF/services}:
 * a class loader of their own hides every other service file, so these fakes and other tests'
 * registrations never meet.
 */
final class TestCatalogs {

    private TestCatalogs() {
    }

    /** memory, sqs and the jdbc scheduler. */
    static ProviderCatalog all() {
        return load("all");
    }

    /** Only the memory provider; no scheduler. */
    static ProviderCatalog memoryOnly() {
        return load("memory");
    }

    /** Nothing at all. */
    static ProviderCatalog empty() {
        return ProviderCatalog.load(new OwnServicesOnly(new URL[0]));
    }

    private static ProviderCatalog load(String name) {
        URL root = Objects.requireNonNull(TestCatalogs.class.getResource("/config-catalogs/" + name + "/"), name);
        return ProviderCatalog.load(new OwnServicesOnly(new URL[] {root}));
    }

    /** Loads classes as the test does, but lists service files from its own URLs only. */
    private static final class OwnServicesOnly extends URLClassLoader {
        OwnServicesOnly(URL[] urls) {
            super(urls, TestCatalogs.class.getClassLoader());
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            return name.startsWith("META-INF/services/") ? findResources(name) : super.getResources(name);
        }
    }
}
