package dev.autoparallel.report;

import java.io.IOException;
import java.io.Writer;
import java.util.Iterator;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * report.csv: one row per cell and rank plus one per failed cell, in {@link ResultRow#COLUMNS}
 * order. Streams: it holds one row at a time. Text that a spreadsheet would run as a formula
 * (starting with =, +, -, @, tab or carriage return) is prefixed with a quote (OWASP's advice).
 */
public final class CsvReport {
    private CsvReport() {
    }

    public static long write(Writer out, Iterator<ResultRow> rows) throws IOException {
        long n = 0;
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader(ResultRow.COLUMNS).setRecordSeparator("\n").get();
        try (CSVPrinter printer = new CSVPrinter(out, format)) {
            Object[] cells = new Object[ResultRow.COLUMNS.length];
            while (rows.hasNext()) {
                Object[] values = rows.next().values();
                for (int i = 0; i < values.length; i++) {
                    cells[i] = values[i] instanceof String s ? neutralise(s) : values[i];
                }
                printer.printRecord(cells);
                n++;
            }
        }
        return n;
    }

    /** A text cell that cannot run as a spreadsheet formula. */
    static String neutralise(String s) {
        if (s.isEmpty()) {
            return s;
        }
        char c = s.charAt(0);
        return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' ? "'" + s : s;
    }
}
