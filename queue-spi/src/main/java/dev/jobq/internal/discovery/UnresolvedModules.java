package dev.jobq.internal.discovery;

import java.io.File;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * What to tell a module-path user whose provider or scheduler fails with a {@link NoClassDefFoundError}:
 * an automatic module (the SQS provider, the scheduler, the AWS SDK and the HTTP client under it) reads
 * every resolved module but makes none resolved, so a library it needs that is an explicit module (jOOQ,
 * HikariCP) or a JDK module ({@code jdk.net}) is left out of the boot layer although its jar is there.
 */
public final class UnresolvedModules {

    private UnresolvedModules() {
    }

    /**
     * The fix for {@code error} when the class it names is in a module of the JDK or of the module path
     * that was not resolved; empty on the class path and for a class no module has.
     */
    public static Optional<String> hint(NoClassDefFoundError error) {
        String message = error.getMessage();
        if (message == null || !UnresolvedModules.class.getModule().isNamed()) {
            return Optional.empty();
        }
        String className = message.replace('/', '.');
        int dot = className.lastIndexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        String pkg = className.substring(0, dot);
        String modulePath = System.getProperty("jdk.module.path", "");
        Path[] entries = Arrays.stream(modulePath.split(File.pathSeparator)).filter(e -> !e.isBlank())
                .map(Path::of).toArray(Path[]::new);
        ModuleFinder finder = ModuleFinder.compose(ModuleFinder.ofSystem(), ModuleFinder.of(entries));
        try {
            return finder.findAll().stream()
                    .map(ModuleReference::descriptor)
                    .filter(descriptor -> descriptor.packages().contains(pkg))
                    .filter(descriptor -> ModuleLayer.boot().findModule(descriptor.name()).isEmpty())
                    .map(descriptor -> "class " + className + " is in module " + descriptor.name() + ", which is "
                            + (descriptor.name().startsWith("java.") || descriptor.name().startsWith("jdk.")
                                    ? "in the JDK" : "on the module path")
                            + " but was not resolved: add 'requires " + descriptor.name() + ";' to your "
                            + "module-info.java, or '--add-modules " + descriptor.name() + "' to the java command "
                            + "(docs/configuration.md, \"On the module path\")")
                    .findFirst();
        } catch (RuntimeException e) {
            // A module path the finder cannot read (two modules of one name) gives no hint, not a second error.
            return Optional.empty();
        }
    }
}
