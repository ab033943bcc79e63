package settle.peers;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import java.util.List;

/**
 * The in-memory backend, with one rule of MongoDB's query planner that mongo-java-server lacks: a
 * filter with an equality on {@code _id} reads through the {@code _id} index, whatever else it
 * asks. mongo-java-server uses an index only when the filter's fields are exactly the index's, so
 * every conditional write ({@code {_id, status: {$in: [...]}}}) scanned the whole collection in
 * insertion order, and a checkout's cost grew with the orders stored, which MongoDB's cost does not.
 *
 * <p>Results are unchanged: the index yields the documents matching the {@code _id} clause, and
 * the whole filter is still matched against each, as the backend does for any index it uses.
 */
final class IdPlannedMemoryBackend extends MemoryBackend {

    @Override
    public MemoryDatabase openOrCreateDatabase(String databaseName) {
        return new Database(databaseName, getCursorRegistry());
    }

    private static final class Database extends MemoryDatabase {
        Database(String databaseName, CursorRegistry cursorRegistry) {
            super(databaseName, cursorRegistry);
        }

        @Override
        protected MemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
            return new Collection(this, collectionName, options, cursorRegistry);
        }
    }

    private static final class Collection extends MemoryCollection {
        Collection(MongoDatabase database, String collectionName, CollectionOptions options,
                   CursorRegistry cursorRegistry) {
            super(database, collectionName, options, cursorRegistry);
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit,
                                             int batchSize, Document fieldSelector) {
            String idField = getIdField();
            Object id = query.get(idField);
            // A filter on _id alone is planned by the backend already; null keeps its own meaning.
            if (id != null && query.size() > 1) {
                Document idClause = new Document(idField, id);
                for (Index<Integer> index : getIndexes()) {
                    List<IndexKey> keys = index.getKeys();
                    boolean idIndex = keys.size() == 1 && keys.get(0).getKey().equals(idField);
                    // canHandle refuses the operators the index cannot answer ($gt, $ne, ...).
                    if (idIndex && index.canHandle(idClause)) {
                        return matchDocuments(query, index.getPositions(idClause), orderBy, numberToSkip, limit,
                            batchSize, fieldSelector);
                    }
                }
            }
            return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }
    }
}
