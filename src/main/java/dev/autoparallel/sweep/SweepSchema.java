package dev.autoparallel.sweep;

import dev.autoparallel.report.ResultRow;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The explicit Spark schema of {@link ResultRow}: snake_case, typed, nullable where a failure row has no value. */
public final class SweepSchema {
    private SweepSchema() {
    }

    public static final StructType SCHEMA;

    static {
        DataType[] types = {DataTypes.LongType, DataTypes.StringType, DataTypes.StringType, DataTypes.StringType,
                DataTypes.IntegerType, DataTypes.IntegerType, DataTypes.IntegerType, DataTypes.IntegerType,
                DataTypes.StringType, DataTypes.StringType, DataTypes.IntegerType, DataTypes.IntegerType,
                DataTypes.IntegerType, DataTypes.IntegerType, DataTypes.IntegerType, DataTypes.IntegerType,
                DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType,
                DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.LongType, DataTypes.DoubleType,
                DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType,
                DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.StringType,
                DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.IntegerType, DataTypes.IntegerType,
                DataTypes.BooleanType, DataTypes.BooleanType, DataTypes.DoubleType,
                DataTypes.StringType, DataTypes.StringType, DataTypes.StringType, DataTypes.StringType,
                DataTypes.StringType, DataTypes.IntegerType, DataTypes.IntegerType, DataTypes.IntegerType};
        if (types.length != ResultRow.COLUMNS.length) {
            throw new IllegalStateException("schema has " + types.length + " types for " + ResultRow.COLUMNS.length + " columns");
        }
        StructField[] fields = new StructField[ResultRow.COLUMNS.length];
        for (int i = 0; i < fields.length; i++) {
            boolean required = i <= 10; // the cell's coordinates, status and rank are always there
            fields[i] = DataTypes.createStructField(ResultRow.COLUMNS[i], types[i], !required);
        }
        SCHEMA = DataTypes.createStructType(fields);
    }

    public static Row toRow(ResultRow r) {
        return RowFactory.create(r.values());
    }

    public static ResultRow fromRow(Row row) {
        Object[] v = new Object[ResultRow.COLUMNS.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = row.get(i);
        }
        return ResultRow.fromValues(v);
    }
}
