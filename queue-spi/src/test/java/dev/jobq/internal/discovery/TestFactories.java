package dev.jobq.internal.discovery;

import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.QueueProviderFactory;

/** Provider factories named only in {@code src/test/resources/provider-catalogs/NAME/META-INF/services}. */
final class TestFactories {

    private TestFactories() {
    }

    /** A factory that loads and names its type; it creates nothing, as the catalog only indexes it. */
    public static final class Good implements QueueProviderFactory {
        @Override
        public String type() {
            return "good";
        }

        @Override
        public QueueProvider create(ProviderContext context) {
            throw new UnsupportedOperationException("catalog tests only index factories");
        }
    }

    /** Another factory named "good", as a second provider jar claiming a type would have. */
    public static final class AlsoGood implements QueueProviderFactory {
        @Override
        public String type() {
            return "good";
        }

        @Override
        public QueueProvider create(ProviderContext context) {
            throw new UnsupportedOperationException("catalog tests only index factories");
        }
    }

    /** A factory whose constructor throws, as one that reads a setting of its own when it is made. */
    public static final class Throwing implements QueueProviderFactory {
        public Throwing() {
            throw new IllegalStateException("ACME_QUEUE_HOME is not set");
        }

        @Override
        public String type() {
            return "acme";
        }

        @Override
        public QueueProvider create(ProviderContext context) {
            throw new UnsupportedOperationException("never made");
        }
    }

    /** A factory that names no type. */
    public static final class Untyped implements QueueProviderFactory {
        @Override
        public String type() {
            return null;
        }

        @Override
        public QueueProvider create(ProviderContext context) {
            throw new UnsupportedOperationException("catalog tests only index factories");
        }
    }

    /** A base class a factory extends; {@link ProviderCatalogTest} hides it, as a jar left out would. */
    public abstract static class MissingBase implements QueueProviderFactory {
    }

    /** A factory whose base class cannot be found: it cannot even be linked. */
    public static final class Unlinkable extends MissingBase {
        @Override
        public String type() {
            return "unlinkable";
        }

        @Override
        public QueueProvider create(ProviderContext context) {
            throw new UnsupportedOperationException("never made");
        }
    }

    /** Providers {@link Recording} created and closed, for tests of what a failed build leaves open. */
    public static final java.util.concurrent.atomic.AtomicInteger CREATED = new java.util.concurrent.atomic.AtomicInteger();
    public static final java.util.concurrent.atomic.AtomicInteger CLOSED = new java.util.concurrent.atomic.AtomicInteger();

    /** Creates providers that only count their close(). */
    public static final class Recording implements QueueProviderFactory {
        @Override
        public String type() {
            return "recording";
        }

        @Override
        public QueueProvider create(ProviderContext context) {
            CREATED.incrementAndGet();
            return (QueueProvider) java.lang.reflect.Proxy.newProxyInstance(QueueProvider.class.getClassLoader(),
                    new Class<?>[] {QueueProvider.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close")) {
                            CLOSED.incrementAndGet();
                            return null;
                        }
                        throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    /** A factory whose create() fails with an Error, as one whose classes fail to initialise. */
    public static final class InitFails implements QueueProviderFactory {
        @Override
        public String type() {
            return "init-fails";
        }

        @Override
        public QueueProvider create(ProviderContext context) {
            throw new ExceptionInInitializerError(new IllegalStateException("native library missing"));
        }
    }
}
