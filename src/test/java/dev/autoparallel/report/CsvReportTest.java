package dev.autoparallel.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

class CsvReportTest {
    static ResultRow failure(String model, String cluster, String detail) {
        return ResultRow.builder().cell(7, model, cluster, "H100-SXM", 8, 1).workload(2048, 4, "minimize_gpus")
                .failed(FailureReason.ERROR, detail).build();
    }

    @Test
    void cellsThatWouldRunAsFormulas_arePrefixed() throws Exception {
        StringWriter w = new StringWriter();
        long n = CsvReport.write(w, List.of(
                failure("=HYPERLINK(\"http://evil\")", "+cmd", "-2+3"),
                failure("@SUM(A1)", "\tcluster", "plain, with \"quotes\"")).iterator());
        assertEquals(2, n);
        List<CSVRecord> records = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(w.toString())).getRecords();
        assertEquals("'=HYPERLINK(\"http://evil\")", records.get(0).get("model"));
        assertEquals("'+cmd", records.get(0).get("cluster"));
        assertEquals("'-2+3", records.get(0).get("failure_detail"));
        assertEquals("'@SUM(A1)", records.get(1).get("model"));
        assertEquals("'\tcluster", records.get(1).get("cluster"));
        assertEquals("plain, with \"quotes\"", records.get(1).get("failure_detail"));
        assertEquals("7", records.get(0).get("cell_id"));
        assertEquals("", records.get(0).get("total_gpus"));
        assertEquals(ResultRow.COLUMNS.length, records.get(0).size());
    }
}
