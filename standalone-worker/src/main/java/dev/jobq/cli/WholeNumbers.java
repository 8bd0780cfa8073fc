package dev.jobq.cli;

import java.math.BigInteger;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * How every {@code int}, {@code long} and {@code BigInteger} option reads its value, in place of picocli's own
 * ("'abc' is not an int"): says what was wrong with the value and how to write one, in words an operator uses.
 * picocli puts the option's name in front ({@code Invalid value for option '--limit': …}); the option
 * itself checks its range once the number is read. An option whose range ends well inside an int's (a port)
 * takes a {@code BigInteger}, so that a number past an int is told that range, not an int's bound.
 */
final class WholeNumbers {

    private WholeNumbers() {
    }

    /** Registers the converters on {@code commandLine} and the subcommands it has. */
    static void registerOn(CommandLine commandLine) {
        ITypeConverter<Integer> ints = converter(Integer::valueOf, Integer.MIN_VALUE, Integer.MAX_VALUE);
        ITypeConverter<Long> longs = converter(Long::valueOf, Long.MIN_VALUE, Long.MAX_VALUE);
        // any size: only what is not a whole number fails here
        ITypeConverter<BigInteger> bigs = converter(BigInteger::new, Long.MIN_VALUE, Long.MAX_VALUE);
        commandLine.registerConverter(Integer.class, ints).registerConverter(int.class, ints)
                .registerConverter(Long.class, longs).registerConverter(long.class, longs)
                .registerConverter(BigInteger.class, bigs);
    }

    private static <N> ITypeConverter<N> converter(Function<String, N> parse, long min, long max) {
        return value -> {
            String digits = value.strip();
            try {
                return parse.apply(digits);
            } catch (NumberFormatException e) {
                throw new TypeConversionException(problem(value, digits, min, max));
            }
        };
    }

    private static String problem(String value, String digits, long min, long max) {
        if (digits.matches("[+-]?\\d+")) {
            return new BigInteger(digits).signum() > 0 ? "'" + value + "' is too large: at most " + max
                    : "'" + value + "' is too small: at least " + min;
        }
        return "'" + value + "' is not a whole number; write it in digits, e.g. 10";
    }
}
