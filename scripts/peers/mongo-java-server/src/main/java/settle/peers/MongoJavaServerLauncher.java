package settle.peers;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Runs mongo-java-server with its in-memory backend on 127.0.0.1 for Settle's Mongo test suites.
 * That backend applies each write to a collection under the collection's lock, so conditional
 * updates are atomic as MongoDB documents them, which FerretDB v1 does not give the tests. The
 * backend is {@link IdPlannedMemoryBackend}: filters on {@code _id} use its index, as on MongoDB.
 *
 * <p>Usage: {@code MongoJavaServerLauncher <port>}; port 0 takes a free one. Prints one line,
 * {@code ready 127.0.0.1:<port>}, once it accepts connections, then serves until SIGTERM.
 */
public final class MongoJavaServerLauncher {

    /**
     * Reported as MongoDB 6.0.0 (wire version 17): the backend's own versions report wire
     * version 8, which the mongodb 7 Node.js driver refuses to talk to. The version only changes
     * the handshake's answer, not how the backend executes commands.
     */
    private static final MongoVersion REPORTED = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(6, 0, 0);
        }

        @Override
        public int getWireVersion() {
            return 17;
        }
    };

    private MongoJavaServerLauncher() {}

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: mongo-java-server <port>");
            System.exit(2);
        }
        MongoServer server = new MongoServer(new IdPlannedMemoryBackend().version(REPORTED));
        // No shutdown hook: the data lives in memory only, so SIGTERM may end the JVM at once instead
        // of waiting out the network threads' graceful shutdown.
        server.bind("127.0.0.1", Integer.parseInt(args[0]));
        InetSocketAddress address = server.getLocalAddress();
        System.out.println("ready 127.0.0.1:" + address.getPort());
        System.out.flush();
    }
}
