package io.batchline.cli.output;

/** {@code --output}: a table for people, the API's JSON for programs (e.g. jq). */
public enum OutputFormat {
    table, json
}
