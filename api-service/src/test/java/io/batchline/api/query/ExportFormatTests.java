package io.batchline.api.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.api.problem.BatchRejected;
import org.junit.jupiter.api.Test;

/** The export's negotiation rules and CSV cells, without a server. */
class ExportFormatTests {

    @Test
    void wildcardsAndJsonKeepTheJsonPage() {
        for (String accept : new String[] {null, "", "*/*", "application/json", "application/*", "text/*",
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/json, text/csv",
                "application/json, text/csv;q=0.9", "text/csv;q=0", "garbage", "application/json;q=abc"}) {
            assertThat(BatchQueries.exportFormat(null, accept)).as(accept).isNull();
        }
    }

    @Test
    void anExportNamedAboveJsonIsChosen() {
        assertThat(BatchQueries.exportFormat(null, "application/x-ndjson")).isEqualTo(ItemExport.Format.NDJSON);
        assertThat(BatchQueries.exportFormat(null, "text/csv, */*")).isEqualTo(ItemExport.Format.CSV);
        assertThat(BatchQueries.exportFormat(null, "text/csv;charset=utf-8")).isEqualTo(ItemExport.Format.CSV);
        assertThat(BatchQueries.exportFormat(null, "application/json;q=0.5, text/csv")).isEqualTo(ItemExport.Format.CSV);
        assertThat(BatchQueries.exportFormat(null, "text/csv;q=0.4, application/x-ndjson;q=0.6")).isEqualTo(ItemExport.Format.NDJSON);
    }

    @Test
    void formatWinsOverAcceptAndAnUnknownOneIsRefused() {
        assertThat(BatchQueries.exportFormat("csv", "application/x-ndjson")).isEqualTo(ItemExport.Format.CSV);
        assertThat(BatchQueries.exportFormat(" NDJSON ", null)).isEqualTo(ItemExport.Format.NDJSON);
        assertThat(BatchQueries.exportFormat("json", "text/csv")).isNull();
        for (String format : new String[] {"", "xml", "csv,ndjson", "tsv"}) {
            assertThatThrownBy(() -> BatchQueries.exportFormat(format, null)).as(format)
                    .isInstanceOf(BatchRejected.class).hasMessageContaining("format must be one of");
        }
    }

    @Test
    void csvCellsAreQuotedAndFormulasDefused() {
        assertThat(CsvRows.cell("plain")).isEqualTo("plain");
        assertThat(CsvRows.cell("a,b")).isEqualTo("\"a,b\"");
        assertThat(CsvRows.cell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(CsvRows.cell("two\nlines")).isEqualTo("\"two\nlines\"");
        assertThat(CsvRows.cell("cr\r")).isEqualTo("\"cr\r\"");
        assertThat(CsvRows.cell("=1+1")).isEqualTo("'=1+1");
        assertThat(CsvRows.cell("+1")).isEqualTo("'+1");
        assertThat(CsvRows.cell("-1")).isEqualTo("'-1");
        assertThat(CsvRows.cell("@SUM(A1)")).isEqualTo("'@SUM(A1)");
        assertThat(CsvRows.cell("\t=x")).isEqualTo("'\t=x");
        assertThat(CsvRows.cell("=HYPERLINK(\"x\",\"y\")")).isEqualTo("\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
        assertThat(CsvRows.cell("a=b")).isEqualTo("a=b");
    }
}
