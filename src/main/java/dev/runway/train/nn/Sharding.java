package dev.runway.train.nn;

import static dev.runway.features.FeatureStep.FEATURES;
import static dev.runway.features.FeatureStep.LABEL;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/** Splits a data set into one shard per worker, balanced to within one row, deterministically. */
final class Sharding {
  private Sharding() {}

  /**
   * Row i (in the data set's own order) goes to worker i mod workers, and each shard keeps its
   * rows in id order: the same shards whatever order the shuffle delivers rows in.
   */
  static JavaRDD<Shard> shards(Dataset<Row> data, int workers, int nIn, int nOut) {
    return data.select(FEATURES, LABEL).javaRDD()
        .zipWithIndex()
        .mapToPair(t -> new Tuple2<>(t._2(), t._1()))
        .repartitionAndSortWithinPartitions(new HashPartitioner(workers))
        .mapPartitions(it -> {
          List<Row> rows = new ArrayList<>();
          it.forEachRemaining(t -> rows.add(t._2()));
          return List.of(Shard.pack(rows, nIn, nOut)).iterator();
        });
  }
}
