package dev.runway.train.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.spark.Partition;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.collection.Seq;
import scala.reflect.ClassTag;

/**
 * Keeps each worker's blocks on one executor. Spark caches a block where the task that built it
 * ran, and later sends every task reading it there. Left to chance, two workers' current blocks
 * would often sit on the same executor, and that round would run its two tasks one after the
 * other (or wait spark.locality.wait for the busy executor) while another executor idles. So
 * the blocks are built on a home executor per worker, spread round-robin over the executors,
 * and every round's tasks then run side by side. An executor lost later has its blocks rebuilt
 * wherever Spark finds room: slower rounds, the same result.
 *
 * <p>Trainings running at once in one application (a tune's concurrent trials, folds or
 * candidates fitted side by side) each say which of them they are, their lane ({@link #LANE}),
 * and lane l's workers start l x workers executors along. Two one-worker trials on two executors then train side by side, each on its own
 * executor's blocks; without lanes both would have their blocks on the first executor and take
 * turns on it while the second idled.
 */
public final class Placement {
  /**
   * Spark local property (set per thread, like the scheduler pool) naming the lane, 0 to n - 1,
   * of the training this thread runs among the application's concurrent ones; absent: lane 0.
   */
  public static final String LANE = "runway.placement.lane";

  /**
   * Spark local property: how many trainings this thread's runs side by side with, itself
   * included (the product of the nested pools' sizes); absent: one.
   */
  public static final String LANES = "runway.placement.lanes";

  /** This thread's {index, pool size}, when it is one of {@link #lanes}' threads. */
  private static final ThreadLocal<int[]> POOL_LANE = new ThreadLocal<>();

  private Placement() {}

  /**
   * Threads named {@code name}-0, -1, ... for trainings run side by side (a tune's trials, a
   * cross-validation's folds): each knows its index among {@code size}, which {@link #inLane}
   * makes its trainings' lane.
   */
  public static ThreadFactory lanes(String name, int size) {
    AtomicInteger next = new AtomicInteger();
    return work -> {
      int lane = next.getAndIncrement();
      Thread thread = new Thread(
          () -> {
            POOL_LANE.set(new int[] {lane, size});
            work.run();
          },
          name + "-" + lane);
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * {@code work} with this thread's lane set for the Spark jobs it submits, and the lane the
   * thread had before restored after. A pool inside a lane (a trial's candidates fitted side by
   * side) spreads its own threads within it: lane l of n, thread i of m, is lane l x m + i. A
   * thread not made by {@link #lanes} keeps the lane it has.
   */
  public static <R> R inLane(SparkContext sc, Supplier<R> work) {
    int[] mine = POOL_LANE.get();
    if (mine == null) {
      return work.get();
    }
    String outer = sc.getLocalProperty(LANE);
    String outerLanes = sc.getLocalProperty(LANES);
    int lane = (outer == null ? 0 : Integer.parseInt(outer)) * mine[1] + mine[0];
    int lanes = (outerLanes == null ? 1 : Integer.parseInt(outerLanes)) * mine[1];
    sc.setLocalProperty(LANE, Integer.toString(lane));
    sc.setLocalProperty(LANES, Integer.toString(lanes));
    try {
      return work.get();
    } finally {
      sc.setLocalProperty(LANE, outer);
      sc.setLocalProperty(LANES, outerLanes);
    }
  }

  /**
   * Whether this thread's trainings run side by side with others in the application: their
   * workers then share the task slots, and a training whose workers must all run at once (a
   * barrier stage, train.aggregation = peers) would wait for the others' tasks to end.
   */
  static boolean sideBySide(SparkContext sc) {
    String lanes = sc.getLocalProperty(LANES);
    return lanes != null && Integer.parseInt(lanes) > 1;
  }

  /**
   * A home executor location per worker ("executor_HOST_ID", Spark's form for a preferred
   * executor), or null where there is only one executor to run on (local mode).
   */
  static String[] homes(JavaSparkContext jsc, int workers) {
    // local and local[N] run every task in this JVM; local-cluster[...] has executor JVMs of its
    // own.
    String master = jsc.master();
    if (master.equals("local") || master.startsWith("local[")) {
      return null;
    }
    int probes = Math.max(4 * workers, 4 * jsc.defaultParallelism());
    jsc.setJobDescription("runway: find the executors to place the workers' blocks on");
    List<Integer> slices = new ArrayList<>(Collections.nCopies(probes, 0));
    TreeMap<String, String> executors = new TreeMap<>((a, b) ->
        a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b));
    for (String[] idHost : jsc.parallelize(slices, probes)
        .mapPartitions(it -> List.<String[]>of(new String[] {
              SparkEnv.get().executorId(),
              SparkEnv.get().blockManager().blockManagerId().host()
            })
            .iterator())
        .collect()) {
      executors.put(idHost[0], idHost[1]);
    }
    if (executors.size() < 2) {
      return null;
    }
    List<String> locations = new ArrayList<>();
    executors.forEach((id, host) -> locations.add("executor_" + host + "_" + id));
    String lane = jsc.getLocalProperty(LANE);
    return spread(locations, workers, lane == null ? 0 : Integer.parseInt(lane));
  }

  /**
   * Worker w of lane {@code lane} lives on executor (lane x workers + w) mod executors: one lane's
   * workers on distinct executors while there are enough, and the lanes on the executors the
   * lanes before them left free. Lanes that land on the same executors get the same homes, and so
   * share one cut of the data.
   */
  static String[] spread(List<String> locations, int workers, int lane) {
    String[] homes = new String[workers];
    for (int w = 0; w < workers; w++) {
      homes[w] = locations.get((int) (((long) lane * workers + w) % locations.size()));
    }
    return homes;
  }

  /** {@code parent} with each partition preferring the given location (null: no preference). */
  static <T> RDD<T> at(RDD<T> parent, String[] locations, ClassTag<T> tag) {
    return new Placed<>(parent, locations, tag);
  }

  /** A one-to-one wrapper whose only difference is where Spark prefers to compute each partition. */
  private static final class Placed<T> extends RDD<T> {
    private static final long serialVersionUID = 1L;

    private final String[] locations;
    private final ClassTag<T> tag;

    Placed(RDD<T> parent, String[] locations, ClassTag<T> tag) {
      super(parent, tag);
      this.locations = locations;
      this.tag = tag;
    }

    @Override
    public Iterator<T> compute(Partition split, TaskContext context) {
      return firstParent(tag).iterator(split, context);
    }

    @Override
    public Partition[] getPartitions() {
      return firstParent(tag).partitions();
    }

    @Override
    public Seq<String> getPreferredLocations(Partition split) {
      String where = locations[split.index()];
      return JavaConverters.asScalaBuffer(where == null ? List.<String>of() : List.of(where))
          .toSeq();
    }
  }
}
