package dev.runway.train.nn;

import dev.runway.train.Checkpoints;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * Everything training needs to continue after the last completed epoch: the averaged state, the
 * best epoch so far for early stopping, and the history. Shuffles and dropout derive from the
 * job's seed and the epoch number, so this is the whole random state too: a resumed run goes on
 * exactly as the interrupted one would have.
 *
 * <p>Two slots alternate by epoch, so a driver dying while writing one leaves the other intact.
 */
record Checkpoint(
    String configurationJson,
    WorkerState state,
    float[] bestParams,
    int bestEpoch,
    double bestScore,
    List<EpochStats> history)
    implements Serializable {

  private static final String[] SLOTS = {"network-state-a", "network-state-b"};

  void save(Checkpoints store) {
    try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(this);
      out.flush();
      store.save(SLOTS[state.epoch() % 2], bytes.toByteArray());
    } catch (IOException e) {
      throw new IllegalStateException("Cannot serialize a checkpoint: " + e.getMessage(), e);
    }
  }

  /** The newest readable checkpoint for this network configuration, if any. */
  static Optional<Checkpoint> latest(Checkpoints store, String configurationJson) {
    Checkpoint best = null;
    for (String slot : SLOTS) {
      Optional<byte[]> bytes = store.load(slot);
      if (bytes.isEmpty()) {
        continue;
      }
      try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.get()))) {
        Checkpoint c = (Checkpoint) in.readObject();
        if (c.configurationJson().equals(configurationJson)
            && (best == null || c.state().epoch() > best.state().epoch())) {
          best = c;
        }
      } catch (IOException | ClassNotFoundException | ClassCastException e) {
        // A slot cut short by a dying driver: the other slot holds the epoch before.
      }
    }
    return Optional.ofNullable(best);
  }
}
