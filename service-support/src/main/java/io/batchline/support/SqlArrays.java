package io.batchline.support;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.springframework.jdbc.core.SqlTypeValue;

/** Binds a Java array as one SQL array parameter, for set-based statements over many rows. */
public final class SqlArrays {

    private SqlArrays() {
    }

    public static SqlTypeValue of(String elementType, Object[] values) {
        return new SqlTypeValue() {
            @Override
            public void setTypeValue(PreparedStatement ps, int index, int sqlType, String typeName) throws SQLException {
                ps.setArray(index, ps.getConnection().createArrayOf(elementType, values));
            }
        };
    }
}
