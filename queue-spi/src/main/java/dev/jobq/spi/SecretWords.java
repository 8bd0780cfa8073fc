package dev.jobq.spi;

/**
 * The words that make a name a secret's, for {@link Secrets}: its key names, its parameters' and its headers' are
 * each one of {@link #WORDS}, and each such word holds one of {@link #STEMS}, so a text without a stem holds none.
 */
final class SecretWords {

    /**
     * Key names whose value is a secret: password, passwd, pwd, secret, token, credential(s), private key, API key (as
     * {@code apiKey}, {@code api_key} or, as a YAML key in kebab case, {@code api-key}); a regular expression's
     * alternatives, matched case-insensitively (ASCII) by the patterns of {@link Secrets}, which add {@code sslkey}.
     */
    static final String WORDS = "password|passwd|pwd|secret|token|credential|private[_-]?key|api[_-]?key";

    /**
     * A piece of each word of {@link #WORDS} and of {@code sslkey}, lower case: {@code pass} of password and passwd,
     * {@code key} of the private, SSL and API keys. A word added there needs its stem here (SecretsTest masks each
     * word in each case and form, and fails for a stem left out).
     */
    private static final String[] STEMS = {"pass", "pwd", "secret", "token", "credential", "key"};

    private SecretWords() {
    }

    /**
     * Whether {@code text} holds a stem (case-insensitively): where it holds none, it holds no word of {@link #WORDS},
     * and no pattern of {@link Secrets} that needs one is read over it. Each character is read once, and again only
     * where a stem starts with it.
     */
    static boolean mayBeIn(String text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            // the ASCII lower case of a letter: the patterns match their words' letters as ASCII only
            char c = (char) (text.charAt(i) | 0x20);
            for (String stem : STEMS) {
                if (c == stem.charAt(0) && text.regionMatches(true, i, stem, 0, stem.length())) {
                    return true;
                }
            }
        }
        return false;
    }
}
