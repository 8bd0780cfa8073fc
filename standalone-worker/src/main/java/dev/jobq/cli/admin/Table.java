package dev.jobq.cli.admin;

import dev.jobq.spi.UntrustedText;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Rows of text in left-aligned columns two spaces apart, a header first: what list commands print.
 * A cell's control characters are written as escapes: a job's id, type and error come from a queue
 * message anyone with send rights wrote, and an ANSI sequence or a carriage return in one would
 * otherwise repaint the terminal of whoever lists them. Columns are as wide as a terminal shows their cells: a CJK
 * character or an emoji takes two columns, a combining accent none.
 */
final class Table {

    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
        rows.add(header);
    }

    Table row(Object... cells) {
        rows.add(Arrays.stream(cells).map(c -> c == null ? "-" : UntrustedText.escape(c.toString()))
                .toArray(String[]::new));
        return this;
    }

    int size() {
        return rows.size() - 1;
    }

    void print(PrintWriter out) {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], width(row[i]));
            }
        }
        for (String[] row : rows) {
            var line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(row[i]);
                if (i < columns - 1) {
                    line.append(" ".repeat(widths[i] - width(row[i]) + 2));
                }
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
    }

    /** The columns {@code cell} takes on a terminal, as wcwidth counts them. */
    static int width(String cell) {
        return cell.codePoints().map(Table::width).sum();
    }

    private static int width(int codePoint) {
        int type = Character.getType(codePoint);
        if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.FORMAT) {
            return 0;
        }
        return wide(codePoint) ? 2 : 1;
    }

    /**
     * East Asian wide and full-width characters (Markus Kuhn's wcwidth), and the emoji Unicode 9 and later made wide,
     * which terminals show in two columns: Kuhn's ranges of 2007 left out 🚀, ✅, ⌛ and 🫠.
     */
    private static boolean wide(int c) {
        return c >= 0x1100 && (c <= 0x115f || c == 0x2329 || c == 0x232a || wideEmoji(c)
                || c >= 0x2e80 && c <= 0xa4cf && c != 0x303f
                || c >= 0xac00 && c <= 0xd7a3
                || c >= 0xf900 && c <= 0xfaff
                || c >= 0xfe10 && c <= 0xfe19
                || c >= 0xfe30 && c <= 0xfe6f
                || c >= 0xff00 && c <= 0xff60
                || c >= 0xffe0 && c <= 0xffe6
                || c >= 0x1f300 && c <= 0x1f64f
                || c >= 0x1f900 && c <= 0x1f9ff
                || c >= 0x20000 && c <= 0x2fffd
                || c >= 0x30000 && c <= 0x3fffd);
    }

    /** The emoji outside {@link #wide}'s older ranges whose East Asian width is W (Unicode 15). */
    private static boolean wideEmoji(int c) {
        if (c < 0x10000) {
            return c == 0x231a || c == 0x231b || c >= 0x23e9 && c <= 0x23ec || c == 0x23f0 || c == 0x23f3
                    || c == 0x25fd || c == 0x25fe || c == 0x2614 || c == 0x2615 || c >= 0x2648 && c <= 0x2653
                    || c == 0x267f || c == 0x2693 || c == 0x26a1 || c == 0x26aa || c == 0x26ab || c == 0x26bd
                    || c == 0x26be || c == 0x26c4 || c == 0x26c5 || c == 0x26ce || c == 0x26d4 || c == 0x26ea
                    || c == 0x26f2 || c == 0x26f3 || c == 0x26f5 || c == 0x26fa || c == 0x26fd || c == 0x2705
                    || c == 0x270a || c == 0x270b || c == 0x2728 || c == 0x274c || c == 0x274e
                    || c >= 0x2753 && c <= 0x2755 || c == 0x2757 || c >= 0x2795 && c <= 0x2797 || c == 0x27b0
                    || c == 0x27bf || c == 0x2b1b || c == 0x2b1c || c == 0x2b50 || c == 0x2b55;
        }
        return c == 0x1f004 || c == 0x1f0cf || c == 0x1f18e || c >= 0x1f191 && c <= 0x1f19a
                || c >= 0x1f200 && c <= 0x1f202 || c >= 0x1f210 && c <= 0x1f23b || c >= 0x1f240 && c <= 0x1f248
                || c == 0x1f250 || c == 0x1f251 || c >= 0x1f260 && c <= 0x1f265
                || c >= 0x1f680 && c <= 0x1f6c5 || c == 0x1f6cc || c >= 0x1f6d0 && c <= 0x1f6d2
                || c >= 0x1f6d5 && c <= 0x1f6d7 || c >= 0x1f6dc && c <= 0x1f6df || c == 0x1f6eb || c == 0x1f6ec
                || c >= 0x1f6f4 && c <= 0x1f6fc || c >= 0x1f7e0 && c <= 0x1f7eb || c == 0x1f7f0
                || c >= 0x1fa70 && c <= 0x1faff;
    }
}
