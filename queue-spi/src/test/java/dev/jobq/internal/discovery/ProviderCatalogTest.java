package dev.jobq.internal.discovery;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.ConfigException;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Enumeration;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class ProviderCatalogTest {

    /** Loads classes as the test does, but lists service files from one test resource folder only. */
    private static ClassLoader servicesOf(String name) {
        URL root = Objects.requireNonNull(ProviderCatalogTest.class.getResource("/provider-catalogs/" + name + "/"));
        return new URLClassLoader(new URL[] {root}, ProviderCatalogTest.class.getClassLoader()) {
            @Override
            public Enumeration<URL> getResources(String resource) throws IOException {
                return resource.startsWith("META-INF/services/") ? findResources(resource) : super.getResources(resource);
            }
        };
    }

    @Test
    void aFactoryWhoseConstructorThrowsIsAConfigErrorWithWhatItThrewAndTheFix() {
        assertThatThrownBy(() -> ProviderCatalog.load(servicesOf("throwing")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("provider factory failed to load: dev.jobq.spi.QueueProviderFactory: Provider "
                        + "dev.jobq.internal.discovery.TestFactories$Throwing could not be instantiated: "
                        + "IllegalStateException: ACME_QUEUE_HOME is not set (from ")
                .hasMessageEndingWith("; the factory threw this while it was created: fix what it says, or remove its "
                        + "jar");
    }

    @Test
    void twoFactoriesOfOneTypeAreAConfigErrorNamingBothAndTheirJars() {
        String from = java.nio.file.Path.of(TestFactories.class.getProtectionDomain().getCodeSource().getLocation()
                .getPath()).toString();

        assertThatThrownBy(() -> ProviderCatalog.load(servicesOf("twice")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("classpath: two provider factories are named 'good': "
                        + "dev.jobq.internal.discovery.TestFactories$Good (from " + from + ") and "
                        + "dev.jobq.internal.discovery.TestFactories$AlsoGood (from " + from + "); remove one of their "
                        + "jars from the classpath");
    }

    @Test
    void aFactoryThatNamesNoTypeIsAConfigErrorNamingIt() {
        assertThatThrownBy(() -> ProviderCatalog.load(servicesOf("untyped")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("classpath: provider factory dev.jobq.internal.discovery.TestFactories$Untyped names no "
                        + "type (its type() returned null), so no configuration can select it; make type() return the "
                        + "name the config file gives as 'type:', or remove its jar");
    }

    /**
     * Lists the service files of {@code name} only, defines {@link TestFactories.Unlinkable} itself and cannot find
     * {@link TestFactories.MissingBase}: as a factory's jar whose base class's jar was left out.
     */
    private static ClassLoader withoutMissingBase(String name) {
        URL root = Objects.requireNonNull(ProviderCatalogTest.class.getResource("/provider-catalogs/" + name + "/"));
        return UnlinkableLoader.of(root, TestFactories.Unlinkable.class, TestFactories.MissingBase.class);
    }

    @Test
    void aFactoryThatCannotBeLinkedIsAConfigErrorNamingItAndTheClassItLacks() {
        assertThatThrownBy(() -> ProviderCatalog.load(withoutMissingBase("unlinkable")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("classpath: provider factory failed to load: "
                        + "dev.jobq.internal.discovery.TestFactories$Unlinkable, named in ")
                .hasMessageContaining("META-INF/services/dev.jobq.spi.QueueProviderFactory, cannot be linked: "
                        + "java.lang.NoClassDefFoundError: dev/jobq/internal/discovery/TestFactories$MissingBase; check "
                        + "that its jar and the jars it needs are on the class path or in --handlers");
    }
}
