package com.hostkey.reinstall.cli.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CsvReaderTest {

    @Test
    void shouldReadQuotedValuesWithCommasQuotesAndLineBreaks() throws Exception {
        List<CsvReader.Row> rows = CsvReader.read("\uFEFFa,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\r\n2,\"two\nlines\", z \n");

        assertThat(rows).extracting(CsvReader.Row::line).containsExactly(1, 2, 4);
        assertThat(rows.get(1).cells()).containsExactly("1", "x, y", "say \"hi\"");
        assertThat(rows.get(2).cells()).containsExactly("2", "two\nlines", "z");
    }

    @Test
    void shouldRefuseAnUnclosedQuoteNamingItsLine() {
        assertThatThrownBy(() -> CsvReader.read("a,b\n1,\"open\n"))
                .isInstanceOf(CsvReader.MalformedCsvException.class)
                .hasMessageContaining("never closed")
                .extracting(e -> ((CsvReader.MalformedCsvException) e).line()).isEqualTo(2);
    }

    @Test
    void shouldRefuseAQuoteInsideAnUnquotedValue() {
        assertThatThrownBy(() -> CsvReader.read("a,b\n1,x\"y\n")).isInstanceOf(CsvReader.MalformedCsvException.class);
    }
}
