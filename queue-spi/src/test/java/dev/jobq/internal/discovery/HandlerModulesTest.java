package dev.jobq.internal.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jobq.ConfigException;
import dev.jobq.JobHandlerModule;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HandlerModulesTest {

    /** Loads classes as the test does, but lists service files from one test resource folder only. */
    private static ClassLoader servicesOf(String name) {
        URL root = Objects.requireNonNull(HandlerModulesTest.class.getResource("/handler-modules/" + name + "/"));
        return new URLClassLoader(new URL[] {root}, HandlerModulesTest.class.getClassLoader()) {
            @Override
            public Enumeration<URL> getResources(String resource) throws IOException {
                return resource.startsWith("META-INF/services/") ? findResources(resource) : super.getResources(resource);
            }
        };
    }

    @Test
    void findsTheModulesNamedInServiceFilesInOrder() {
        List<JobHandlerModule> modules = HandlerModules.find(servicesOf("good"));

        assertThat(modules).map(m -> m.getClass().getSimpleName()).containsExactly("Billing", "Mail");
    }

    @Test
    void aModuleClassThatIsMissingIsAConfigErrorNamingIt() {
        assertThatThrownBy(() -> HandlerModules.find(servicesOf("broken")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("handler module failed to load:")
                .hasMessageContaining("dev.jobq.internal.discovery.NoSuchModule not found");
    }

    @Test
    void aMissingModuleClassNamedWithAnEscapeOrABidirectionalOverrideIsNamedEscaped(@TempDir Path dir)
            throws IOException {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve("dev.jobq.JobHandlerModule"), "com.acme.\u001bRed\u202eeludoM\n");
        try (var loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            assertThatThrownBy(() -> HandlerModules.find(loader))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("handler modules: handler module failed to load: dev.jobq.JobHandlerModule: Provider "
                            + "com.acme.\\u001bRed\\u202eeludoM not found; check that its jar and the jars it needs "
                            + "are on the class path or in --handlers");
        }
    }

    @Test
    void aModuleServiceLoaderCannotCreateIsToldWhatToChange() {
        assertThatThrownBy(() -> HandlerModules.find(servicesOf("unmakeable")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("TestModules$NeedsSettings Unable to get public no-arg constructor: "
                        + "NoSuchMethodException: dev.jobq.internal.discovery.TestModules$NeedsSettings.<init>(); make "
                        + "the class public, with a public constructor without parameters: ServiceLoader creates "
                        + "modules with it")
                .hasMessageContaining("TestModules$PackagePrivate Unable to get public no-arg constructor: "
                        + "NoSuchMethodException: dev.jobq.internal.discovery.TestModules$PackagePrivate.<init>(); make "
                        + "the class public, with a public constructor without parameters")
                .hasMessageContaining("TestModules$NotAModule not a subtype; make it implement "
                        + "dev.jobq.JobHandlerModule (jobq's own, not a copy in the module's jar), or take its name out "
                        + "of META-INF/services/dev.jobq.JobHandlerModule")
                .hasMessageNotContaining("the module threw this")
                .hasMessageNotContaining("the jars it needs");
    }

    @Test
    void aModuleThatFailsToLoadWithCausesThatLoopIsAConfigErrorNamingTheLastCause() {
        // Before, finding the root cause walked the loop for ever, and build() never returned.
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(
                () -> HandlerModules.find(servicesOf("cyclic")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("handler module failed to load:")
                .hasMessageContaining(": RuntimeException: vault sealed"));
    }

    @Test
    void aModuleThatFailsWithAnExceptionWhoseCausesAreMadeAtEachReadIsAConfigErrorReadToABoundOfCauses() {
        TestModules.EndlessCause.MADE.set(0);
        // Before, finding the root cause read the chain however long: a getCause() that makes a new cause at each call
        // (an adapter over a cyclic chain) ran the heap out at start-up. 200,000 causes stand in for endless.
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(
                () -> HandlerModules.find(servicesOf("endless-cause")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("TestModules$EndlessCause could not be instantiated: MadeOnRead: level 10000, "
                        + "the 10000th cause, where this error stops reading the chain (from ")
                .hasMessageEndingWith("; the module threw this while it was created: fix what it says, or remove its jar"));
        assertThat(TestModules.EndlessCause.MADE.get()).as("causes made by reading the chain")
                .isEqualTo(10_001); // FailurePolicy.MAX_WALKED_CAUSES and the one read that finds the chain goes on
    }

    @Test
    void aModuleThatFailsWithAnAnonymousExceptionIsAConfigErrorNamingItsClass() {
        // Before, its empty simple name: "could not be instantiated: : vault sealed".
        assertThatThrownBy(() -> HandlerModules.find(servicesOf("anonymous")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("TestModules$AnonymousFailure could not be instantiated: "
                        + "TestModules$AnonymousFailure$1: vault sealed (from ")
                .hasMessageEndingWith("; the module threw this while it was created: fix what it says, or remove its jar");
    }

    @Test
    void aModuleThatFailsWithAnExceptionWhoseMessageCannotBeReadIsAConfigErrorNamingIt() {
        // Before, what getMessage() threw went out of find() as it was, naming no module.
        assertThatThrownBy(() -> HandlerModules.find(servicesOf("unreadable")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("TestModules$UnreadableFailure could not be instantiated: "
                        + "TestModules$UnreadableFailure$1: (its getMessage() threw UnsupportedOperationException: "
                        + "session closed\\nINFO forged) (from ")
                .hasMessageEndingWith("; the module threw this while it was created: fix what it says, or remove its jar");
    }

    @Test
    void aModuleThatFailsWithAnExceptionWhoseCauseCannotBeReadIsAConfigErrorNamingIt() {
        // Before, what getCause() threw went out of find() as it was, naming no module.
        assertThatThrownBy(() -> HandlerModules.find(servicesOf("unreadable-cause")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("TestModules$UnreadableCause could not be instantiated: "
                        + "TestModules$UnreadableCause$1: settings unreadable (from ")
                .hasMessageEndingWith("; the module threw this while it was created: fix what it says, or remove its jar");
    }

    @Test
    void aModuleThatCannotBeLinkedIsAConfigErrorNamingItAndTheClassItLacks() {
        URL root = Objects.requireNonNull(HandlerModulesTest.class.getResource("/handler-modules/unlinkable/"));
        // Lists that folder's service file only, defines Unlinkable itself and cannot find its base class.
        ClassLoader loader = UnlinkableLoader.of(root, TestModules.Unlinkable.class, TestModules.MissingModuleBase.class);

        assertThatThrownBy(() -> HandlerModules.find(loader))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("handler modules: handler module failed to load: "
                        + "dev.jobq.internal.discovery.TestModules$Unlinkable, named in ")
                .hasMessageContaining("META-INF/services/dev.jobq.JobHandlerModule, cannot be linked: "
                        + "java.lang.NoClassDefFoundError: dev/jobq/internal/discovery/TestModules$MissingModuleBase; "
                        + "check that its jar and the jars it needs are on the class path or in --handlers");
    }

    @Test
    void aLinkageErrorWithALineBreakOrAnEscapeInItsMessageIsToldOnOneLine() throws IOException {
        try (var nothingListed = new URLClassLoader(new URL[0], null)) {
            String problem = HandlerModules.failedToLink("handler module", dev.jobq.JobHandlerModule.class,
                    nothingListed, new NoClassDefFoundError("com/acme/Base\nhandler modules: OK\u001b[2J"));

            assertThat(problem).isEqualTo("handler module failed to load: a class named in "
                    + "META-INF/services/dev.jobq.JobHandlerModule, cannot be linked: java.lang.NoClassDefFoundError: "
                    + "com/acme/Base\\nhandler modules: OK\\u001b[2J; check that its jar and the jars it needs are on "
                    + "the class path or in --handlers");
        }
    }

    @Test
    void registersEveryModulesTypes() {
        var registry = new TestModules.TypesOnly();

        HandlerModules.registerAll(registry, HandlerModules.find(servicesOf("good")));

        assertThat(registry.registeredTypes()).containsExactlyInAnyOrder("invoice:send", "invoice:void", "email:send");
    }

    @Test
    void twoModulesWithOneTypeAreAConfigErrorNamingBothModulesAndTheType() {
        var registry = new TestModules.TypesOnly();

        assertThatThrownBy(() -> HandlerModules.registerAll(registry,
                List.of(new TestModules.Mail(), new TestModules.MoreMail())))
                .isInstanceOf(ConfigException.class)
                .hasMessage("handler modules: handler module dev.jobq.internal.discovery.TestModules$MoreMail: a handler "
                        + "for job type 'email:send' is already registered, by handler module "
                        + "dev.jobq.internal.discovery.TestModules$Mail; register each job type in one module");
    }

    @Test
    void oneModuleClassGivenTwiceIsToldSo() {
        // Two instances of one class may register different types (a module configured per region), so both are
        // registered; where they register the same type, the refusal says the class was given twice. It said only
        // "is already registered", as if the module registered the type twice itself.
        var registry = new TestModules.TypesOnly();

        assertThatThrownBy(() -> HandlerModules.registerAll(registry,
                List.of(new TestModules.Mail(), new TestModules.Mail())))
                .isInstanceOf(ConfigException.class)
                .hasMessage("handler modules: handler module dev.jobq.internal.discovery.TestModules$Mail: a handler "
                        + "for job type 'email:send' is already registered, by another instance of the same class; "
                        + "give each handler module once, or have each instance register its own job types");
    }

    @Test
    void aModuleRegisteringOneTypeTwiceGetsTheRegistrysOwnError() {
        JobHandlerModule twice = registry -> {
            registry.registerJobHandler("email:send", String.class, (job, ctx) -> { });
            registry.registerJobHandler("email:send", String.class, (job, ctx) -> { });
        };

        assertThatThrownBy(() -> HandlerModules.registerAll(new TestModules.TypesOnly(), List.of(twice)))
                .isInstanceOf(ConfigException.class)
                .hasMessageEndingWith(": a handler for job type 'email:send' is already registered");
    }

    @Test
    void aModuleThatThrowsFailsWithItsName() {
        JobHandlerModule broken = registry -> {
            throw new IllegalArgumentException("missing setting");
        };

        assertThatThrownBy(() -> HandlerModules.registerAll(new TestModules.TypesOnly(), List.of(broken)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("failed while registering its handlers: java.lang.IllegalArgumentException: "
                        + "missing setting")
                .hasMessageEndingWith("; fix what it says, or remove its jar");
    }

    @Test
    void aModuleThatThrowsAnErrorOfItsOwnOrACheckedExceptionFailsWithItsName() {
        JobHandlerModule asserting = registry -> {
            throw new AssertionError("expected a mail host");
        };
        JobHandlerModule sneaky = registry -> HandlerModulesTest.<RuntimeException>sneakyThrow(
                new java.io.IOException("mail.properties not found"));

        // Before, both went out of registerAll() as they were, naming no module.
        assertThatThrownBy(() -> HandlerModules.registerAll(new TestModules.TypesOnly(), List.of(asserting)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("handler module " + asserting.getClass().getName() + " failed while registering "
                        + "its handlers: java.lang.AssertionError: expected a mail host")
                .hasMessageEndingWith("; fix what it says, or remove its jar")
                .cause().hasMessage("expected a mail host");
        assertThatThrownBy(() -> HandlerModules.registerAll(new TestModules.TypesOnly(), List.of(sneaky)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("handler module " + sneaky.getClass().getName() + " failed while registering "
                        + "its handlers: java.io.IOException: mail.properties not found")
                .hasMessageEndingWith("; fix what it says, or remove its jar");
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    @Test
    void aModuleThatThrowsAnExceptionWhoseMessageCannotBeReadFailsWithItsName() {
        JobHandlerModule broken = registry -> {
            throw new IllegalStateException() {
                @Override
                public String getMessage() {
                    throw new UnsupportedOperationException("session closed\nINFO forged");
                }
            };
        };

        // Before, what getMessage() threw went out of registerAll() as it was, naming no module.
        assertThatThrownBy(() -> HandlerModules.registerAll(new TestModules.TypesOnly(), List.of(broken)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("handler module " + broken.getClass().getName() + " failed while registering its "
                        + "handlers: dev.jobq.internal.discovery.HandlerModulesTest$")
                .hasMessageContaining(": (its getMessage() threw UnsupportedOperationException: session closed\\nINFO "
                        + "forged)")
                .hasMessageEndingWith("; fix what it says, or remove its jar");
    }

    @Test
    void theFailureOfAModuleWhoseExceptionsMessageCannotBeReadCanBePrintedAndLogged() {
        JobHandlerModule broken = registry -> {
            throw new IllegalStateException() {
                @Override
                public String getMessage() {
                    throw new UnsupportedOperationException("session closed");
                }
            };
        };

        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(
                () -> HandlerModules.registerAll(new TestModules.TypesOnly(), List.of(broken)));

        // Before, its cause was the module's exception as it was: printing or logging the failure read its message.
        assertThat(failure).isInstanceOf(ConfigException.class);
        var printed = new java.io.StringWriter();
        failure.printStackTrace(new java.io.PrintWriter(printed));
        assertThat(printed.toString()).contains("Caused by: ", "(its getMessage() threw UnsupportedOperationException: "
                + "session closed)");
        assertThat(new ch.qos.logback.classic.spi.ThrowableProxy(failure).getCause().getMessage())
                .contains("(its getMessage() threw UnsupportedOperationException: session closed)");
    }

    @Test
    void aModuleThatThrowsWithALineBreakInItsMessageFailsWithItOnOneLine() {
        JobHandlerModule broken = registry -> {
            throw new IllegalArgumentException("missing setting\n12:00:00.000 INFO forged");
        };

        // Before, the message went into the error as it was, its line break starting a line of the forger's.
        assertThatThrownBy(() -> HandlerModules.registerAll(new TestModules.TypesOnly(), List.of(broken)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("failed while registering its handlers: java.lang.IllegalArgumentException: "
                        + "missing setting\\n12:00:00.000 INFO forged")
                .hasMessageNotContaining("\n");
    }

    /** A handler class whose static initialiser throws, as one reading a missing setting at load does. */
    static final class SmtpHandler {
        static {
            if (Boolean.parseBoolean("true")) {
                throw new IllegalStateException("SMTP_HOST is not set");
            }
        }

        static void load() {
        }
    }

    @Test
    void aModuleWhoseClassesFailToLoadFailsWithItsNameAndTheCause() {
        JobHandlerModule missingJar = registry -> {
            throw new NoClassDefFoundError("com/acme/mail/MailClient");
        };
        JobHandlerModule failingInit = registry -> SmtpHandler.load();

        assertThatThrownBy(() -> HandlerModules.registerAll(new TestModules.TypesOnly(), List.of(missingJar)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("handler modules: handler module " + missingJar.getClass().getName() + " failed while "
                        + "registering its handlers: java.lang.NoClassDefFoundError: com/acme/mail/MailClient (from ")
                .hasMessageContaining("); check that its jar and the jars it needs are on the class path or in "
                        + "--handlers");
        assertThatThrownBy(() -> HandlerModules.registerAll(new TestModules.TypesOnly(), List.of(failingInit)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("handler module " + failingInit.getClass().getName())
                .hasMessageContaining("(caused by java.lang.IllegalStateException: SMTP_HOST is not set)")
                .hasRootCauseMessage("SMTP_HOST is not set");
    }

    /** A handler class whose static initialiser throws with a line break in its message. */
    static final class ForgingHandler {
        static {
            if (Boolean.parseBoolean("true")) {
                throw new IllegalStateException("SMTP_HOST is not set\n12:00:00.000 INFO forged");
            }
        }

        static void load() {
        }
    }

    @Test
    void aModuleWhoseClassesFailToLoadWithALineBreakInTheCauseFailsWithItOnOneLine() {
        JobHandlerModule failingInit = registry -> ForgingHandler.load();

        // Before, the cause's message went into the error as it was, its line break starting a line of the forger's.
        assertThatThrownBy(() -> HandlerModules.registerAll(new TestModules.TypesOnly(), List.of(failingInit)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("(caused by java.lang.IllegalStateException: SMTP_HOST is not set\\n12:00:00.000 "
                        + "INFO forged)")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aModuleGivenAndFoundRegistersOnce() {
        var given = new TestModules.Mail();

        List<JobHandlerModule> merged = HandlerModules.merge(List.of(given), HandlerModules.find(servicesOf("good")));

        assertThat(merged).hasSize(2).first().isSameAs(given);
        assertThat(merged.get(1)).isInstanceOf(TestModules.Billing.class);
    }
}
