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

    /** East Asian wide and full-width characters, and emoji (Markus Kuhn's wcwidth). */
    private static boolean wide(int c) {
        return c >= 0x1100 && (c <= 0x115f || c == 0x2329 || c == 0x232a
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
}
