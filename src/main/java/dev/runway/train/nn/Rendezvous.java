package dev.runway.train.nn;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an epoch's worker tasks learn each other's addresses: a socket on the driver that each
 * task tells its address, and that answers every task with all of them once all have told. Spark's
 * own {@code BarrierTaskContext.allGather} does the same through the driver's RPC, but its tasks
 * poll for the answer once a second, and a second an epoch was a third of the time the workers'
 * own averaging saved on the benchmark.
 *
 * <p>A task whose stage Spark runs again (one of them failed) tells again, with the higher
 * attempt number; what the earlier attempt told is dropped. Connections must open with the
 * epoch's token.
 */
final class Rendezvous implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(Rendezvous.class);
  /** How long a task waits for the others to tell, polling for its own kill meanwhile. */
  private static final int POLL_MILLIS = 500;

  /** What a task needs to reach the rendezvous: serializable into the task. */
  record Address(String host, int port, long token) implements Serializable {}

  private final ServerSocket server;
  private final String host;
  private final long token;
  private final int size;
  private final Thread thread;

  /**
   * Opens the rendezvous for {@code size} tasks, listening on {@code bindHost} and reached at {@code
   * host} (the driver's address, which every executor reaches).
   */
  Rendezvous(String bindHost, String host, int size, long token) throws IOException {
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getByName(bindHost), 0), Math.max(50, size));
    this.host = host;
    this.token = token;
    this.size = size;
    this.thread = new Thread(this::serve, "runway-rendezvous");
    thread.setDaemon(true);
    thread.start();
  }

  Address address() {
    return new Address(host, server.getLocalPort(), token);
  }

  private void serve() {
    Socket[] told = new Socket[size];
    String[] addresses = new String[size];
    int attempt = -1;
    int count = 0;
    try {
      while (!server.isClosed()) {
        Socket socket = server.accept();
        try {
          DataInputStream in = new DataInputStream(socket.getInputStream());
          socket.setSoTimeout(10_000);
          if (in.readLong() != token) {
            socket.close();
            continue;
          }
          int theirAttempt = in.readInt();
          int rank = in.readInt();
          String address = in.readUTF();
          if (rank < 0 || rank >= size || theirAttempt < attempt) {
            socket.close();
            continue;
          }
          if (theirAttempt > attempt) {
            closeAll(told);
            count = 0;
            attempt = theirAttempt;
          }
          if (told[rank] == null) {
            count++;
          } else {
            told[rank].close();
          }
          told[rank] = socket;
          addresses[rank] = address;
          if (count == size) {
            for (Socket s : told) {
              DataOutputStream out = new DataOutputStream(s.getOutputStream());
              for (String a : addresses) {
                out.writeUTF(a);
              }
              out.flush();
            }
            closeAll(told);
            count = 0;
          }
        } catch (IOException e) {
          socket.close();
        }
      }
    } catch (IOException e) {
      if (!server.isClosed()) {
        LOG.warn("The workers' rendezvous stopped: {}", e.toString());
      }
    } finally {
      closeAll(told);
    }
  }

  private static void closeAll(Socket[] sockets) {
    for (int i = 0; i < sockets.length; i++) {
      if (sockets[i] != null) {
        try {
          sockets[i].close();
        } catch (IOException e) {
          // closing: nothing left to do with it
        }
        sockets[i] = null;
      }
    }
  }

  /**
   * On a task: tells the rendezvous at {@code at} this task's {@code address} and returns every
   * task's, in rank order, once all have told.
   */
  static String[] gather(
      Address at, int attempt, int rank, int size, String address, BooleanSupplier killed)
      throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(at.host(), at.port()), 60_000);
      socket.setSoTimeout(POLL_MILLIS);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeLong(at.token());
      out.writeInt(attempt);
      out.writeInt(rank);
      out.writeUTF(address);
      out.flush();
      BufferedInputStream buffered = new BufferedInputStream(socket.getInputStream());
      // Nothing arrives until every task has told: wait for the first byte, checking for a kill.
      while (true) {
        try {
          buffered.mark(1);
          if (buffered.read() < 0) {
            throw new EOFException("The driver's rendezvous closed before every worker had told it"
                + " its address (another worker's task failed, or a newer attempt started)");
          }
          buffered.reset();
          break;
        } catch (SocketTimeoutException e) {
          if (killed.getAsBoolean()) {
            throw new IOException("The task was killed while waiting for the other workers", e);
          }
        }
      }
      socket.setSoTimeout(60_000);
      DataInputStream in = new DataInputStream(buffered);
      String[] all = new String[size];
      for (int i = 0; i < size; i++) {
        all[i] = in.readUTF();
      }
      return all;
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing: nothing left to do with it
    }
    thread.interrupt();
  }
}
