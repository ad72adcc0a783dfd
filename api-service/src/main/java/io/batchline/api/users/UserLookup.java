package io.batchline.api.users;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.batchline.api.problem.BatchRejected;
import io.batchline.api.security.Caller;
import io.batchline.support.SqlArrays;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /batch/users/lookup?ids=…&chunkSize=…}: seed 003's synchronous lookup. Users
 * come without passwords, through a cache-aside cache (absences are cached too, so a
 * missing id does not hit the database on every call); ids not cached are read in chunks
 * of {@code chunkSize} with one query each. A caller sees its own tenant's users and
 * unowned ones; another tenant's user reads as missing, like another tenant's batch. The
 * workers announce the users they change and every API instance evicts them
 * ({@link UserChangesListener}); the TTL bounds staleness if an announcement is lost.
 */
@RestController
@RequestMapping("/batch/users")
class UserLookup {

    static final String FIND = """
            SELECT id, email, name, created_at, updated_at, last_login_at, tenant
              FROM catalog.users
             WHERE id = ANY(?::uuid[]) AND deleted_at IS NULL
            """;

    /** A user as the lookup returns it; {@code tenant} is used for visibility and not shown. */
    record User(UUID id, String email, String name, String createdAt, String updatedAt, @Nullable String lastLoginAt,
                @Nullable String tenant) {

        Map<String, Object> view() {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("id", id);
            view.put("email", email);
            view.put("name", name);
            view.put("createdAt", createdAt);
            view.put("updatedAt", updatedAt);
            view.put("lastLoginAt", lastLoginAt);
            return view;
        }
    }

    private final JdbcClient jdbc;
    private final UserLookupSettings settings;
    private final Cache<UUID, Optional<User>> cache;
    private final java.util.concurrent.atomic.AtomicLong evictions = new java.util.concurrent.atomic.AtomicLong();

    UserLookup(JdbcClient jdbc, UserLookupSettings settings, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.settings = settings;
        this.cache = Caffeine.newBuilder()
                .expireAfterWrite(settings.cacheTtl())
                .maximumSize(settings.cacheSize())
                .recordStats()
                .build();
        CaffeineCacheMetrics.monitor(meters, cache, "user_lookup");
    }

    @GetMapping("/lookup")
    Map<String, Object> lookup(@RequestParam(required = false) @Nullable String ids,
                               @RequestParam(required = false) @Nullable String chunkSize, Caller caller) {
        int chunk = chunkSize(chunkSize);
        Set<UUID> requested = ids(ids);
        Map<UUID, Optional<User>> found = new LinkedHashMap<>(cache.getAllPresent(requested));
        List<UUID> misses = requested.stream().filter(id -> !found.containsKey(id)).toList();
        for (int from = 0; from < misses.size(); from += chunk) {
            List<UUID> part = misses.subList(from, Math.min(misses.size(), from + chunk));
            long evictionsBefore = evictions.get();
            Map<UUID, Optional<User>> read = read(part);
            // an eviction that arrived while we read may concern a row we read before it changed:
            // answer with it, but do not keep it
            if (evictions.get() == evictionsBefore) {
                cache.putAll(read);
            }
            found.putAll(read);
        }
        List<Map<String, Object>> data = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (UUID id : requested) {
            Optional<User> user = found.get(id).filter(u -> caller.isAdmin() || u.tenant() == null || u.tenant().equals(caller.tenant()));
            if (user.isPresent()) {
                data.add(user.get().view());
            } else {
                missing.add(id.toString());
            }
        }
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("requested", requested.size());
        stats.put("found", data.size());
        stats.put("missing", missing.size());
        stats.put("fromCache", requested.size() - misses.size());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", true);
        body.put("message", "Found " + data.size() + " out of " + requested.size() + " users");
        body.put("data", data);
        body.put("missing", missing);
        body.put("stats", stats);
        return body;
    }

    /** Drops users from this instance's cache (they were changed). */
    void evict(Collection<UUID> userIds) {
        evictions.incrementAndGet();
        cache.invalidateAll(userIds);
    }

    private Map<UUID, Optional<User>> read(List<UUID> ids) {
        Map<UUID, Optional<User>> read = new LinkedHashMap<>();
        ids.forEach(id -> read.put(id, Optional.empty()));
        try {
            jdbc.sql(FIND).params(List.<Object>of(SqlArrays.of("uuid", ids.toArray(UUID[]::new))))
                    .query((rs, row) -> read.put(rs.getObject(1, UUID.class), Optional.of(new User(rs.getObject(1, UUID.class),
                            rs.getString(2), rs.getString(3), text(rs.getTimestamp(4)), text(rs.getTimestamp(5)),
                            rs.getTimestamp(6) == null ? null : text(rs.getTimestamp(6)), rs.getString(7)))))
                    .list();
        } catch (org.springframework.jdbc.BadSqlGrammarException e) {
            // the workers own the catalog schema and create it when the first one starts
            throw new BatchRejected(org.springframework.http.HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "Unavailable",
                    "the user catalog does not exist yet: it is created when the first worker starts");
        }
        return read;
    }

    private static String text(Timestamp at) {
        return at.toInstant().toString();
    }

    private Set<UUID> ids(@Nullable String ids) {
        if (ids == null || ids.isBlank()) {
            throw invalid("ids", "ids is required: comma-separated user ids, e.g. ids=uuid1,uuid2");
        }
        String[] parts = ids.split(",", -1);
        if (parts.length > settings.maxIds()) {
            throw invalid("ids", "at most " + settings.maxIds() + " ids per lookup, got " + parts.length);
        }
        Set<UUID> parsed = new LinkedHashSet<>();
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].strip();
            try {
                if (part.length() != 36) {
                    throw new IllegalArgumentException();
                }
                parsed.add(UUID.fromString(part));
            } catch (IllegalArgumentException e) {
                throw invalid("ids[" + i + "]", "ids[" + i + "] is not a UUID");
            }
        }
        return parsed;
    }

    private static int chunkSize(@Nullable String value) {
        if (value == null) {
            return 100;
        }
        try {
            int size = Integer.parseInt(value.strip());
            if (size >= 1 && size <= 1000) {
                return size;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw invalid("chunkSize", "chunkSize must be a whole number from 1 to 1000");
    }

    private static BatchRejected invalid(String field, String detail) {
        return new BatchRejected(org.springframework.http.HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", detail,
                Map.of("errors", List.of(Map.of("field", field, "message", detail))));
    }
}
