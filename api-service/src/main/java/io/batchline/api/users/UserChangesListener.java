package io.batchline.api.users;

import io.batchline.model.messaging.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.AnonymousQueue;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every API instance binds its own server-named, auto-deleted queue to the workers'
 * {@code batch.users.changed} fanout and evicts the users they changed from its lookup
 * cache. Nothing here is precious: a missed message leaves an entry until the cache TTL.
 */
@Configuration(proxyBeanMethods = false)
class UserChangesListener {

    private static final Logger log = LoggerFactory.getLogger(UserChangesListener.class);

    @Bean
    AnonymousQueue userChangesQueue() {
        return new AnonymousQueue();
    }

    @Bean
    Binding userChangesBinding(AnonymousQueue userChangesQueue) {
        return BindingBuilder.bind(userChangesQueue).to(new FanoutExchange(Topology.USERS_CHANGED_EXCHANGE, true, false));
    }

    @Bean
    SimpleMessageListenerContainer userChangesContainer(ConnectionFactory connectionFactory, AnonymousQueue userChangesQueue,
                                                        UserLookup lookup, JsonMapper json) {
        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
        container.setQueues(userChangesQueue);
        container.setAcknowledgeMode(AcknowledgeMode.NONE);
        container.setMessageListener(message -> {
            try {
                List<UUID> ids = new ArrayList<>();
                for (JsonNode id : json.readTree(message.getBody()).path("userIds")) {
                    ids.add(UUID.fromString(id.asString()));
                }
                lookup.evict(ids);
            } catch (RuntimeException e) {
                log.debug("Ignoring an unreadable user-changes message: {}", e.toString());
            }
        });
        return container;
    }
}
