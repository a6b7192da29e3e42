package dev.autoparallel.cli;

import dev.autoparallel.error.InvalidConfigurationException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads RFC 4180 CSV text (quoted fields, doubled quotes, CRLF or LF) into maps keyed by the header. */
final class CsvRows {
    /** How much of a refused header an error message quotes. */
    private static final int HEADER_SHOWN = 200;

    private CsvRows() {
    }

    static List<Map<String, String>> parse(String text, String source) {
        return parse(text, source, List.of(), "");
    }

    /**
     * As {@link #parse(String, String)}, refusing a header without every column of {@code required} (a file of another
     * format would otherwise yield rows that each lack everything); {@code format} names the format in the message.
     */
    static List<Map<String, String>> parse(String text, String source, List<String> required, String format) {
        List<List<String>> records = records(text, source);
        if (records.isEmpty()) {
            throw new InvalidConfigurationException("csv", source + ": empty; a header line was expected");
        }
        List<String> header = records.get(0);
        List<String> missing = required.stream().filter(c -> !header.contains(c)).toList();
        if (!missing.isEmpty()) {
            String read = String.join(",", header);
            throw new InvalidConfigurationException(missing.get(0), source + ": the header lacks the column"
                    + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing) + "; " + format + " needs "
                    + String.join(", ", required) + " (header read: "
                    + (read.length() > HEADER_SHOWN ? read.substring(0, HEADER_SHOWN) + "..." : read) + ")");
        }
        List<Map<String, String>> out = new ArrayList<>();
        for (int i = 1; i < records.size(); i++) {
            List<String> rec = records.get(i);
            if (rec.size() == 1 && rec.get(0).isEmpty()) {
                continue;
            }
            if (rec.size() != header.size()) {
                throw new InvalidConfigurationException("csv", source + ": record " + (i + 1) + " has " + rec.size()
                        + " fields; the header has " + header.size());
            }
            Map<String, String> m = new LinkedHashMap<>();
            for (int j = 0; j < header.size(); j++) {
                m.put(header.get(j), rec.get(j));
            }
            out.add(m);
        }
        return out;
    }

    private static List<List<String>> records(String text, String source) {
        List<List<String>> out = new ArrayList<>();
        List<String> rec = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    field.append(ch);
                }
            } else if (ch == '"' && field.length() == 0) {
                quoted = true;
            } else if (ch == ',') {
                rec.add(field.toString());
                field.setLength(0);
            } else if (ch == '\n' || ch == '\r') {
                if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                rec.add(field.toString());
                field.setLength(0);
                out.add(rec);
                rec = new ArrayList<>();
            } else {
                field.append(ch);
            }
        }
        if (quoted) {
            throw new InvalidConfigurationException("csv", source + ": a quoted field is never closed");
        }
        if (field.length() > 0 || !rec.isEmpty()) {
            rec.add(field.toString());
            out.add(rec);
        }
        return out;
    }
}
