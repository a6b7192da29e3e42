package dev.autoparallel.model;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers, per quantization instance, whether each module is stored packed: exclusion lists run
 * to hundreds of patterns and the memory model asks about every tensor many times per layout.
 * Keyed by the instance's identity and held weakly, so value-equal records never share a memo
 * by accident and a dropped model frees its entries.
 */
final class DecisionCache {
    private static final ReferenceQueue<Object> QUEUE = new ReferenceQueue<>();
    private static final Map<Key, Map<String, Boolean>> MEMOS = new ConcurrentHashMap<>();

    private DecisionCache() {
    }

    /** The memo of {@code owner}: module path -> packed. */
    static Map<String, Boolean> of(Object owner) {
        expunge();
        Map<String, Boolean> m = MEMOS.get(new Key(owner, null));
        if (m == null) {
            m = new ConcurrentHashMap<>();
            Map<String, Boolean> previous = MEMOS.putIfAbsent(new Key(owner, QUEUE), m);
            if (previous != null) {
                m = previous;
            }
        }
        return m;
    }

    private static void expunge() {
        for (Object k; (k = QUEUE.poll()) != null; ) {
            MEMOS.remove(k);
        }
    }

    /** A weak reference compared by the identity of its referent. */
    private static final class Key extends WeakReference<Object> {
        private final int hash;

        Key(Object referent, ReferenceQueue<Object> queue) {
            super(referent, queue);
            this.hash = System.identityHashCode(referent);
        }

        @Override public int hashCode() {
            return hash;
        }

        @Override public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof Key k)) {
                return false;
            }
            Object mine = get();
            return mine != null && mine == k.get();
        }
    }
}
