package dev.jobq.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Secrets: what of a config value a message may show")
class SecretsTest {

    @Test
    void masksAPasswordInADriversOwnKeyValueWords() {
        // a driver's, a pool's or a library's message in its own words: libpq's keyword form, a Properties' or a Map's
        // toString, a command line; the key stood as a word, no '?', '&' or ';' before it, and the password was shown
        assertThat(Secrets.maskUrl("could not connect with host=db user=jobq password=S3CRET dbname=jobs: refused"))
                .isEqualTo("could not connect with host=db user=jobq password=**** dbname=jobs: refused");
        assertThat(Secrets.maskUrl("connecting with {user=jobq, password=S3CRET}"))
                .isEqualTo("connecting with {user=jobq, password=****}");
        assertThat(Secrets.maskUrl("{password=S3CRET, user=jobq}")).isEqualTo("{password=****, user=jobq}");
        assertThat(Secrets.maskUrl("env PGPASSWORD=S3CRET psql --api-key=T0P (sslpassword=PR1VATE)."))
                .isEqualTo("env PGPASSWORD=**** psql --api-key=**** (sslpassword=****).");
        // libpq quotes a value with a blank in it, a '\\' escaping a quote; one not closed is masked to the line's end
        assertThat(Secrets.maskUrl("host=db password='S3 CRET' dbname=jobs")).isEqualTo("host=db password=**** dbname=jobs");
        assertThat(Secrets.maskUrl("host=db password='it\\'s S3CRET' dbname=jobs"))
                .isEqualTo("host=db password=**** dbname=jobs");
        assertThat(Secrets.maskUrl("token=\"S3 CRET\", then")).isEqualTo("token=****, then");
        assertThat(Secrets.maskUrl("host=db password='S3 CRET\nnext")).isEqualTo("host=db password=****\nnext");
        // a JDBC URL's settings after ';' were masked already, as H2's
        assertThat(Secrets.maskUrl("jdbc:sqlserver://h;user=u;password=S3CRET;encrypt=true"))
                .isEqualTo("jdbc:sqlserver://h;user=u;password=****;encrypt=true");
    }

    @Test
    void masksAKeyThatStandsAsAWordAfterALineBreakWrittenAsAnEscape() {
        // a driver's settings one to a line, as a .properties file has them: LoggableThrowables.oneLine writes the line
        // breaks and tabs as escapes before the masks after it, and the key after one stood as no word
        assertThat(Secrets.maskUrl(LoggableThrowables.oneLine("connection refused; its properties:\nuser=jobq\n"
                + "password=S3CRET")))
                .isEqualTo("connection refused; its properties:\\nuser=jobq\\npassword=****");
        assertThat(Secrets.maskUrl(LoggableThrowables.oneLine("refused:\r\n\tapi_token=T0P (from the environment)")))
                .isEqualTo("refused:\\r\\n\\tapi_token=**** (from the environment)");
    }

    @Test
    void masksAValueQuotedWithQuotesWrittenAsEscapes() {
        // the outcome log quotes a failure's text once (error="…"), its '"' written \": a value a driver quoted so was
        // read as no quoted one, masked to its first blank, the rest shown, or with its '\' and the logfmt value ended
        assertThat(Secrets.maskUrl("job=j1 type=t queue=q attempt=1 outcome=failed duration=3ms "
                + "error=\"PSQLException: host=db password=\\\"S3 CRET\\\" dbname=jobs\""))
                .isEqualTo("job=j1 type=t queue=q attempt=1 outcome=failed duration=3ms "
                        + "error=\"PSQLException: host=db password=**** dbname=jobs\"");
        assertThat(Secrets.maskUrl("error=\"token=\\\"S3CRET\\\"\"")).isEqualTo("error=\"token=****\"");
        // not closed: up to the logfmt value's own closing quote, kept
        assertThat(Secrets.maskUrl("error=\"token=\\\"S3 CRET\" x=1")).isEqualTo("error=\"token=****\" x=1");
    }

    @Test
    void keepsTheEscapedQuoteThatEndsAKeysWordInTheOutcomeLog() {
        // a failure's text with a key=value in quotes ("password=…"), quoted once more by the outcome log (\"…\"): the
        // mask took the '\' of the closing \" as the value's and left its '"' bare, which ended the logfmt value early
        assertThat(Secrets.maskUrl("outcome=failed error=\"refused \\\"password=S3CRET\\\"\" duration=3ms"))
                .isEqualTo("outcome=failed error=\"refused \\\"password=****\\\"\" duration=3ms");
        assertThat(Secrets.maskUrl("error=\"\\\"token=S3CRET\\\", then x\""))
                .isEqualTo("error=\"\\\"token=****\\\", then x\"");
        // a '"' inside the value, written \" there, is still the value's
        assertThat(Secrets.maskUrl("error=\"token=S3\\\"CRET x\"")).isEqualTo("error=\"token=**** x\"");
    }

    @Test
    void masksWhatFollowsAQuotedValueInTheSameWord() {
        // a shell joins a quoted part and what follows it into one word (PGPASSWORD='s3'cret is s3cret): what followed
        // the closing quote was shown, and masked by the next mask only (a message masked, then logged)
        assertThat(Secrets.maskUrl("failed: env PGPASSWORD='S3 C'RET psql -h db"))
                .isEqualTo("failed: env PGPASSWORD=**** psql -h db");
        String masked = Secrets.maskUrl("{token=\"S3\"CRET, user=jobq}");
        assertThat(masked).isEqualTo("{token=****, user=jobq}");
        assertThat(Secrets.maskUrl(masked)).isEqualTo(masked);
    }

    @Test
    void masksAKeyAfterAnIndexInAPropertysName() {
        // Spring's indexed properties (app.datasources[0].password=…, one to a line): the name stops at the '[', and
        // what follows the ']' stood as no word, its value shown
        assertThat(Secrets.maskUrl(LoggableThrowables.oneLine("could not bind:\napp.datasources[0].url=jdbc:h2:mem:x\n"
                + "app.datasources[0].password=S3CRET\napp.datasources[1].password=T0P")))
                .isEqualTo("could not bind:\\napp.datasources[0].url=jdbc:h2:mem:x\\napp.datasources[0].password=****");
        assertThat(Secrets.maskUrl("datasources[primary].password=S3CRET, then")).isEqualTo(
                "datasources[primary].password=****, then");
    }

    @Test
    void keepsProseThatNamesAKeyWithNoValue() {
        // a key named with '=' and no value after it, or a key=value with no secret's name, is no secret
        List<String> prose = List.of("set the password= option, or token=.", "a key written key=value",
                "scheduler.password: must be a single value", "passwords are masked",
                "keyspace=jobs primary-key=id");
        assertThat(prose).allSatisfy(text -> assertThat(Secrets.maskUrl(text)).isEqualTo(text));
    }

    /**
     * A driver's message may be megabytes long, and every log line and /health masks it whole: a key that stands as a
     * word, its value quoted and not closed, a run of punctuation after it, a long name, many keys in a row, are each
     * read a few times, not once for each key or quote in the text; a long name that is no secret's before its '='
     * ({@code aaa…=x}) is looked into from its start only, not from each of its characters. Counted in reads, and a
     * few MB of each bounded in time (a guard against a quadratic look, generous: no measure of speed).
     */
    @Test
    void readsAFewMegabytesOfKeysThatStandAsWordsAFewTimesAtMost() {
        List<String> units = List.of(" password='", " password=\"\\", "{password=,", " password=,.", " password=a",
                "password", " password='a\\", "(,{", " x-token", "\\npassword=", "\\t\\r\\u2028",
                " password=\\\"", " password=\\\"a\\", "a",
                " password=a\\\"\\", "].a");
        for (String unit : units) {
            long reads = secretParameterReads(unit.repeat(5_000) + "=x");
            long twiceAsLong = secretParameterReads(unit.repeat(10_000) + "=x");

            assertThat(twiceAsLong).as("reads of 10,000 '%s', against %s for 5,000", unit, reads).isLessThan(3 * reads);
        }
        int n = 200_000;
        Map<String, String> masked = Map.of(
                " password='".repeat(n), " password=****".repeat(n / 2),
                " password='" + "a ".repeat(n), " password=****",
                " password=a".repeat(n), " password=****".repeat(n),
                " password=,.".repeat(n), " password=,.".repeat(n),
                "{password=,".repeat(n), "{password=****,",
                " " + "password".repeat(n) + "=x", " " + "password".repeat(n) + "=****",
                "(,{".repeat(n) + "x-token=x", "(,{".repeat(n) + "x-token=****",
                "x password=" + ",".repeat(10 * n) + " x", "x password=" + ",".repeat(10 * n) + " x");
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> masked.forEach((text, shown) ->
                assertThat(Secrets.maskUrl(text).equals(shown)).as("%s… masked as %s…", text.substring(0, 40),
                        shown.substring(0, Math.min(40, shown.length()))).isTrue()));
    }

    @Test
    void masksTheUserInformationsPasswordAndKeepsWhereTheUrlPoints() {
        assertThat(Secrets.maskUrl("jdbc:postgresql://jobq:S3CRET@db:5432/jobs"))
                .isEqualTo("jdbc:postgresql://jobq:****@db:5432/jobs");
        assertThat(Secrets.maskUrl("http://AKIAEXAMPLE:S3CRET@localstack:4566"))
                .isEqualTo("http://AKIAEXAMPLE:****@localstack:4566");
        assertThat(Secrets.maskUrl("https://ghp_T0KEN@proxy.example.com/sqs"))
                .isEqualTo("https://****@proxy.example.com/sqs");
        assertThat(Secrets.maskUrl("https://sqs.us-east-1.amazonaws.com/123456789012/jobs"))
                .isEqualTo("https://sqs.us-east-1.amazonaws.com/123456789012/jobs");
    }

    @Test
    void masksAPasswordWrittenRawWithACharacterThatEndsAUrlsHost() {
        // A generated password often has a '#', '?' or ';': the host's end was looked for at it, no '@' was found
        // before it, and the password was shown whole.
        assertThat(Secrets.maskUrl("jdbc:postgresql://jobq:pa#S3CRET@db:5432/jobs"))
                .isEqualTo("jdbc:postgresql://jobq:****@db:5432/jobs");
        assertThat(Secrets.maskUrl("Driver claims to not accept jdbcUrl, http://AKIA:se;S3CRET?x@localstack:4566 now"))
                .isEqualTo("Driver claims to not accept jdbcUrl, http://AKIA:****@localstack:4566 now");
        // an '@' past the host (in the path or the query) is no user information
        assertThat(Secrets.maskUrl("jdbc:postgresql://db:5432/jobs?user=jobq@myserver"))
                .isEqualTo("jdbc:postgresql://db:5432/jobs?user=jobq@myserver");
        assertThat(Secrets.maskUrl("https://host:8080/path/user@example.com")).isEqualTo("https://host:8080/path/user@example.com");
    }

    @Test
    void masksAPasswordWrittenRawWithASlash() {
        // A generated password often has a '/' (base64 has one): the '@' was looked for only before the first '/',
        // none was there, and the password was shown: its part before the '/' as the port, the rest as the path.
        assertThat(Secrets.maskUrl("jdbc:postgresql://jobq:pa/S3CRET@db:5432/jobs"))
                .isEqualTo("jdbc:postgresql://jobq:****@db:5432/jobs");
        assertThat(Secrets.maskUrl("Unable to connect to http://AKIA:se/cr@t#S3CRET@localstack:4566/000000000000/q: refused"))
                .isEqualTo("Unable to connect to http://AKIA:****@localstack:4566/000000000000/q: refused");
        assertThat(Secrets.maskUrl("http://AKIA:a/b/S3CRET@localstack:4566 and http://u:x/T0P@b:2/q?user=v@w"))
                .isEqualTo("http://AKIA:****@localstack:4566 and http://u:****@b:2/q?user=v@w");
        // a port before the '/' is a host's: an '@' after it is in the path, as before
        assertThat(Secrets.maskUrl("https://host:8080/path/user@example.com")).isEqualTo("https://host:8080/path/user@example.com");
        assertThat(Secrets.maskUrl("https://host/path/user@example.com")).isEqualTo("https://host/path/user@example.com");
        assertThat(Secrets.maskUrl("http://[::1]:9324/q/user@example.com")).isEqualTo("http://[::1]:9324/q/user@example.com");
        assertThat(Secrets.maskUrl("jdbc:postgresql://db1:5432,db2:5432/jobs?user=jobq@myserver"))
                .isEqualTo("jdbc:postgresql://db1:5432,db2:5432/jobs?user=jobq@myserver");
    }

    @Test
    void looksForTheAtOfEachPasswordWrittenRawWithASlashAsIfAlone() {
        // maskUrl keeps where its last look for such an '@' met a blank, for the next URL (8afc6a5a): a look from
        // after that blank is a look of its own, and one from before it (two URLs in one word) ends at it too.
        assertThat(Secrets.maskUrl("http://u:pa/x and http://v:pw/S3CRET@db/jobs"))
                .isEqualTo("http://u:pa/x and http://v:****@db/jobs");
        assertThat(Secrets.maskUrl("http://u:pa/http://v:pw/x then mail@example.com"))
                .isEqualTo("http://u:pa/http://v:pw/x then mail@example.com");
        assertThat(Secrets.maskUrl("http://AKIA:a/b/http://v:S3/CRET@db/x")).isEqualTo("http://AKIA:****@db/x");
    }

    @Test
    void masksAPasswordWrittenRawWithAnAtBeforeItsSlash() {
        // The user information was taken to end at the '@' before the '/', and the password's tail shown as the host
        // and the path ('jobq:****@s/s@db/x'). Where an '@' follows in the next path segment too, the URL cannot tell
        // which ends the user information: it is masked up to the last.
        assertThat(Secrets.maskUrl("jdbc:postgresql://jobq:p@s/s@db/x")).isEqualTo("jdbc:postgresql://jobq:****@db/x");
        assertThat(Secrets.maskUrl("failed: http://AKIA:a@b/c@d/S3CRET@localstack:4566/q: refused"))
                .isEqualTo("failed: http://AKIA:****@localstack:4566/q: refused");
        // An '@' after a '?' or a '#' past the host is a parameter's or a fragment's, as before.
        assertThat(Secrets.maskUrl("jdbc:postgresql://jobq:pw@db/jobs?user=a@b")).isEqualTo("jdbc:postgresql://jobq:****@db/jobs?user=a@b");
        assertThat(Secrets.maskUrl("http://u:x/T0P@b:2/q#v@w")).isEqualTo("http://u:****@b:2/q#v@w");
    }

    @Test
    void masksAnAllDigitPasswordPartBeforeASlash() {
        // 'u:12' was read as a host and its port, and the password '12/34' shown whole.
        assertThat(Secrets.maskUrl("jdbc:postgresql://u:12/34@db/x")).isEqualTo("jdbc:postgresql://u:****@db/x");
        assertThat(Secrets.maskUrl("http://u:12/34@db:5432 and http://v:5/6@[::1]:9324/q"))
                .isEqualTo("http://u:****@db:5432 and http://v:****@[::1]:9324/q");
        // The URL alone cannot tell a port and an '@' in the first path segment from such a password: masked.
        assertThat(Secrets.maskUrl("https://host:8080/user@example.com")).isEqualTo("https://host:****@example.com");
        // An '@' in a later segment, or after a '?' or a '#', is the path's, as before.
        assertThat(Secrets.maskUrl("https://host:8080/path/user@example.com")).isEqualTo("https://host:8080/path/user@example.com");
        assertThat(Secrets.maskUrl("jdbc:postgresql://db:5432/jobs?user=jobq@myserver"))
                .isEqualTo("jdbc:postgresql://db:5432/jobs?user=jobq@myserver");
        assertThat(Secrets.maskUrl("http://h:80/x#a@b")).isEqualTo("http://h:80/x#a@b");
    }

    @Test
    void masksSecretParametersOfAUrlOrAnH2Setting() {
        assertThat(Secrets.maskUrl("jdbc:postgresql://db/jobs?user=jobq&password=S3CRET&sslmode=require"))
                .isEqualTo("jdbc:postgresql://db/jobs?user=jobq&password=****&sslmode=require");
        assertThat(Secrets.maskUrl("jdbc:postgresql://db/jobs?sslpassword=S3CRET"))
                .isEqualTo("jdbc:postgresql://db/jobs?sslpassword=****");
        assertThat(Secrets.maskUrl("jdbc:h2:file:./data/jobq;USER=sa;PASSWORD=S3CRET;MODE=PostgreSQL"))
                .isEqualTo("jdbc:h2:file:./data/jobq;USER=sa;PASSWORD=****;MODE=PostgreSQL");
        assertThat(Secrets.maskUrl("https://q.example.com/x?X-Amz-Security-Token=S3CRET&a=1"))
                .isEqualTo("https://q.example.com/x?X-Amz-Security-Token=****&a=1");
    }

    @Test
    void masksAPrivateKeyParameterAsAKeyOfThatNameIsMasked() {
        // a config key privateKey or private_key was a secret's, a URL's parameter or an H2 setting so named was shown
        assertThat(Secrets.isSecretKey("private_key")).isTrue();
        assertThat(Secrets.maskUrl("jdbc:snowflake://acct.example/?private_key_base64=MIIEvQ&warehouse=w"))
                .isEqualTo("jdbc:snowflake://acct.example/?private_key_base64=****&warehouse=w");
        assertThat(Secrets.maskUrl("https://h/x?privateKey=S3CRET: refused")).isEqualTo("https://h/x?privateKey=****: refused");
        assertThat(Secrets.maskUrl("x;PRIVATE_KEY=S3CRET;MODE=PostgreSQL")).isEqualTo("x;PRIVATE_KEY=****;MODE=PostgreSQL");
    }

    @Test
    void masksAHyphenatedKeyParameterAsTheHeaderOfThatNameIsMasked() {
        // private_key= and api_key= were masked, and a header api-key:, but a parameter ?api-key= or ?private-key= shown
        assertThat(Secrets.maskUrl("https://search.example/indexes?api-version=1&api-key=S3CRET&search=x"))
                .isEqualTo("https://search.example/indexes?api-version=1&api-key=****&search=x");
        assertThat(Secrets.maskUrl("https://h/x?private-key=S3CRET: refused")).isEqualTo("https://h/x?private-key=****: refused");
        // a name with key in it and no secret word is no secret's
        assertThat(Secrets.maskUrl("https://h/x?key=a&private=b&keyspace=c&primary-key=d&api-version=e"))
                .isEqualTo("https://h/x?key=a&private=b&keyspace=c&primary-key=d&api-version=e");
    }

    @Test
    void takesAKeyNamedAsASecretWithItsSectionForOne() {
        // api: {key: …} is Spring's api.key, an API key: a key that refused its own value looked at "key" alone
        assertThat(Secrets.isSecretKey("api", "key")).isTrue();
        assertThat(Secrets.isSecretKey("private", "key")).isTrue();
        assertThat(Secrets.isSecretKey(null, "key")).isFalse();
        assertThat(Secrets.isSecretKey("api", "version")).isFalse();
        Settings api = Settings.of("jobq.yaml", "provider.api", Map.of("key", Map.of("value", "S3CRET")));
        api.string("key");
        assertThat(api.problems()).containsExactly("provider.api.key: must be a single value, got ****");
        Settings privateKey = Settings.of("jobq.yaml", "private", Map.of("key", Map.of("part", "T0P")));
        privateKey.strings("key", List.of());
        assertThat(privateKey.problems()).containsExactly("private.key: must be a list, got a section of keys; write […], "
                + "in square brackets, or each item on a line of its own after '- '");
    }

    @Test
    void masksAKeyNamedAsASecretWithTheKeyItIsWrittenUnderWhereThatKeyRepeatsIt() {
        // a section, a single value or a number wanted under api:, and api: {key: …} or [{key: …}] written there: the
        // value repeated was looked at with no section above its keys, and the API key was shown
        Settings provider = Settings.of("jobq.yaml", "provider", Map.of("api", List.of(Map.of("key", "S3CRET")),
                "private", Map.of("key", "T0P"), "x-api", Map.of("key", "PR1VATE")));
        provider.section("api");
        provider.string("private");
        provider.integer("x-api", 1, 1, 10);
        assertThat(provider.problems()).containsExactly(
                "provider.api: must be a section of keys, got '[{key=****}]'; write its keys on the lines below api:, "
                        + "indented",
                "provider.private: must be a single value, got {key=****}",
                "provider.x-api: must be a whole number, got '{key=****}'");
    }

    @Test
    void masksEachSecretWordInEachCaseAndFormThoughMostTextIsNotReadForOne() {
        // maskUrl reads a text for secret parameters, keys and headers only where it holds a piece of a secret word
        // (pass, pwd, secret, token, credential, key): each word of the patterns, in lower, upper and mixed case, in
        // each form, is still masked; a piece left out of that look would show its words here
        List<String> words = List.of("password", "passwd", "pwd", "secret", "token", "credential", "credentials",
                "privatekey", "private_key", "private-key", "sslkey", "apikey", "api_key", "api-key");
        for (String word : words) {
            var mixed = new StringBuilder();
            for (int i = 0; i < word.length(); i++) {
                mixed.append(i % 2 == 0 ? Character.toUpperCase(word.charAt(i)) : word.charAt(i));
            }
            for (String name : List.of(word, word.toUpperCase(Locale.ROOT), mixed.toString())) {
                assertThat(Secrets.maskUrl("https://h/db?a=1&" + name + "=S3CRET")).as(name)
                        .isEqualTo("https://h/db?a=1&" + name + "=****");
                assertThat(Secrets.maskUrl("https://h/db?" + name + "=S3CRET")).as(name)
                        .isEqualTo("https://h/db?" + name + "=****");
                assertThat(Secrets.maskUrl("jdbc:h2:mem:db;" + name + "=S3CRET")).as(name)
                        .isEqualTo("jdbc:h2:mem:db;" + name + "=****");
                assertThat(Secrets.maskUrl("refused: " + name + "=S3CRET")).as(name)
                        .isEqualTo("refused: " + name + "=****");
                // sslkey names a parameter only, no header
                assertThat(Secrets.maskUrl("refused:\nx-" + name + ": S3CRET")).as(name)
                        .isEqualTo("refused:\nx-" + name + (word.equals("sslkey") ? ": S3CRET" : ": ****"));
            }
        }
    }

    @Test
    void masksAHeaderNamedAsEachSecretKeyIs() {
        // a header's name was looked for after its first '-' and without pwd, private-key or api_key: api-key:,
        // private-key:, x-api_key: and x-pwd: on a line of their own were shown where the parameters so named are masked
        assertThat(Secrets.maskUrl("request failed:\napi-key: S3CRET\nPrivate-Key: S3CRET\nx-api_key: S3CRET\n"
                + "x-pwd: S3CRET\nx-private-key: S3CRET\nx-api-key: S3CRET\nx-amz-date: 20261204T120000Z"))
                .isEqualTo("request failed:\napi-key: ****\nPrivate-Key: ****\nx-api_key: ****\nx-pwd: ****\n"
                        + "x-private-key: ****\nx-api-key: ****\nx-amz-date: 20261204T120000Z");
        // still a hyphenated name only, and a name with key in it and no secret word is no secret's
        assertThat(Secrets.maskUrl("apiKey: must be a single value\nprimary-key: id\nkey-space: jobs"))
                .isEqualTo("apiKey: must be a single value\nprimary-key: id\nkey-space: jobs");
    }

    @Test
    void masksASecretParametersValueWrittenRawWithAHash() {
        // Neither PostgreSQL's driver nor H2 ends a parameter at a '#': the value was masked up to it, and the rest of
        // the password shown ('password=****#cd').
        assertThat(Secrets.maskUrl("jdbc:postgresql://db/jobs?password=ab#S3CRET&sslmode=require"))
                .isEqualTo("jdbc:postgresql://db/jobs?password=****&sslmode=require");
        assertThat(Secrets.maskUrl("jdbc:h2:file:./data/jobq;PASSWORD=ab#S3CRET;MODE=PostgreSQL"))
                .isEqualTo("jdbc:h2:file:./data/jobq;PASSWORD=****;MODE=PostgreSQL");
        // a URL's fragment after a secret parameter is masked with it: too much rather than too little
        assertThat(Secrets.maskUrl("http://h/x?token=S3CRET#part: refused")).isEqualTo("http://h/x?token=****: refused");
    }

    @Test
    void masksAnH2SettingsValueWithABlankInItToTheNextSetting() {
        // H2 reads a setting to the next ';', a blank in it included: an encrypted database's PASSWORD is the file's
        // password and the user's, separated by a blank. The value was masked up to the blank, the user's password shown
        // ("PASSWORD=**** userpw"), as jobq schedule list's "no scheduler database exists at …" repeated it.
        assertThat(Secrets.maskUrl("jdbc:h2:file:./data/jobq;CIPHER=AES;PASSWORD=filepw S3CRET"))
                .isEqualTo("jdbc:h2:file:./data/jobq;CIPHER=AES;PASSWORD=****");
        assertThat(Secrets.maskUrl("jdbc:h2:file:./data/jobq;PASSWORD=filepw S3CRET;AUTO_SERVER=TRUE"))
                .isEqualTo("jdbc:h2:file:./data/jobq;PASSWORD=****;AUTO_SERVER=TRUE");
        // in a sentence, up to the line's end but the punctuation that ends it: too much rather than too little
        assertThat(Secrets.maskUrl("opening jdbc:h2:./x;PASSWORD=filepw S3CRET failed: refused.\nnext line"))
                .isEqualTo("opening jdbc:h2:./x;PASSWORD=****.\nnext line");
    }

    @Test
    void masksAPostgresParametersValueWithASemicolonInItToTheNextParameter() {
        // PostgreSQL's driver splits its parameters at '&' only: password=ab;cd is the password ab;cd, whose end was
        // shown ("password=****;cd"); a ';' that ends a clause after the URL stays
        assertThat(Secrets.maskUrl("jdbc:postgresql://db/jobs?user=jobq&password=ab;cd&sslmode=require"))
                .isEqualTo("jdbc:postgresql://db/jobs?user=jobq&password=****&sslmode=require");
        assertThat(Secrets.maskUrl("postgresql://db/jobs?password=ab;cd; check it"))
                .isEqualTo("postgresql://db/jobs?password=****; check it");
    }

    @Test
    void masksAnH2SettingNamedAsASecretAfterAParametersSemicolon() {
        // a parameter's value runs past a ';' (PostgreSQL's password=ab;cd), but not over a secret H2 setting after
        // it: its value, read to the next ';' or the line's end, a blank in it included, lost its end ("userpw")
        assertThat(Secrets.maskUrl("x?token=ab;PASSWORD=filepw userpw"))
                .isEqualTo("x?token=****;PASSWORD=****");
        assertThat(Secrets.maskUrl("x?token=ab.;PASSWORD=filepw userpw; check it"))
                .isEqualTo("x?token=****;PASSWORD=****; check it");
        assertThat(Secrets.maskUrl("x?password=ab;cd;sslmode=x&a=1")).isEqualTo("x?password=****&a=1");
        long reads = secretParameterReads("x?token=" + ";password".repeat(1_000) + "x");
        long twiceAsLong = secretParameterReads("x?token=" + ";password".repeat(2_000) + "x");
        assertThat(twiceAsLong).as("reads of 2,000 ';password' after x?token=, against %s for 1,000", reads)
                .isLessThan(3 * reads);
    }

    @Test
    void masksThePunctuationBeforeASemicolonThatEndsTheWord() {
        // a ';' ended a parameter's value before e3a84e71, the punctuation before it masked with the value; a run of
        // punctuation with a ';' in it before a blank or the end was then kept whole, the password's '.' or ')' shown
        assertThat(Secrets.maskUrl("x?apikey=ab.; check it")).isEqualTo("x?apikey=****; check it");
        assertThat(Secrets.maskUrl("x?password=ab,:));")).isEqualTo("x?password=****;");
        assertThat(Secrets.maskUrl("x?password=ab.;;")).isEqualTo("x?password=****;;");
        assertThat(Secrets.maskUrl("postgresql://db/jobs?password=ab;cd; check it"))
                .isEqualTo("postgresql://db/jobs?password=****; check it");
        long reads = secretParameterReads("x?token=" + ".;".repeat(5_000) + " x");
        long twiceAsLong = secretParameterReads("x?token=" + ".;".repeat(10_000) + " x");
        assertThat(twiceAsLong).as("reads of 10,000 '.;' after x?token=, against %s for 5,000", reads)
                .isLessThan(3 * reads);
    }

    @Test
    void keepsTheTextAfterAnH2SettingMaskedAlready() {
        // a message that names a URL masked, then goes on (JdbcSettings' "write …;PASSWORD=**** and set username: …"),
        // is masked again whole (Settings.problem, a log line): the setting's mask ran to the line's end over the rest
        String message = "write " + Secrets.maskUrl("jdbc:h2:tcp://db/x;PASSWORD=filepw userpw")
                + " and set username: and password: beside it";

        assertThat(Secrets.maskUrl(message))
                .isEqualTo("write jdbc:h2:tcp://db/x;PASSWORD=**** and set username: and password: beside it");
    }

    /**
     * A secret parameter's value is followed by punctuation that ends a sentence, or not; the pattern looked for the
     * end of such punctuation again from each character of it, so a run of it (a log line's ",,,,…" or "……") was read
     * over and over: 20,000 commas after ?token= or ;PASSWORD= took seconds on every log line that repeated them. A
     * long name with a secret's in it many times, and no '=', was read so too.
     * Counted in reads of the text, not in time: twice the run is read about twice as often.
     */
    @Test
    void readsARunOfPunctuationOrALongNameAfterASecretParameterAFewTimesAtMost() {
        for (String parameter : List.of("x?token=", "x;PASSWORD=")) {
            long reads = secretParameterReads(parameter + ",".repeat(5_000) + "x");
            long twiceAsLong = secretParameterReads(parameter + ",".repeat(10_000) + "x");

            assertThat(twiceAsLong).as("reads of the text after %s and 10,000 commas, against %s for 5,000", parameter,
                    reads).isLessThan(3 * reads);
        }
        for (String start : List.of("x?", "x;")) {
            long reads = secretParameterReads(start + "password".repeat(1_000));
            long twiceAsLong = secretParameterReads(start + "password".repeat(2_000));

            assertThat(twiceAsLong).as("reads of a name of 16,000 characters after %s, against %s for 8,000", start,
                    reads).isLessThan(3 * reads);
        }
        assertThat(Secrets.maskUrl("x;PASSWORD=a,,b.,;c?token=d,.) e")).isEqualTo("x;PASSWORD=****;c?token=****,.) e");
    }

    /** A line that starts as a header named like a secret's, long and with no ':', was read once for each name in it. */
    @Test
    void readsALongHeaderLikeNameAFewTimesAtMost() {
        long reads = reads(Secrets::secretHeaders, "x-" + "token".repeat(2_000));
        long twiceAsLong = reads(Secrets::secretHeaders, "x-" + "token".repeat(4_000));

        assertThat(twiceAsLong).as("reads of a line of 20,000 characters, against %s for 10,000", reads)
                .isLessThan(3 * reads);
        assertThat(Secrets.maskUrl("a\n  x-amz-security-token-2 : S3CRET\nb")).isEqualTo("a\n  x-amz-security-token-2 : ****\nb");
    }

    /** How often the secret parameters' pattern reads {@code text}, masking it: once a character, give or take. */
    private static long secretParameterReads(String text) {
        return reads(Secrets::secretParameters, text);
    }

    /** How often {@code pattern} reads {@code text}, masking it. */
    private static long reads(Function<CharSequence, Matcher> pattern, String text) {
        long[] reads = {0};
        CharSequence counted = new CharSequence() {
            @Override
            public int length() {
                return text.length();
            }

            @Override
            public char charAt(int index) {
                reads[0]++;
                return text.charAt(index);
            }

            @Override
            public CharSequence subSequence(int start, int end) {
                return text.subSequence(start, end);
            }

            @Override
            public String toString() {
                return text;
            }
        };
        pattern.apply(counted).replaceAll(Secrets.MASK);
        return reads[0];
    }

    @Test
    void masksEveryUrlInALibrarysMessage() {
        assertThat(Secrets.maskUrl("Connect to http://u:S3CRET@a:1 failed, then https://v:T0P@b:2/q: refused"))
                .isEqualTo("Connect to http://u:****@a:1 failed, then https://v:****@b:2/q: refused")
                .doesNotContain("S3CRET", "T0P");
    }

    @Test
    void masksASecretHeaderOnALineOfItsOwnAsASignatureMismatchEchoesIt() {
        // The canonical request an SDK or a server echoes when a signature does not match: one header a line.
        String echoed = "The request signature we calculated does not match. The canonical request was\n'POST\n/\n\n"
                + "host:sqs.us-east-1.amazonaws.com\nx-amz-date:20261204T120000Z\nx-amz-security-token:FwoGZXIvS3CRET\n\n"
                + "host;x-amz-date;x-amz-security-token\nabc123'\n  X-Amz-Security-Token: FwoGZXIvT0P";

        assertThat(Secrets.maskUrl(echoed)).isEqualTo("The request signature we calculated does not match. The canonical "
                + "request was\n'POST\n/\n\nhost:sqs.us-east-1.amazonaws.com\nx-amz-date:20261204T120000Z\n"
                + "x-amz-security-token:****\n\nhost;x-amz-date;x-amz-security-token\nabc123'\n  X-Amz-Security-Token: ****");
        // a key of jobq's own config in a problem line is no header: its text stays
        assertThat(Secrets.maskUrl("sessionToken: must be a single value")).isEqualTo("sessionToken: must be a single value");
    }

    @Test
    void masksASecretHeaderAfterALineBreakWrittenAsAnEscape() {
        // LoggableThrowables.oneLine writes a failure's line breaks as escapes before the masks after it (the log's
        // %mask, jobq dead-letters) read it: the header was no longer on a line of its own, and its token was shown
        String echoed = "The request signature we calculated does not match. The canonical request was\nPOST\n/\n"
                + "x-amz-date:20261204T120000Z\nx-amz-security-token:FwoGZXIvS3CRET\r\n  X-Api-Key: T0P\n\n"
                + "host;x-amz-security-token";

        assertThat(Secrets.maskUrl(LoggableThrowables.oneLine(echoed))).isEqualTo("The request signature we calculated "
                + "does not match. The canonical request was\\nPOST\\n/\\nx-amz-date:20261204T120000Z\\n"
                + "x-amz-security-token:****\\r\\n  X-Api-Key: ****\\n\\nhost;x-amz-security-token");
        assertThat(Secrets.maskUrl("a\\u2028x-auth-token: S3CRET\\u0085b")).isEqualTo("a\\u2028x-auth-token: ****\\u0085b");
        // an escape that ends the line at once is no value; a key of jobq's own after it is still no header
        assertThat(Secrets.maskUrl("x-token: \\nsessionToken: must be a single value"))
                .isEqualTo("x-token: \\nsessionToken: must be a single value");
        long reads = reads(Secrets::secretHeaders, "\\nx-token".repeat(2_000));
        long twiceAsLong = reads(Secrets::secretHeaders, "\\nx-token".repeat(4_000));
        assertThat(twiceAsLong).as("reads of 4,000 '\\nx-token', against %s for 2,000", reads).isLessThan(3 * reads);
    }

    @Test
    void keepsThePunctuationThatFollowsAMaskedValue() {
        // Before, the value ran to the next space: "password=**** refused", the colon that ended the URL gone.
        assertThat(Secrets.maskUrl("jdbc:postgresql://db/jobs?password=S3CRET: connection refused"))
                .isEqualTo("jdbc:postgresql://db/jobs?password=****: connection refused");
        assertThat(Secrets.maskUrl("tried http://h/x?token=S3CRET, then http://h/y?token=T0P."))
                .isEqualTo("tried http://h/x?token=****, then http://h/y?token=****.");
        // inside the value a colon or a dot is the secret's
        assertThat(Secrets.maskUrl("http://h/x?token=S3:CR.ET&a=1 failed")).isEqualTo("http://h/x?token=****&a=1 failed");
    }

    @Test
    void namesAKeyWrittenInKebabCaseAsItsCamelCase() {
        // YAML keys are often kebab-case: apiKey and api_key were a secret's, api-key not, and a section written where
        // one value is wanted showed {api-key=S3CRET}
        assertThat(List.of("api-key", "private-key", "client-private-key", "API-KEY")).allMatch(Secrets::isSecretKey);
        assertThat(List.of("key", "keyspace", "private", "primary-key", "api-version")).noneMatch(Secrets::isSecretKey);
    }

    @Test
    void namesSecretKeys() {
        assertThat(List.of("password", "PASSWORD", "secretAccessKey", "dbPassword", "sessionToken", "apiKey",
                "credentials")).allMatch(Secrets::isSecretKey);
        assertThat(List.of("username", "jdbcUrl", "accessKeyId", "endpoint", "region", "poolSize"))
                .noneMatch(Secrets::isSecretKey);
    }

    @Test
    void replacesAPasswordALibraryRepeated() {
        assertThat(Secrets.without("login failed for jobq/S3CRET", "S3CRET")).isEqualTo("login failed for jobq/****");
        assertThat(Secrets.without("nothing to hide", null)).isEqualTo("nothing to hide");
    }

    @Test
    void aConfigProblemAboutASecretKeyDoesNotRepeatItsValue() {
        Settings settings = Settings.of("jobq.yaml", "scheduler", Map.of("password", Map.of("S3CRET", "x"),
                "username", List.of("jobq")));

        settings.string("password");
        settings.string("username");

        assertThat(settings.problems()).containsExactly("scheduler.password: must be a single value, got ****",
                "scheduler.username: must be a single value, got [jobq]");
    }
}
