package com.hostkey.reinstall.cli.request;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV: comma-separated, fields optionally in double quotes (a quote inside doubled),
 * quoted fields may hold commas and line breaks, CRLF or LF line ends, a leading UTF-8 BOM is
 * dropped. Blank lines are skipped.
 */
final class CsvReader {

    /** One record and the line (1-based) it starts on. */
    record Row(int line, List<String> cells) {}

    static final class MalformedCsvException extends Exception {
        private final int line;

        MalformedCsvException(int line, String message) {
            super(message);
            this.line = line;
        }

        int line() {
            return line;
        }
    }

    private CsvReader() {}

    static List<Row> read(String text) throws MalformedCsvException {
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<Row> rows = new ArrayList<>();
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        boolean cellWasQuoted = false;
        int line = 1;
        int rowStart = 1;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        cell.append('"');
                        i += 2;
                        continue;
                    }
                    quoted = false;
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    cell.append(c);
                }
                i++;
                continue;
            }
            switch (c) {
                case '"' -> {
                    if (!cell.toString().isBlank() || cellWasQuoted) {
                        throw new MalformedCsvException(line, "a quote inside an unquoted value; quote the whole value"
                                + " and double the quotes in it");
                    }
                    cell.setLength(0);
                    quoted = true;
                    cellWasQuoted = true;
                }
                case ',' -> {
                    cells.add(cellWasQuoted ? cell.toString() : cell.toString().strip());
                    cell.setLength(0);
                    cellWasQuoted = false;
                }
                case '\r' -> {
                    // part of CRLF; a lone CR is treated as a line end by the '\n' that follows or not at all
                }
                case '\n' -> {
                    cells.add(cellWasQuoted ? cell.toString() : cell.toString().strip());
                    addRow(rows, rowStart, cells);
                    cells = new ArrayList<>();
                    cell.setLength(0);
                    cellWasQuoted = false;
                    line++;
                    rowStart = line;
                }
                default -> {
                    if (cellWasQuoted && !Character.isWhitespace(c)) {
                        throw new MalformedCsvException(line, "text after a closing quote; quote the whole value");
                    }
                    if (!cellWasQuoted) {
                        cell.append(c);
                    }
                }
            }
            i++;
        }
        if (quoted) {
            throw new MalformedCsvException(rowStart, "a quoted value is never closed");
        }
        cells.add(cellWasQuoted ? cell.toString() : cell.toString().strip());
        addRow(rows, rowStart, cells);
        return rows;
    }

    private static void addRow(List<Row> rows, int line, List<String> cells) {
        boolean blank = cells.stream().allMatch(String::isEmpty);
        if (!blank) {
            rows.add(new Row(line, List.copyOf(cells)));
        }
    }
}
