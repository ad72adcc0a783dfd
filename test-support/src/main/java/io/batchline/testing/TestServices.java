package io.batchline.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.RabbitMQContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The RabbitMQ and PostgreSQL a test JVM talks to. Where a Docker engine answers, both run
 * in Testcontainers; where none does (CI here), the services on localhost are used, each
 * run with a vhost and a database of its own that are removed when the JVM ends, so runs
 * never see each other's leftovers and the local services are left as they were found.
 *
 * <p>Which path is taken: {@code BATCHLINE_TEST_SERVICES=containers|local|auto} (default
 * auto). Local endpoints: {@code TEST_RABBITMQ_HOST/PORT/MANAGEMENT_PORT/USER/PASSWORD},
 * {@code TEST_POSTGRES_HOST/PORT/USER/PASSWORD}. Which broker node and PostgreSQL cluster
 * the local {@link #outages()} stop and start: by default the machine's own ({@code
 * rabbitmqctl stop_app}, {@code pg_ctlcluster <version> main stop}); {@code TEST_RABBITMQ_NODE}
 * names another node ({@code rabbitmqctl -n NODE ...}) and {@code TEST_POSTGRES_DATADIR}
 * another cluster ({@code pg_ctl -D DIR ...}, run as the directory's owner; {@code
 * TEST_POSTGRES_PG_CTL} overrides which pg_ctl), e.g. the private ones of
 * {@code deploy/chaos/private-services.sh}.
 */
public final class TestServices {

    private static final Logger log = LoggerFactory.getLogger(TestServices.class);
    private static volatile TestServices instance;

    private final Rabbit rabbit;
    private final Postgres postgres;
    private final Outages outages;
    private final String brokerMetricsUrl;

    /** Stops and starts the services themselves, for chaos tests. */
    public interface Outages {

        void stopBroker();

        void startBroker();

        void stopDatabase();

        void startDatabase();
    }

    /** Connection facts for one vhost on one broker. */
    public record Rabbit(String host, int port, String username, String password, String vhost,
                        String managementUrl) {
    }

    /** Connection facts for one database. */
    public record Postgres(String host, int port, String username, String password, String database) {

        public String jdbcUrl() {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }
    }

    private TestServices(Rabbit rabbit, Postgres postgres, Outages outages, String brokerMetricsUrl) {
        this.rabbit = rabbit;
        this.postgres = postgres;
        this.outages = outages;
        this.brokerMetricsUrl = brokerMetricsUrl;
    }

    /**
     * The broker's rabbitmq_prometheus endpoint (port 15692; locally {@code
     * TEST_RABBITMQ_PROMETHEUS_PORT}), e.g. {@code http://127.0.0.1:15692}. Its metrics cover
     * the whole node, not only this run's vhost.
     */
    public String brokerMetricsUrl() {
        return brokerMetricsUrl;
    }

    public Outages outages() {
        return outages;
    }

    /** The management API path of this run's vhost, URL-encoded. */
    public String vhostPath() {
        return java.net.URLEncoder.encode(rabbit.vhost(), StandardCharsets.UTF_8);
    }

    /** The services for this JVM, created on first use. */
    public static TestServices get() {
        TestServices current = instance;
        if (current == null) {
            synchronized (TestServices.class) {
                current = instance;
                if (current == null) {
                    current = start();
                    instance = current;
                }
            }
        }
        return current;
    }

    public Rabbit rabbit() {
        return rabbit;
    }

    public Postgres postgres() {
        return postgres;
    }

    /** Spring Boot properties that point a service at these endpoints. */
    public Map<String, String> springProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.rabbitmq.host", rabbit.host());
        properties.put("spring.rabbitmq.port", String.valueOf(rabbit.port()));
        properties.put("spring.rabbitmq.username", rabbit.username());
        properties.put("spring.rabbitmq.password", rabbit.password());
        properties.put("spring.rabbitmq.virtual-host", rabbit.vhost());
        properties.put("spring.datasource.url", postgres.jdbcUrl());
        properties.put("spring.datasource.username", postgres.username());
        properties.put("spring.datasource.password", postgres.password());
        return properties;
    }

    /** The same endpoints as the environment variables the services read (for processes). */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("RABBITMQ_HOST", rabbit.host());
        env.put("RABBITMQ_PORT", String.valueOf(rabbit.port()));
        env.put("RABBITMQ_USER", rabbit.username());
        env.put("RABBITMQ_PASSWORD", rabbit.password());
        env.put("RABBITMQ_VHOST", rabbit.vhost());
        env.put("DB_HOST", postgres.host());
        env.put("DB_PORT", String.valueOf(postgres.port()));
        env.put("DB_NAME", postgres.database());
        env.put("DB_USER", postgres.username());
        env.put("DB_PASSWORD", postgres.password());
        return env;
    }

    /** A JDBC connection to this run's database. */
    public Connection openConnection() throws SQLException {
        return DriverManager.getConnection(postgres.jdbcUrl(), postgres.username(), postgres.password());
    }

    private static TestServices start() {
        String mode = env("BATCHLINE_TEST_SERVICES", "auto").toLowerCase(Locale.ROOT);
        boolean containers = switch (mode) {
            case "containers" -> true;
            case "local" -> false;
            default -> dockerAvailable();
        };
        return containers ? startContainers() : useLocalServices();
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    @SuppressWarnings("resource") // stopped by Testcontainers' reaper when the JVM ends
    private static TestServices startContainers() {
        log.info("Docker found: starting RabbitMQ and PostgreSQL in Testcontainers");
        RabbitMQContainer rabbitContainer = new RabbitMQContainer("rabbitmq:4.1-management");
        PostgreSQLContainer postgresContainer = new PostgreSQLContainer("postgres:17-alpine").withDatabaseName("batchline");
        // the image enables rabbitmq_prometheus on 15692 (the monitoring tests scrape it)
        rabbitContainer.addExposedPort(15692);
        rabbitContainer.start();
        postgresContainer.start();
        Rabbit rabbit = new Rabbit(rabbitContainer.getHost(), rabbitContainer.getAmqpPort(),
                rabbitContainer.getAdminUsername(), rabbitContainer.getAdminPassword(), "/",
                rabbitContainer.getHttpUrl());
        Postgres postgres = new Postgres(postgresContainer.getHost(), postgresContainer.getFirstMappedPort(),
                postgresContainer.getUsername(), postgresContainer.getPassword(), postgresContainer.getDatabaseName());
        Outages outages = new Outages() {
            @Override
            public void stopBroker() {
                exec(rabbitContainer, "rabbitmqctl", "stop_app");
            }

            @Override
            public void startBroker() {
                exec(rabbitContainer, "rabbitmqctl", "start_app");
            }

            // pausing keeps the mapped port, which a container restart would not
            @Override
            public void stopDatabase() {
                postgresContainer.getDockerClient().pauseContainerCmd(postgresContainer.getContainerId()).exec();
            }

            @Override
            public void startDatabase() {
                postgresContainer.getDockerClient().unpauseContainerCmd(postgresContainer.getContainerId()).exec();
            }
        };
        return new TestServices(rabbit, postgres, outages,
                "http://" + rabbitContainer.getHost() + ":" + rabbitContainer.getMappedPort(15692));
    }

    private static TestServices useLocalServices() {
        String run = "bl_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String rabbitHost = env("TEST_RABBITMQ_HOST", "127.0.0.1");
        Rabbit rabbit = new Rabbit(rabbitHost, Integer.parseInt(env("TEST_RABBITMQ_PORT", "5672")),
                env("TEST_RABBITMQ_USER", "guest"), env("TEST_RABBITMQ_PASSWORD", "guest"), run,
                "http://" + rabbitHost + ":" + env("TEST_RABBITMQ_MANAGEMENT_PORT", "15672"));
        Postgres postgres = new Postgres(env("TEST_POSTGRES_HOST", "127.0.0.1"),
                Integer.parseInt(env("TEST_POSTGRES_PORT", "5432")), env("TEST_POSTGRES_USER", "postgres"),
                env("TEST_POSTGRES_PASSWORD", ""), run);
        log.info("No Docker engine: using local RabbitMQ vhost '{}' and PostgreSQL database '{}'", run, run);
        RabbitAdmin admin = new RabbitAdmin(rabbit);
        admin.createVhost();
        createDatabase(postgres);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            admin.deleteVhost();
            dropDatabase(postgres);
        }, "test-services-cleanup"));
        return new TestServices(rabbit, postgres, localOutages(postgres),
                "http://" + rabbitHost + ":" + env("TEST_RABBITMQ_PROMETHEUS_PORT", "15692"));
    }

    /**
     * Outages of the local services: the machine's own broker and cluster unless
     * TEST_RABBITMQ_NODE / TEST_POSTGRES_DATADIR point at other ones.
     */
    private static Outages localOutages(Postgres postgres) {
        String node = System.getenv("TEST_RABBITMQ_NODE");
        String[] rabbitmqctl = node == null || node.isBlank()
                ? new String[] {"rabbitmqctl"}
                : new String[] {"rabbitmqctl", "-n", node};
        String dataDir = System.getenv("TEST_POSTGRES_DATADIR");
        String cluster = env("TEST_POSTGRES_CLUSTER", localPostgresCluster());
        String[] stopDatabase;
        String[] startDatabase;
        if (dataDir == null || dataDir.isBlank()) {
            stopDatabase = new String[] {"pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "stop", "-m", "fast"};
            startDatabase = new String[] {"pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "start"};
        } else {
            String pgCtl = env("TEST_POSTGRES_PG_CTL", localPgCtl());
            String[] asOwner = asOwnerOf(dataDir);
            // -l: the postmaster must not inherit our pipe, or reading pg_ctl's output never ends
            stopDatabase = concat(asOwner, pgCtl, "-D", dataDir, "stop", "-m", "fast", "-w");
            startDatabase = concat(asOwner, pgCtl, "-D", dataDir, "-o", "-p " + postgres.port(),
                    "-l", dataDir + "/pg_ctl.log", "-w", "start");
        }
        log.info("Outages stop and start RabbitMQ with '{}' and PostgreSQL with '{}'",
                String.join(" ", rabbitmqctl), String.join(" ", stopDatabase));
        return new Outages() {
            @Override
            public void stopBroker() {
                run(concat(rabbitmqctl, "stop_app"));
            }

            @Override
            public void startBroker() {
                run(concat(rabbitmqctl, "start_app"));
                run(concat(rabbitmqctl, "await_startup"));
            }

            @Override
            public void stopDatabase() {
                run(stopDatabase);
            }

            @Override
            public void startDatabase() {
                run(startDatabase);
            }
        };
    }

    private static String[] concat(String[] prefix, String... rest) {
        String[] all = java.util.Arrays.copyOf(prefix, prefix.length + rest.length);
        System.arraycopy(rest, 0, all, prefix.length, rest.length);
        return all;
    }

    /** pg_ctl refuses to run as root: as root, run it as the data directory's owner. */
    private static String[] asOwnerOf(String dataDir) {
        try {
            String owner = java.nio.file.Files.getOwner(java.nio.file.Path.of(dataDir)).getName();
            String me = System.getProperty("user.name");
            return owner.equals(me) || !"root".equals(me) ? new String[0] : new String[] {"runuser", "-u", owner, "--"};
        } catch (java.io.IOException e) {
            throw new IllegalStateException("TEST_POSTGRES_DATADIR " + dataDir + " is not readable: " + e.getMessage(), e);
        }
    }

    /** The newest /usr/lib/postgresql/<version>/bin/pg_ctl, else pg_ctl from the PATH. */
    private static String localPgCtl() {
        String[] versions = new java.io.File("/usr/lib/postgresql").list();
        if (versions != null) {
            return java.util.Arrays.stream(versions)
                    .sorted(java.util.Comparator.comparingInt(TestServices::leadingNumber).reversed())
                    .map(v -> "/usr/lib/postgresql/" + v + "/bin/pg_ctl")
                    .filter(path -> new java.io.File(path).canExecute())
                    .findFirst().orElse("pg_ctl");
        }
        return "pg_ctl";
    }

    private static int leadingNumber(String version) {
        String digits = version.replaceAll("^(\\d+).*", "$1");
        return digits.chars().allMatch(Character::isDigit) && !digits.isEmpty() ? Integer.parseInt(digits) : 0;
    }

    private static String localPostgresCluster() {
        String[] versions = new java.io.File("/etc/postgresql").list();
        return versions == null || versions.length == 0 ? "15" : java.util.Arrays.stream(versions).sorted().toList().getLast();
    }

    private static void run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(String.join(" ", command) + " could not run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void exec(org.testcontainers.containers.Container<?> container, String... command) {
        try {
            var result = container.execInContainer(command);
            if (result.getExitCode() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + result.getStderr());
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void createDatabase(Postgres postgres) {
        executeOnMaintenanceDb(postgres, "CREATE DATABASE " + postgres.database());
    }

    private static void dropDatabase(Postgres postgres) {
        try {
            executeOnMaintenanceDb(postgres, "DROP DATABASE IF EXISTS " + postgres.database() + " WITH (FORCE)");
        } catch (RuntimeException e) {
            log.warn("Could not drop test database {}: {}", postgres.database(), e.getMessage());
        }
    }

    private static void executeOnMaintenanceDb(Postgres postgres, String sql) {
        String url = "jdbc:postgresql://" + postgres.host() + ":" + postgres.port() + "/postgres";
        try (Connection connection = DriverManager.getConnection(url, postgres.username(), postgres.password());
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + url + " refused '" + sql + "': " + e.getMessage(), e);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** Just enough of the management HTTP API to create and remove a vhost. */
    public static final class RabbitAdmin {

        private final Rabbit rabbit;
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

        public RabbitAdmin(Rabbit rabbit) {
            this.rabbit = rabbit;
        }

        void createVhost() {
            send("PUT", "/api/vhosts/" + rabbit.vhost(), "{}");
            send("PUT", "/api/permissions/" + rabbit.vhost() + "/" + rabbit.username(),
                    "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
        }

        void deleteVhost() {
            try {
                send("DELETE", "/api/vhosts/" + rabbit.vhost(), null);
            } catch (RuntimeException e) {
                log.warn("Could not delete test vhost {}: {}", rabbit.vhost(), e.getMessage());
            }
        }

        /** GET a management API path (vhost-relative paths are the caller's job) and return the body. */
        public String get(String path) {
            return send("GET", path, null);
        }

        /** POST to a management API path and return the body. */
        public String post(String path, String body) {
            return send("POST", path, body);
        }

        private String send(String method, String path, String body) {
            String credentials = Base64.getEncoder()
                    .encodeToString((rabbit.username() + ":" + rabbit.password()).getBytes(StandardCharsets.UTF_8));
            HttpRequest request = HttpRequest.newBuilder(URI.create(rabbit.managementUrl() + path))
                    .timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Basic " + credentials)
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                    .build();
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() >= 300) {
                    throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
                }
                return response.body();
            } catch (java.io.IOException e) {
                throw new IllegalStateException("RabbitMQ management API at " + rabbit.managementUrl()
                        + " is not reachable (is rabbitmq_management enabled?): " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
