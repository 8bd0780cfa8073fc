package dev.jobq.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UntrustedTextTest {

    @Test
    void singleQuoteEscapesControlCharactersAndSaysTheLengthOnlyOfACutValue() {
        assertThat(UntrustedText.singleQuote("a\nb\u001b[31m", 10)).isEqualTo("'a\\nb\\u001b[31m'");
        assertThat(UntrustedText.singleQuote("x".repeat(10), 10)).isEqualTo("'xxxxxxxxxx'");
        assertThat(UntrustedText.singleQuote("x".repeat(11), 10)).isEqualTo("'xxxxxxxxxx…' (11 characters)");
    }

    @Test
    void aCutFallsBeforeAnEmojiItWouldSplit() {
        String text = "abc\uD83D\uDE00def";

        assertThat(UntrustedText.singleQuote(text, 4)).isEqualTo("'abc…' (8 characters)");
        assertThat(UntrustedText.quote(text, 4)).isEqualTo("\"abc…\" (8 characters)");
        assertThat(UntrustedText.singleQuote(text, 5)).isEqualTo("'abc\uD83D\uDE00…' (8 characters)");
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
    }

    @Test
    void shellArgumentStartingWithADashFollowsTheEndOfOptionsAndATildeIsQuoted() {
        // unquoted, a command read -weekly as an option, and bash expanded ~weekly and a=~ to a home directory
        assertThat(UntrustedText.shellArgument("-weekly")).isEqualTo("-- -weekly");
        assertThat(UntrustedText.shellArgument("-my file.json")).isEqualTo("-- '-my file.json'");
        assertThat(UntrustedText.shellArgument("~weekly")).isEqualTo("'~weekly'");
        assertThat(UntrustedText.shellArgument("a=~/x")).isEqualTo("'a=~/x'");
    }
}
