package dev.jobq.examples;

/**
 * An email to send: the payload of {@link EmailHandler}.
 *
 * @param to      the recipient's address
 * @param subject the subject line
 */
public record Email(String to, String subject) {

    public Email {
        if (to == null || to.isBlank() || !to.contains("@")) {
            throw new IllegalArgumentException("Email.to must be an address like user@example.com, got \"" + to + "\"");
        }
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("Email.subject must not be blank (to " + to + ")");
        }
    }
}
