package io.trawl.pipeline.script;

import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.luaj.vm2.LuaString;

import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code engine:post_message_frontend}: a message goes into every pipeline's inbox (the sender's too) and
 * each pipeline delivers it, between packets, to every instance whose {@code onmessage} takes it. A full
 * inbox drops the message for that pipeline (counted); posting never waits.
 *
 * <p>Threading: any pipeline posts (multi-producer); each inbox is drained by its pipeline only.
 */
final class MessageBus {
    static final int INBOX_CAPACITY = 4096;

    /** A message: id (may be null) and body; immutable, shared by all pipelines. */
    record Message(LuaString id, String canonicalId, LuaString body) {
    }

    private final ManyToOneConcurrentArrayQueue<Message>[] inboxes;
    private final AtomicLong dropped = new AtomicLong();

    @SuppressWarnings("unchecked")
    MessageBus(final int pipelines) {
        inboxes = new ManyToOneConcurrentArrayQueue[pipelines];
        for (int i = 0; i < pipelines; i++) {
            inboxes[i] = new ManyToOneConcurrentArrayQueue<>(INBOX_CAPACITY);
        }
    }

    /** @return the number of pipelines whose inbox was full */
    int post(final Message message) {
        int full = 0;
        for (final ManyToOneConcurrentArrayQueue<Message> inbox : inboxes) {
            if (!inbox.offer(message)) {
                full++;
            }
        }
        if (full > 0) {
            dropped.addAndGet(full);
        }
        return full;
    }

    Message poll(final int pipeline) {
        return inboxes[pipeline].poll();
    }

    boolean isEmpty(final int pipeline) {
        return inboxes[pipeline].isEmpty();
    }

    long dropped() {
        return dropped.get();
    }
}
