package dev.autoparallel.sweep;

import org.apache.spark.sql.SparkSession;

/** The Spark session the tests run jobs in: local mode on two threads, bound to 127.0.0.1, UI off. */
final class LocalSpark {
    private LocalSpark() {
    }

    static SparkSession start(String name) {
        return SparkSession.builder().master("local[2]").appName(name)
                .config("spark.ui.enabled", "false")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4").getOrCreate();
    }
}
