package dev.runway.train;

import dev.runway.artifacts.RunDirectory;
import java.util.Optional;

/**
 * Where a trainer keeps what it needs to continue after the driver dies. The job decides where
 * that is (inside the uncommitted run directory); trainers only name blobs.
 */
public interface Checkpoints {
  /** Stores {@code data} under {@code name}, replacing an older blob of that name. */
  void save(String name, byte[] data);

  /** The blob stored under {@code name}, if any. */
  Optional<byte[]> load(String name);

  /** Blobs as files under {@code folder} of {@code dir} (an uncommitted run, a tune's state). */
  static Checkpoints in(RunDirectory dir, String folder) {
    return new Checkpoints() {
      @Override
      public void save(String name, byte[] data) {
        dir.writeBytes(folder + "/" + name, data);
      }

      @Override
      public Optional<byte[]> load(String name) {
        return dir.readBytes(folder + "/" + name);
      }
    };
  }

  /** Keeps nothing: for trainers and tests that need no checkpoints. */
  Checkpoints NONE = new Checkpoints() {
    @Override
    public void save(String name, byte[] data) {}

    @Override
    public Optional<byte[]> load(String name) {
      return Optional.empty();
    }
  };
}
