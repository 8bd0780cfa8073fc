package dev.jobq.internal.runtime;

/**
 * How a message names a piece of user code (a handler, a listener, a backoff). A lambda's class is a
 * hidden class, {@code com.example.Jobs$$Lambda/0x000071e0c8001a00}, which names no class a user can
 * open and changes from run to run: the class it was written in is what they can find.
 */
public final class UserCode {

    private static final String LAMBDA_MARK = "$$Lambda";

    private UserCode() {
    }

    /**
     * {@code "a lambda in com.example.Jobs"}, {@code "an anonymous class in com.example.Jobs"}, or the
     * class name; a backoff of {@code Backoff}'s factories by the factory and its arguments ({@link DescribedBackoff}).
     */
    public static String describe(Object code) {
        if (code instanceof DescribedBackoff described) {
            return described.toString(); // jobq's own, not user code
        }
        Class<?> type = code.getClass();
        String name = type.getName();
        int lambda = name.indexOf(LAMBDA_MARK);
        if (lambda > 0) {
            return "a lambda in " + name.substring(0, lambda);
        }
        if (type.isAnonymousClass() && type.getEnclosingClass() != null) {
            return "an anonymous class in " + type.getEnclosingClass().getName();
        }
        return name;
    }
}
