package dev.runway.train.nn;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Direct TCP connections between the tasks of one barrier stage, one per pair, over which every
 * task sends bytes to all the others and receives theirs: the workers of an epoch average their
 * round results without the driver (see {@link EpochOfRounds}, {@link SlicedAverage}).
 *
 * <p>Each task listens on an ephemeral port of its executor's address, the tasks learn each
 * other's addresses through the driver ({@link Rendezvous}), and task i connects to every task after it and
 * accepts one connection from every task before it (connections wait in the listener's backlog
 * until accepted, so the order cannot deadlock). A connection opens with the epoch's random token:
 * anything else that connects to the port is dropped. Sending runs on a thread per peer while
 * this thread reads, so two tasks writing megabytes to each other at once do not both block on
 * full socket buffers.
 */
final class PeerMesh implements Closeable {
  /** How long a read blocks before checking whether the task was killed. */
  private static final int POLL_MILLIS = 1_000;
  /** How long the tasks wait for each other's connections. */
  private static final int CONNECT_MILLIS = 120_000;

  private final int rank;
  private final Socket[] peers;
  private final ExecutorService senders;
  private final BooleanSupplier killed;

  private PeerMesh(int rank, Socket[] peers, BooleanSupplier killed) {
    this.rank = rank;
    this.peers = peers;
    this.killed = killed;
    this.senders = Executors.newFixedThreadPool(Math.max(1, peers.length - 1), work -> {
      Thread thread = new Thread(work, "runway-peer-send-" + rank);
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Connects task {@code rank} of {@code size} to all the others.
   *
   * @param host the address to listen on and to give the others
   * @param gather this task's address in, every task's out, in rank order
   * @param killed whether the task was killed (reads give up then)
   */
  static PeerMesh open(
      int rank,
      int size,
      String host,
      long token,
      Function<String, String[]> gather,
      BooleanSupplier killed)
      throws IOException {
    Socket[] peers = new Socket[size];
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(InetAddress.getByName(host), 0), size);
      server.setSoTimeout(CONNECT_MILLIS);
      String[] addresses = gather.apply(host + " " + server.getLocalPort());
      try {
        for (int peer = rank + 1; peer < size; peer++) {
          String[] hostPort = addresses[peer].split(" ");
          Socket socket = new Socket();
          peers[peer] = socket;
          socket.connect(
              new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), CONNECT_MILLIS);
          configure(socket);
          DataOutputStream out = new DataOutputStream(socket.getOutputStream());
          out.writeLong(token);
          out.writeInt(rank);
          out.flush();
        }
        for (int accepted = 0; accepted < rank; ) {
          Socket socket = server.accept();
          configure(socket);
          DataInputStream in = new DataInputStream(socket.getInputStream());
          int from = -1;
          try {
            from = in.readLong() == token ? in.readInt() : -1;
          } catch (IOException e) {
            // not one of ours: fall through and drop it
          }
          if (from < 0 || from >= rank || peers[from] != null) {
            socket.close();
            continue;
          }
          peers[from] = socket;
          accepted++;
        }
      } catch (IOException | RuntimeException e) {
        closeAll(peers);
        throw e;
      }
    }
    return new PeerMesh(rank, peers, killed);
  }

  private static void configure(Socket socket) throws IOException {
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(POLL_MILLIS);
    socket.setSendBufferSize(1 << 20);
    socket.setReceiveBufferSize(1 << 20);
  }

  /**
   * Sends {@code mine} to every other task and returns every task's bytes in rank order ({@code
   * mine} at this task's rank).
   */
  byte[][] exchange(byte[] mine) throws IOException {
    byte[][] same = new byte[peers.length][];
    Arrays.fill(same, mine);
    return exchangeEach(same);
  }

  /**
   * Sends {@code toEach[k]} to task k, for every other task, and returns what each sent this one
   * in rank order ({@code toEach[rank]} at this task's rank).
   */
  byte[][] exchangeEach(byte[][] toEach) throws IOException {
    List<Future<?>> sent = new ArrayList<>();
    for (int peer = 0; peer < peers.length; peer++) {
      Socket socket = peers[peer];
      byte[] bytes = toEach[peer];
      if (socket != null) {
        sent.add(senders.submit(() -> {
          send(socket, bytes);
          return null;
        }));
      }
    }
    byte[][] all = new byte[peers.length][];
    all[rank] = toEach[rank];
    for (int peer = 0; peer < peers.length; peer++) {
      if (peers[peer] != null) {
        all[peer] = receive(peers[peer].getInputStream());
      }
    }
    for (Future<?> f : sent) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("Interrupted while sending to the other workers", e);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
      }
    }
    return all;
  }

  private static void send(Socket peer, byte[] bytes) throws IOException {
    OutputStream out = peer.getOutputStream();
    byte[] length = {
      (byte) (bytes.length >>> 24),
      (byte) (bytes.length >>> 16),
      (byte) (bytes.length >>> 8),
      (byte) bytes.length
    };
    out.write(length);
    out.write(bytes);
    out.flush();
  }

  private byte[] receive(InputStream in) throws IOException {
    byte[] header = new byte[4];
    readFully(in, header);
    int length = ((header[0] & 0xff) << 24)
        | ((header[1] & 0xff) << 16)
        | ((header[2] & 0xff) << 8)
        | (header[3] & 0xff);
    byte[] bytes = new byte[length];
    readFully(in, bytes);
    return bytes;
  }

  /**
   * Reads {@code into} whole. A read that times out has consumed nothing, so the loop checks
   * whether the task was killed and reads on: a killed task must not stay blocked on a peer.
   */
  private void readFully(InputStream in, byte[] into) throws IOException {
    int off = 0;
    while (off < into.length) {
      int n;
      try {
        n = in.read(into, off, into.length - off);
      } catch (SocketTimeoutException e) {
        if (killed.getAsBoolean()) {
          throw new IOException("The task was killed while waiting for the other workers", e);
        }
        continue;
      }
      if (n < 0) {
        throw new EOFException(
            "Another worker closed its connection mid-epoch (its task failed or was lost)");
      }
      off += n;
    }
  }

  @Override
  public void close() {
    senders.shutdownNow();
    closeAll(peers);
  }

  private static void closeAll(Socket[] sockets) {
    for (Socket s : sockets) {
      if (s != null) {
        try {
          s.close();
        } catch (IOException e) {
          // closing: nothing left to do with it
        }
      }
    }
  }
}
