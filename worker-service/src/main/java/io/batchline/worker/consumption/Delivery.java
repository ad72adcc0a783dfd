package io.batchline.worker.consumption;

import io.batchline.model.messaging.ItemHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.amqp.core.Message;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/**
 * One item as delivered: the message that carried it (alone, or in a pack with others of
 * its batch) and the item it is. A pack's body is parsed once, when it is split into its
 * items; a single item's body is parsed where it is bound to its payload record.
 *
 * @param packed the item's payload taken from its pack, {@link MissingNode} when the pack's
 *               body does not hold its items, null for a message of one item
 */
record Delivery(Message message, ItemHeaders item, @Nullable JsonNode packed) {

    /** The items a message carries; empty when its headers name none. */
    static List<Delivery> of(Message message, JsonMapper json) {
        List<ItemHeaders> items = ItemHeaders.readAll(message.getMessageProperties().getHeaders());
        if (items.isEmpty()) {
            return List.of();
        }
        if (!ItemHeaders.isPack(message.getMessageProperties().getHeaders())) {
            return List.of(new Delivery(message, items.getFirst(), null));
        }
        JsonNode payloads = payloads(message, json);
        List<Delivery> deliveries = new ArrayList<>(items.size());
        boolean readable = payloads.isArray() && payloads.size() == items.size();
        for (int i = 0; i < items.size(); i++) {
            deliveries.add(new Delivery(message, items.get(i), readable ? payloads.get(i) : MissingNode.getInstance()));
        }
        return deliveries;
    }

    private static JsonNode payloads(Message message, JsonMapper json) {
        try {
            return json.readTree(message.getBody());
        } catch (JacksonException e) {
            return MissingNode.getInstance();
        }
    }

    /** The item's payload as JSON, or empty when its pack's body does not hold it. */
    JsonNode payload(JsonMapper json) {
        return packed != null ? packed : json.readTree(message.getBody());
    }

    /** The item's own body, for a message about it alone (retry, dead letter, isolation). */
    byte[] body() {
        if (packed == null || packed.isMissingNode()) {
            return message.getBody();
        }
        return packed.toString().getBytes(StandardCharsets.UTF_8);
    }
}
