package dev.jobq.internal.discovery;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Enumeration;
import java.util.Objects;

/**
 * A class loader that lists the service files under one test folder only, defines {@code unlinkable} itself
 * and cannot find {@code missingBase}: as a jar whose class extends one from a jar left out.
 */
final class UnlinkableLoader {

    private UnlinkableLoader() {
    }

    static ClassLoader of(URL root, Class<?> unlinkable, Class<?> missingBase) {
        ClassLoader parent = UnlinkableLoader.class.getClassLoader();
        return new URLClassLoader(new URL[] {root}, parent) {
            @Override
            public Enumeration<URL> getResources(String resource) throws IOException {
                return resource.startsWith("META-INF/services/") ? findResources(resource) : super.getResources(resource);
            }

            @Override
            protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
                if (className.equals(missingBase.getName())) {
                    throw new ClassNotFoundException(className);
                }
                if (!className.equals(unlinkable.getName())) {
                    return super.loadClass(className, resolve);
                }
                synchronized (getClassLoadingLock(className)) {
                    try (var bytes = parent.getResourceAsStream(className.replace('.', '/') + ".class")) {
                        byte[] code = Objects.requireNonNull(bytes, className).readAllBytes();
                        return defineClass(className, code, 0, code.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(className, e);
                    }
                }
            }
        };
    }
}
