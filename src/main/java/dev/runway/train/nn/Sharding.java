package dev.runway.train.nn;

import static dev.runway.features.FeatureStep.FEATURES;
import static dev.runway.features.FeatureStep.LABEL;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/** Splits a data set into one shard per worker, balanced and deterministic. */
final class Sharding {
  private Sharding() {}

  /**
   * Each input partition is packed into float arrays where it is, then dealt out row by row:
   * row j of partition p goes to worker (p + j) mod workers. Only primitive arrays cross the
   * shuffle (serializing Spark rows with their vector objects cost about ten times more), and a
   * shard concatenates its pieces in partition order, so it is the same whatever order the
   * shuffle delivers them in. Shards differ in size by at most one row per input partition.
   */
  static JavaRDD<Shard> shards(Dataset<Row> data, int workers, int nIn, int nOut) {
    return data.select(FEATURES, LABEL).javaRDD()
        .mapPartitionsWithIndex((p, rows) -> deal(p, rows, workers, nIn, nOut), false)
        .mapToPair(piece -> new Tuple2<>(piece._1(), piece._2()))
        .partitionBy(new HashPartitioner(workers))
        .mapPartitions(pieces -> {
          List<Tuple2<Integer, Tuple2<Integer, Shard>>> all = new ArrayList<>();
          pieces.forEachRemaining(all::add);
          all.sort((a, b) -> Integer.compare(a._2()._1(), b._2()._1()));
          return List.of(Shard.concat(all.stream().map(t -> t._2()._2()).toList(), nIn, nOut)).iterator();
        });
  }

  /** (worker, (input partition, piece)) for each worker. */
  private static Iterator<Tuple2<Integer, Tuple2<Integer, Shard>>> deal(int partition, Iterator<Row> rows,
      int workers, int nIn, int nOut) {
    List<List<Row>> hands = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      hands.add(new ArrayList<>());
    }
    int j = 0;
    while (rows.hasNext()) {
      hands.get((partition + j++) % workers).add(rows.next());
    }
    List<Tuple2<Integer, Tuple2<Integer, Shard>>> out = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      out.add(new Tuple2<>(w, new Tuple2<>(partition, Shard.pack(hands.get(w), nIn, nOut))));
    }
    return out.iterator();
  }
}
