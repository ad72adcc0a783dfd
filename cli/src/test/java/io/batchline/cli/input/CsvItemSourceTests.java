package io.batchline.cli.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class CsvItemSourceTests {

    private static List<String> read(String csv, Map<String, ColumnType> schema) {
        List<String> items = new ArrayList<>();
        try (ItemSource source = ItemSource.open(InputFormat.CSV, new StringReader(csv), schema)) {
            JsonNode item;
            while ((item = source.next()) != null) {
                items.add(source.line() + " " + item);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return items;
    }

    @Test
    void infersIntegersDecimalsBooleansNullsAndKeepsEverythingElseText() {
        List<String> items = read("id,price,ratio,active,note,zip,big\n"
                + "c-1,1000,0.25,true,,007,123456789012345678901234567890\n"
                + "c-2,-5,1e3,false,hello world,0,-0.5\n", Map.of());
        assertThat(items).containsExactly(
                "2 {\"id\":\"c-1\",\"price\":1000,\"ratio\":0.25,\"active\":true,\"note\":null,\"zip\":\"007\",\"big\":123456789012345678901234567890}",
                "3 {\"id\":\"c-2\",\"price\":-5,\"ratio\":1E+3,\"active\":false,\"note\":\"hello world\",\"zip\":0,\"big\":-0.5}");
    }

    @Test
    void theSchemaOverridesInference() {
        List<String> items = read("id,price,flag,payload,count\n"
                + "123,7,yes,\"{\"\"a\"\":[1,2]}\",\n", Map.of("id", ColumnType.STRING, "price", ColumnType.NUMBER,
                "flag", ColumnType.BOOLEAN, "payload", ColumnType.JSON, "count", ColumnType.INTEGER));
        assertThat(items).containsExactly("2 {\"id\":\"123\",\"price\":7,\"flag\":true,\"payload\":{\"a\":[1,2]},\"count\":null}");
    }

    @Test
    void aCellThatDoesNotFitItsTypeNamesLineAndColumn() {
        ItemSource source = ItemSource.open(InputFormat.CSV, new StringReader("a,n\nx,1\ny,abc\n"), Map.of("n", ColumnType.INTEGER));
        assertThat(source.next()).isNotNull();
        assertThatThrownBy(source::next).isInstanceOf(InputProblem.class)
                .hasMessage("line 3, column 'n': 'abc' is not an integer");
    }

    @Test
    void quotedCellsSpanningLinesKeepTheRowsStartingLine() {
        List<String> items = read("k,text\na,\"two\nlines\"\nb,plain\n", Map.of());
        assertThat(items).containsExactly("2 {\"k\":\"a\",\"text\":\"two\\nlines\"}", "4 {\"k\":\"b\",\"text\":\"plain\"}");
    }

    @Test
    void aRowWithTooManyCellsIsRefusedAndShortRowsGetNulls() {
        assertThat(read("a,b\n1\n", Map.of())).containsExactly("2 {\"a\":1,\"b\":null}");
        ItemSource source = ItemSource.open(InputFormat.CSV, new StringReader("a,b\n1,2,3\n"), Map.of());
        assertThatThrownBy(source::next).isInstanceOf(InputProblem.class).hasMessageContaining("line 2").hasMessageContaining("3 cells");
    }

    @Test
    void theHeaderMustNameEveryColumnOnceAndTheSchemaOnlyKnownColumns() {
        assertThatThrownBy(() -> read("a,a\n1,2\n", Map.of())).hasMessageContaining("twice");
        assertThatThrownBy(() -> read("a,\n1,2\n", Map.of())).hasMessageContaining("column 2 has no name");
        assertThatThrownBy(() -> read("a\n1\n", Map.of("b", ColumnType.STRING))).hasMessageContaining("--schema names column 'b'");
        assertThatThrownBy(() -> read("", Map.of())).hasMessageContaining("empty");
    }

    @Test
    void aByteOrderMarkIsNotPartOfTheFirstColumnsName() {
        assertThat(read("\uFEFFkey\nx\n", Map.of())).containsExactly("2 {\"key\":\"x\"}");
    }

    @Test
    void unknownSchemaTypesAreRefused() {
        assertThatThrownBy(() -> ColumnType.parse("date")).hasMessageContaining("string, number, integer, boolean or json");
        assertThatThrownBy(() -> ColumnType.parse("inferred")).isInstanceOf(IllegalArgumentException.class);
        assertThat(ColumnType.parse("Number")).isEqualTo(ColumnType.NUMBER);
    }
}
