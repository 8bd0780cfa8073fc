package dev.jobq.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UntrustedTextTest {

    @Test
    void escapeWritesLineAndParagraphSeparatorsAsEscapes() {
        // no control characters, but many log viewers, JavaScript consoles and editors break a line at either: raw,
        // an id with one started what looked like a line of the log's own
        assertThat(UntrustedText.escape("job-1\u2028WARN job-2 forged\u2029"))
                .isEqualTo("job-1\\u2028WARN job-2 forged\\u2029");
        assertThat(UntrustedText.quote("a\u2028b", 80)).isEqualTo("\"a\\u2028b\"");
        assertThat(UntrustedText.singleQuote("\u2029".repeat(3), 2)).isEqualTo("'\\u2029\\u2029…' (3 characters)");
        assertThat(UntrustedText.shellArgument("a\u2028b")).isEqualTo("$'a\\xe2\\x80\\xa8b'");
        // idempotent: what it writes needs no escape
        assertThat(UntrustedText.escape(UntrustedText.escape("a\u2028b\u2029"))).isEqualTo("a\\u2028b\\u2029");
    }

    @Test
    void escapeWritesTheBidirectionalMarksAsEscapes() {
        // a mark shows nothing and gives the punctuation and spaces beside it a direction, which beside right-to-left
        // text moves them: weaker than an override, but raw, ids "job-1" and "job-1<U+200E>" were shown the same.
        // Unicode's Bidi_Control characters are the marks, embeddings, overrides and isolates: all escaped
        assertThat(UntrustedText.escape("report-\u200f1.2\u200e-\u061cx"))
                .isEqualTo("report-\\u200f1.2\\u200e-\\u061cx");
        assertThat(UntrustedText.shellArgument("\u200fx")).isEqualTo("$'\\xe2\\x80\\x8fx'");
        assertThat(UntrustedText.escape(UntrustedText.escape("\u061c\u200e"))).isEqualTo("\\u061c\\u200e");
    }

    @Test
    void escapeReturnsTextWithNothingToEscapeAsItIs() {
        // the characters next to each escaped range, a no-break space, a letter, an emoji: the same string, not a copy
        String plain = "\u061b\u061d\u200d\u2010\u2027\u202f\u2065\u206a\u00a0\u00e9\u007e \uD83D\uDE00";
        assertThat(UntrustedText.escape(plain)).isSameAs(plain);
        assertThat(UntrustedText.escape("\u007f\u009f\u00a0\u001f\u0020"))
                .isEqualTo("\\u007f\\u009f\u00a0\\u001f\u0020");
    }

    @Test
    void singleQuoteEscapesControlCharactersAndSaysTheLengthOnlyOfACutValue() {
        assertThat(UntrustedText.singleQuote("a\nb\u001b[31m", 10)).isEqualTo("'a\\nb\\u001b[31m'");
        assertThat(UntrustedText.singleQuote("x".repeat(10), 10)).isEqualTo("'xxxxxxxxxx'");
        assertThat(UntrustedText.singleQuote("x".repeat(11), 10)).isEqualTo("'xxxxxxxxxx…' (11 characters)");
    }

    @Test
    void afterQuotedIsWhatARefusalSaysAfterTheValueWholeAndRawEscapedElseNull() {
        assertThat(UntrustedText.afterQuoted("'30' has no unit; write 30ms", "30")).isEqualTo(" has no unit; write 30ms");
        // the value raw and whole, a quote and a newline in it; what follows escaped, the value shown by the caller
        assertThat(UntrustedText.afterQuoted("'it's\n5' is not a duration\u001b[31m", "it's\n5"))
                .isEqualTo(" is not a duration\\u001b[31m");
        assertThat(UntrustedText.afterQuoted("'' is empty", "")).isEqualTo(" is empty");
        // not quoted so, or another value: null, for the caller's own fallback
        assertThat(UntrustedText.afterQuoted("'300' has no unit", "30")).isNull();
        assertThat(UntrustedText.afterQuoted("30 has no unit", "30")).isNull();
        assertThat(UntrustedText.afterQuoted("'30 ' has no unit", "30")).isNull();
    }

    @Test
    void afterQuotedOfANullValueThrowsAsTheOtherMethodsDo() {
        // not read as the text null, which found " is not a duration" after a refusal of the value 'null'
        assertThatNullPointerException().isThrownBy(() -> UntrustedText.afterQuoted("'null' is not a duration", null))
                .withMessage("value");
        assertThatNullPointerException().isThrownBy(() -> UntrustedText.afterQuoted(null, "30"))
                .withMessage("refusal");
    }

    @Test
    void aCutFallsBeforeAnEmojiItWouldSplit() {
        String text = "abc\uD83D\uDE00def";

        assertThat(UntrustedText.singleQuote(text, 4)).isEqualTo("'abc…' (8 characters)");
        assertThat(UntrustedText.quote(text, 4)).isEqualTo("\"abc…\" (8 characters)");
        assertThat(UntrustedText.singleQuote(text, 5)).isEqualTo("'abc\uD83D\uDE00…' (8 characters)");
    }

    @Test
    void wholeEndOfEscapedTextFallsBeforeAnEscapeOrAnEmojiItWouldSplit() {
        String escaped = UntrustedText.escape("ab\u0001\ncd");
        assertThat(escaped).isEqualTo("ab\\u0001\\ncd");

        assertThat(UntrustedText.wholeEnd(escaped, 2)).isEqualTo(2);
        for (int inside = 3; inside <= 7; inside++) {
            assertThat(UntrustedText.wholeEnd(escaped, inside)).as("cut at %d", inside).isEqualTo(2);
        }
        assertThat(UntrustedText.wholeEnd(escaped, 8)).isEqualTo(8);
        assertThat(UntrustedText.wholeEnd(escaped, 9)).isEqualTo(8);
        assertThat(UntrustedText.wholeEnd(escaped, 10)).isEqualTo(10);
        assertThat(UntrustedText.wholeEnd(escaped, escaped.length())).isEqualTo(escaped.length());
        assertThat(UntrustedText.wholeEnd(escaped, 0)).isZero();
        // a backslash the text held looks like an escape's: cut before it too
        assertThat(UntrustedText.wholeEnd("a\\b", 2)).isEqualTo(1);
        assertThat(UntrustedText.wholeEnd("ab\uD83D\uDE00cd", 3)).isEqualTo(2);
        assertThat(UntrustedText.wholeEnd("ab\uD83D\uDE00cd", 4)).isEqualTo(4);
    }

    @Test
    void shellArgumentQuotesWhatTheShellWouldSplitOrExpandAndEscapesControlCharacters() {
        assertThat(UntrustedText.shellArgument("email:digest")).isEqualTo("email:digest");
        assertThat(UntrustedText.shellArgument("/tmp/payload.json")).isEqualTo("/tmp/payload.json");
        assertThat(UntrustedText.shellArgument("daily digest")).isEqualTo("'daily digest'");
        assertThat(UntrustedText.shellArgument("$HOME `id`")).isEqualTo("'$HOME `id`'");
        assertThat(UntrustedText.shellArgument("it's")).isEqualTo("'it'\\''s'");
        assertThat(UntrustedText.shellArgument("\"x\"")).isEqualTo("'\"x\"'");
        assertThat(UntrustedText.shellArgument("")).isEqualTo("''");
    }

    @Test
    void shellArgumentWithAControlCharacterIsWrittenAsBashReadsItsEscapes() {
        // 'a\nb' (single quotes) was given, which passes a backslash and an n: the command named another job
        assertThat(UntrustedText.shellArgument("a\nb")).isEqualTo("$'a\\nb'");
        assertThat(UntrustedText.shellArgument("it's\u001b[31m")).isEqualTo("$'it\\'s\\u001b[31m'");
        assertThat(UntrustedText.shellArgument("c:\\tmp\t")).isEqualTo("$'c:\\\\tmp\\t'");
        assertThat(UntrustedText.shellArgument("-x\n")).isEqualTo("-- $'-x\\n'");
        // past U+007F as UTF-8 bytes: in the C locale bash passed $'\\u202e' on as a backslash, a u and four digits
        assertThat(UntrustedText.shellArgument("\u202eevil\u0085")).isEqualTo("$'\\xe2\\x80\\xaeevil\\xc2\\x85'");
    }

    @Test
    void shellArgumentStartingWithADashFollowsTheEndOfOptionsAndATildeIsQuoted() {
        // unquoted, a command read -weekly as an option, and bash expanded ~weekly and a=~ to a home directory
        assertThat(UntrustedText.shellArgument("-weekly")).isEqualTo("-- -weekly");
        assertThat(UntrustedText.shellArgument("-my file.json")).isEqualTo("-- '-my file.json'");
        assertThat(UntrustedText.shellArgument("~weekly")).isEqualTo("'~weekly'");
        assertThat(UntrustedText.shellArgument("a=~/x")).isEqualTo("'a=~/x'");
    }

    /**
     * What bash makes of {@code shellArgument(name)} pasted after a command: the words it passes, each ended by a NUL,
     * in the given locale ({@code C}: no UTF-8, as a server's shell may have).
     */
    private static byte[] wordsBashPasses(String name, String locale) throws IOException, InterruptedException {
        var bash = new ProcessBuilder("/bin/bash", "--norc", "--noprofile", "-c",
                "printf '%s\\0' " + UntrustedText.shellArgument(name)).redirectErrorStream(true);
        bash.environment().put("LC_ALL", locale);
        Process process = bash.start();
        boolean ended = process.waitFor(30, TimeUnit.SECONDS); // its few bytes wait in the pipe
        if (!ended) {
            process.destroyForcibly();
        }
        assertThat(ended).as("bash ended").isTrue();
        return process.getInputStream().readAllBytes();
    }

    @ParameterizedTest
    @ValueSource(strings = {"email:digest", "/tmp/payload.json", "daily digest", "$HOME `id`", "it's", "\"x\"", "",
            "a\nb", "it's\u001b[31m", "c:\\tmp\t", "\\'", "a\\nb", "-x\n", "-weekly", "--", "-my file.json",
            "~weekly", "a=~/x", "\r\u007f\u0001f", "x\u0085y", "\u202eevil", "\u2066\u009f", "caf\u00e9 \uD83D\uDE00",
            "a\u2028b\u2029", "\u200fx\u200e\u061c", "!x", "{a,b}", "*", "[a]?", "a;b|c&d", "#x", "\t'\u001b\\"})
    void shellArgumentPastedIntoBashGivesBackExactlyTheText(String name) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "bash at /bin/bash");
        var expected = new ByteArrayOutputStream();
        if (name.startsWith("-")) {
            expected.writeBytes("--\0".getBytes(StandardCharsets.UTF_8)); // the end of options, then the name
        }
        expected.writeBytes((name + "\0").getBytes(StandardCharsets.UTF_8));

        for (String locale : new String[] {"C.UTF-8", "C"}) {
            assertThat(wordsBashPasses(name, locale)).as("LC_ALL=%s bash -c \"printf '%%s\\0' %s\"", locale,
                    UntrustedText.shellArgument(name)).isEqualTo(expected.toByteArray());
        }
    }
}
