package dev.runway.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What trainings of the same data can share of what they derive from it: the network engine's
 * cached blocks of minibatches, cut once for every trial of a tune that trains on the same rows
 * with the same layout, instead of once per trial and rung. A key says what was derived and how;
 * a value made once is kept until the store is closed, which releases it.
 *
 * <p>{@link #NONE} keeps nothing: every training derives its own and releases it itself (what a
 * single {@code train} does, so its blocks go as soon as training ends).
 */
public final class Derived implements AutoCloseable {
  /** Keeps nothing. */
  public static final Derived NONE = new Derived(false);

  private final boolean keeps;
  private final Map<String, Slot<?>> slots = new LinkedHashMap<>();

  private Derived(boolean keeps) {
    this.keeps = keeps;
  }

  /** A store that keeps what is derived until it is closed. */
  public static Derived keeping() {
    return new Derived(true);
  }

  /** Whether values outlive the training that made them (then the store releases them). */
  public boolean keeps() {
    return keeps;
  }

  private static final class Slot<T> {
    T value;
    Consumer<T> release;
  }

  /**
   * The value under {@code key}, made by {@code make} the first time; {@code release} frees it
   * when the store closes. Concurrent callers of one key wait for the first to make it; a failed
   * make leaves the key empty for the next caller.
   */
  @SuppressWarnings("unchecked")
  public <T> T get(String key, Supplier<T> make, Consumer<T> release) {
    if (!keeps) {
      return make.get();
    }
    Slot<T> slot;
    synchronized (slots) {
      slot = (Slot<T>) slots.computeIfAbsent(key, k -> new Slot<T>());
    }
    synchronized (slot) {
      if (slot.value == null) {
        slot.value = make.get();
        slot.release = release;
      }
      return slot.value;
    }
  }

  @Override
  public void close() {
    List<Slot<?>> all;
    synchronized (slots) {
      all = new ArrayList<>(slots.values());
      slots.clear();
    }
    for (Slot<?> slot : all) {
      release(slot);
    }
  }

  private static <T> void release(Slot<T> slot) {
    synchronized (slot) {
      if (slot.value != null) {
        slot.release.accept(slot.value);
        slot.value = null;
      }
    }
  }
}
