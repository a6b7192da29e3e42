package dev.autoparallel.sweep;

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
                DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.StringType, DataTypes.StringType,
                DataTypes.StringType, DataTypes.StringType};
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
        return new ResultRow(row.getLong(0), row.getString(1), row.getString(2), row.getString(3), row.getInt(4),
                row.getInt(5), row.getInt(6), row.getInt(7), row.getString(8), row.getString(9), row.getInt(10),
                (Integer) row.get(11), (Integer) row.get(12), (Integer) row.get(13), (Integer) row.get(14),
                (Integer) row.get(15), (Double) row.get(16), (Double) row.get(17), (Double) row.get(18),
                (Double) row.get(19), (Double) row.get(20), (Double) row.get(21), (Long) row.get(22), (Double) row.get(23),
                (Double) row.get(24), (Double) row.get(25), (Double) row.get(26), (Double) row.get(27), (Double) row.get(28),
                (Double) row.get(29), row.getString(30), row.getString(31), row.getString(32), row.getString(33));
    }
}
